import Foundation
import LudusLua

/// How an ``LLMAgent`` answers: which model, where, and with which sampling settings.
///
/// Spec: `llm:MODEL@BASE_URL[?key=value&key=value...]`, e.g.
/// `llm:qwen2.5-7b@http://127.0.0.1:8000/v1?temperature=0.7&max_tokens=512&key_env=OPENAI_API_KEY`.
/// `BASE_URL` is what OpenAI clients take as `base_url` (usually ending in `/v1`); requests go
/// to `BASE_URL/chat/completions`. The API key is read from the environment variable
/// named by `key_env`, never from the command line or the database.
public struct LLMOptions: Hashable, Sendable {
    /// How the completion becomes an action.
    public enum AnswerFormat: String, Sendable, CaseIterable {
        /// JSON schema (`response_format`) for discrete actions, `raw` for text actions.
        case auto
        /// `{"action": k}` with a JSON schema listing the legal actions (servers enforce it with a grammar).
        case json
        /// The last `\boxed{...}`.
        case boxed
        /// The last non-empty line.
        case lastLine = "last_line"
        /// The whole completion (text actions: the environment's own parser reads it).
        case raw
    }

    public var model: String
    public var baseURL: String
    public var temperature = 0.0
    public var maxTokens = 256
    /// A fixed sampling seed; nil: each episode's agent seed (deterministic per episode).
    public var seed: UInt64?
    public var systemPrompt: String?
    /// Seconds to wait for one answer.
    public var timeout = 60.0
    /// Attempts after the first on 429, 5xx, timeouts and refused connections.
    public var retries = 3
    /// Seconds before the first retry; doubled on each next one.
    public var backoff = 0.5
    /// The environment variable holding the API key (`OPENAI_API_KEY`), or nil for none.
    public var keyEnvironmentVariable: String?
    public var answer = AnswerFormat.auto
    /// How the JSON schema of discrete answers is sent: `json_schema` (OpenAI's shape: vLLM,
    /// llama.cpp's own server, Ollama, hosted APIs), `json_object` (`{"type": "json_object",
    /// "schema": ...}`: llama-cpp-python's server) or `none` (the prompt alone asks for JSON).
    public var responseFormat = "json_schema"

    public static let keys = ["temperature", "max_tokens", "seed", "system", "timeout", "retries", "backoff", "key_env", "answer", "response_format"]

    public init(model: String, baseURL: String) {
        self.model = model
        self.baseURL = baseURL
    }

    /// Parses the part of a spec after `llm:`.
    /// - Throws: ``SetupError/badSpec(_:)`` naming the problem.
    public init(spec: String) throws(SetupError) {
        let usage = "expected llm:MODEL@BASE_URL[?key=value&...], e.g. llm:tiny@http://127.0.0.1:8080/v1?temperature=0"
        guard let at = spec.range(of: "@http", options: .backwards) else { throw .badSpec("agent 'llm:\(spec)': \(usage)") }
        let model = String(spec[..<at.lowerBound])
        var rest = String(spec[spec.index(after: at.lowerBound)...])
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = String(rest[..<mark])
        }
        while rest.hasSuffix("/") { rest.removeLast() }
        guard !model.isEmpty, URL(string: rest)?.host != nil else { throw .badSpec("agent 'llm:\(spec)': \(usage)") }
        self.init(model: model, baseURL: rest)
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts[0], raw = parts.count > 1 ? parts[1] : ""
            let value = raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw
            func bad(_ expected: String) -> SetupError { .badSpec("agent 'llm:\(spec)': \(key)=\(value): expected \(expected)") }
            switch key {
            case "temperature":
                guard let t = Double(value), t >= 0, t <= 2 else { throw bad("a number in 0...2") }
                temperature = t
            case "max_tokens":
                guard let n = Int(value), n >= 1, n <= 1_000_000 else { throw bad("an integer from 1") }
                maxTokens = n
            case "seed":
                guard let s = UInt64(value), s <= SeedStreams.mask else { throw bad("an integer in 0..<2^63") }
                seed = s
            case "system": systemPrompt = value
            case "timeout":
                guard let t = Double(value), t > 0, t <= 3600 else { throw bad("seconds in (0, 3600]") }
                timeout = t
            case "retries":
                guard let n = Int(value), (0...20).contains(n) else { throw bad("an integer in 0...20") }
                retries = n
            case "backoff":
                guard let t = Double(value), t >= 0, t <= 60 else { throw bad("seconds in 0...60") }
                backoff = t
            case "key_env":
                guard !value.isEmpty else { throw bad("the name of an environment variable") }
                keyEnvironmentVariable = value
            case "answer":
                guard let format = AnswerFormat(rawValue: value) else { throw bad(AnswerFormat.allCases.map(\.rawValue).joined(separator: "|")) }
                answer = format
            case "response_format":
                guard ["json_schema", "json_object", "none"].contains(value) else { throw bad("json_schema|json_object|none") }
                responseFormat = value
            case "key", "api_key":
                throw .badSpec("agent 'llm:...': the API key never goes on the command line; put it in an environment variable and name it with key_env=NAME")
            default:
                throw .badSpec("agent 'llm:\(spec)': unknown option '\(key)' (known: \(Self.keys.joined(separator: ", ")))")
            }
        }
    }

    /// The settings that change answers, as JSON (stored with every transcript; no key, no URL).
    public var settingsJSON: String {
        var fields: [String: Value] = ["temperature": .number(temperature), "max_tokens": .int(Int64(maxTokens)),
                                       "answer": .string(answer.rawValue)]
        if let seed { fields["seed"] = .int(Int64(seed)) }
        if let systemPrompt { fields["system"] = .string(systemPrompt) }
        if responseFormat != "json_schema" { fields["response_format"] = .string(responseFormat) }
        return JSON.encode(.table(fields))
    }

    /// The API key from the named environment variable.
    /// - Throws: ``LLMError/missingKey(_:)`` when the variable is named but unset.
    func apiKey() throws(LLMError) -> String? {
        guard let name = keyEnvironmentVariable else { return nil }
        guard let key = ProcessInfo.processInfo.environment[name], !key.isEmpty else { throw .missingKey(name) }
        return key
    }
}

extension LLMOptions {
    /// An agent spec as run configurations record it: an `llm:` spec becomes its model and the
    /// settings that change answers (no URL, timeout or retries: the same model on another
    /// address is the same run, so `--resume` and `--cache` work after a server moved); other
    /// specs are kept as they are.
    public static func configIdentity(_ agentSpec: String) -> String {
        guard agentSpec.hasPrefix("llm:"), let options = try? LLMOptions(spec: String(agentSpec.dropFirst(4))) else { return agentSpec }
        return "llm:\(options.model) \(options.settingsJSON)"
    }
}
