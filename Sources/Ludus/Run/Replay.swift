import LudusLua

/// Replays given actions: one episode per script entry, for parity checks against
/// other implementations and for reproducing a reported bug.
public struct ReplayEpisode: Sendable {
    public var seed: UInt64
    public var params: [String: Value]
    public var actions: [Action]

    /// Reads `{"seed": 1, "params": {...}, "actions": [2, 0, 5]}`.
    public init(json: Value) throws(ReplayError) {
        guard case .table = json else { throw .malformed("a replay line must be a JSON object") }
        switch json["seed"] {
        case .nil: seed = 0
        case let value:
            guard let given = value.intValue, given >= 0 else { throw .malformed("\"seed\" must be a non-negative integer, got \(JSON.encode(value))") }
            seed = UInt64(given)
        }
        if case .table(let given) = json["params"] { params = given } else { params = [:] }
        guard let list = json["actions"].arrayValue else { throw .malformed("a replay line needs an \"actions\" list") }
        actions = try list.map { value throws(ReplayError) -> Action in
            if let i = value.intValue { return .discrete(i) }
            if let s = value.stringValue { return .text(s) }
            if let v = value.arrayValue {
                let numbers = v.compactMap(\.doubleValue)
                guard numbers.count == v.count else { throw .malformed("action \(JSON.encode(value)) holds something that is not a number") }
                return .vector(numbers)
            }
            throw .malformed("cannot read action \(JSON.encode(value))")
        }
    }
}

/// Why a replay could not be played as written.
public enum ReplayError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The replay line is not what `replay` reads.
    case malformed(String)
    /// Line `line` could not be played: an invalid action, a parameter, the environment failing.
    case episode(line: Int, EpisodeError)
    /// The episode of line `line` ended after `length` steps with actions still unplayed.
    case actionsAfterEnd(line: Int, length: Int, left: Int)

    public var description: String {
        switch self {
        case .malformed(let message): return message
        case .episode(let line, let error): return "replay line \(line): \(error)"
        case .actionsAfterEnd(let line, let length, let left):
            return "replay line \(line): the episode ended after \(length) step(s) but \(left) action(s) remain: the replay does not match this environment"
        }
    }
}

/// Plays a fixed list of actions in whatever seat is to move.
final class ScriptedAgent: Agent {
    let name = "replay"
    var needsObservation: Bool { false }
    private let actions: [Action]
    private var next = 0
    init(_ actions: [Action]) { self.actions = actions }
    func beginEpisode(seed: UInt64, player: Int) { next = 0 }
    func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        defer { next += 1 }
        return actions[next]
    }
}

public enum Replay {
    /// Plays each episode's actions in order (whoever's turn it is) until they run out
    /// or the episode ends, writing every step to `trace`. Actions are checked like
    /// any agent's: one outside the space or the legal actions stops the replay with
    /// an error naming the line and step.
    /// - Returns: the number of steps played.
    @discardableResult
    public static func run(_ episodes: [ReplayEpisode], on environment: any Environment, trace: TraceWriter) throws(ReplayError) -> Int {
        let driver = EpisodeDriver(environment: environment)
        driver.observers = [trace]
        driver.onAgentFailure = .stop
        var total = 0
        for (index, episode) in episodes.enumerated() {
            let line = index + 1
            let params: [String: Value]
            do {
                params = try environment.spec.parameters.resolve(episode.params, environment: environment.spec.id)
            } catch { throw .episode(line: line, .environment(.parameter(error))) }
            let agent = ScriptedAgent(episode.actions)
            driver.chanceAgent = agent  // chance outcomes are part of the recorded actions, as in OpenSpiel's history
            let result: EpisodeResult
            do {
                result = try driver.play(episode: line, seed: episode.seed, params: params,
                                         agents: Array(repeating: agent, count: environment.spec.players), limit: episode.actions.count)
            } catch { throw .episode(line: line, error) }
            total += result.length
            if result.length < episode.actions.count {
                throw .actionsAfterEnd(line: line, length: result.length, left: episode.actions.count - result.length)
            }
        }
        do { try trace.flush() } catch { throw .episode(line: episodes.count, .observer("\(error)")) }
        return total
    }
}
