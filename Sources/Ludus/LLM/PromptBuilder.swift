import LudusLua

/// A chat request for the current state of an environment: the messages, and for discrete
/// actions a JSON schema listing the legal ones.
public struct LLMPrompt: Hashable, Sendable {
    /// `[{"role": ..., "content": ...}]`.
    public var messages: [Value]
    /// The `response_format` to send, or nil.
    public var responseFormat: Value?
    /// The actions an answer may name (discrete spaces), sorted.
    public var legal: [Int]
}

/// Builds prompts. The contract (docs/llm.md):
/// - `E.prompt(self, legal_actions)` when the environment declares it: a string (the user
///   message) or a list of `{role, content}` messages. Otherwise the observation's text:
///   a string observation, the `text` field of a dict, else `E.render`, else its JSON.
/// - Discrete actions: the legal actions are listed after the text (labelled by
///   `E.action_label(self, a)` or the fact `E.action_names` when declared), and the answer is
///   asked as `{"action": k}`.
/// - Text actions: the text as is (the environment's step parses the answer).
public enum PromptBuilder {
    public static func prompt(for environment: any Environment, legalActions: [Int], options: LLMOptions) throws(EnvironmentError) -> LLMPrompt {
        let spec = environment.spec
        var legal = legalActions
        if legal.isEmpty, case .discrete(let n, let start) = spec.actionSpace, n <= 10_000 { legal = Array(start..<(start + n)) }
        let discrete: Bool = if case .discrete = spec.actionSpace { true } else { false }
        var messages: [Value] = []
        if let system = options.systemPrompt { messages.append(["role": "system", "content": .string(system)]) }
        if spec.functions.contains("prompt") {
            let declared = try environment.call("prompt", [.array(legal.map { .int(Int64($0)) })], results: 1)[0]
            if let text = declared.stringValue {
                messages.append(["role": "user", "content": .string(text)])
            } else if let list = declared.arrayValue, !list.isEmpty,
                      list.allSatisfy({ $0["role"].stringValue != nil && $0["content"].stringValue != nil }) {
                messages += list.map { .table(["role": $0["role"], "content": $0["content"]]) }
            } else {
                throw .contract(ContractViolation(function: "prompt", message: "must return a string or a list of {role, content} messages, got \(JSON.encode(declared).prefix(200))",
                                                  location: environment.location(of: "prompt"), file: spec.path))
            }
        } else {
            var text = try observationText(environment)
            if discrete { text += "\n\n" + actionsText(legal, labels: try labels(legal, environment)) }
            messages.append(["role": "user", "content": .string(text)])
        }
        let format: LLMOptions.AnswerFormat = options.answer == .auto ? (discrete ? .json : .raw) : options.answer
        let schema: Value? = format == .json && discrete && options.responseFormat != "none" ? responseFormat(legal, style: options.responseFormat) : nil
        return LLMPrompt(messages: messages, responseFormat: schema, legal: legal)
    }

    /// The observation as text: a string, a dict's `text` field, the rendering, or JSON.
    static func observationText(_ environment: any Environment) throws(EnvironmentError) -> String {
        let observation = environment.lastObservation
        if let text = observation.stringValue { return text }
        if let text = observation["text"].stringValue { return text }
        if environment.spec.functions.contains("render"), let text = try environment.render(), !text.isEmpty {
            return "The current state:\n" + text
        }
        return "The current observation (JSON): " + JSON.encode(observation)
    }

    /// A label per legal action: `E.action_label(self, a)` when declared, else `E.action_names[a - start + 1]`, else none.
    static func labels(_ legal: [Int], _ environment: any Environment) throws(EnvironmentError) -> [String?] {
        let spec = environment.spec
        if spec.functions.contains("action_label") {
            var labels: [String?] = []
            for a in legal { labels.append(try environment.call("action_label", [.int(Int64(a))], results: 1)[0].stringValue) }
            return labels
        }
        let names = spec.facts["action_names"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let first: Int = if case .discrete(_, let s) = spec.actionSpace { s } else { 0 }
        return legal.map { names.indices.contains($0 - first) ? names[$0 - first] : nil }
    }

    static func actionsText(_ legal: [Int], labels: [String?]) -> String {
        let listed = zip(legal, labels).map { a, label in label.map { "\(a) (\($0))" } ?? "\(a)" }
        return "Legal actions: " + listed.joined(separator: ", ") + ".\nAnswer with JSON only: {\"action\": A} where A is one of the legal actions."
    }

    /// `{"type": "json_schema", ...}` with the legal actions as an enum (OpenAI's shape;
    /// vLLM, llama.cpp, Ollama accept it and enforce it with a grammar), or llama-cpp-python's
    /// `{"type": "json_object", "schema": ...}`.
    static func responseFormat(_ legal: [Int], style: String) -> Value {
        let schema: Value = ["type": "object", "properties": ["action": ["type": "integer", "enum": .array(legal.map { .int(Int64($0)) })]],
                             "required": .array(["action"]), "additionalProperties": false]
        if style == "json_object" { return ["type": "json_object", "schema": schema] }
        return ["type": "json_schema", "json_schema": ["name": "action", "strict": true, "schema": schema]]
    }
}
