import Foundation
import LudusLua

/// A language model behind an OpenAI-compatible server, playing one seat (`llm:MODEL@URL`).
///
/// Each move is one chat request: the prompt of ``PromptBuilder`` (the environment's own
/// `E.prompt`, or its text and legal actions), sampled with the spec's settings and a seed
/// drawn from the episode's agent seed, so a run replays request for request. Every request
/// and completion is recorded in the ``LLMSession``'s transcript log, and with a cache mode
/// answered from stored completions (same request hash, same completion, same trajectory).
///
/// An answer that is not an action (unparsable, illegal) is a forfeit with the raw text kept;
/// a server that cannot answer (``LLMError``) is a forfeit too, and ``serverError`` says so, so
/// loops stop instead of recording it as the agent's result.
public final class LLMAgent: Agent {
    public let name: String
    public let options: LLMOptions
    public let session: LLMSession
    /// Mixed into the request seed (the sample index of `ludus eval --samples`).
    public var sample = 0
    /// Stored with each transcript (`item 3 sample 0`); loops set it.
    public var tag = ""
    /// The server error that ended the last move, if any: the run should stop, not score it.
    public private(set) var serverError: LLMError?
    private var episodeSeed: UInt64 = 0
    private var player = 1
    private var steps = 0

    public init(options: LLMOptions, session: LLMSession = .shared) {
        name = "llm:\(options.model)"
        self.options = options
        self.session = session
    }

    public var needsObservationValue: Bool { true }

    public func beginEpisode(seed: UInt64, player: Int) {
        episodeSeed = seed
        self.player = player
        steps = 0
        serverError = nil
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        steps += 1
        let prompt = try PromptBuilder.prompt(for: environment, legalActions: legalActions, options: options)
        let body = requestBody(prompt)
        var hasher = StableHash()
        hasher.combine(body)
        let hash = hasher.hex
        var transcript = Transcript(run: "", model: options.model, settings: options.settingsJSON, requestHash: hash, request: body,
                                    completion: nil, completionHash: nil, latency: 0, failure: nil, cached: false,
                                    episodeSeed: episodeSeed, player: player, step: steps, tag: tag)
        let completion: String
        if let stored = session.cachedCompletion(hash) {
            completion = stored
            transcript.cached = true
        } else if session.cacheMode == .only {
            return try fail(.notCached(hash: hash), &transcript)
        } else {
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                // NUL cannot round-trip through SQLite text: it becomes U+FFFD before anything reads it,
                // so a cached replay sees exactly what the first run played.
                completion = try session.client(for: options).complete(body: body).content.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
            } catch {
                transcript.latency = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                return try fail(error, &transcript)
            }
            transcript.latency = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        }
        var completionHash = StableHash()
        completionHash.combine(completion)
        transcript.completion = completion
        transcript.completionHash = completionHash.hex
        let format: LLMOptions.AnswerFormat = prompt.responseFormat != nil ? .json : options.answer
        switch AnswerParser.action(from: completion, space: environment.spec.actionSpace, legal: prompt.legal, format: format) {
        case .success(let action):
            session.record(transcript)
            return action
        case .failure(let failure):
            transcript.failure = failure.reason
            session.record(transcript)
            throw AgentFailure(agent: name, reason: failure.reason)
        }
    }

    private func fail(_ error: LLMError, _ transcript: inout Transcript) throws -> Action {
        serverError = error
        transcript.failure = error.description
        session.record(transcript)
        throw AgentFailure(agent: name, reason: error.description)
    }

    /// The request as canonical JSON (sorted keys): its hash is the cache key. No URL and no
    /// key in it, so a replay against another address (or none) finds the same completions.
    func requestBody(_ prompt: LLMPrompt) -> String {
        var hasher = StableHash()
        hasher.combine(episodeSeed)
        hasher.combine(UInt64(player))
        hasher.combine(UInt64(steps))
        hasher.combine(UInt64(sample))
        var body: [String: Value] = [
            "model": .string(options.model), "messages": .array(prompt.messages),
            "temperature": .number(options.temperature), "max_tokens": .int(Int64(options.maxTokens)),
            "seed": .int(Int64(options.seed ?? (hasher.value & 0x7FFF_FFFF))),
        ]
        if let format = prompt.responseFormat { body["response_format"] = format }
        return JSON.encode(.table(body))
    }
}
