import Foundation

/// An agent that learns from the episodes it plays (the student of a curriculum).
///
/// Learning happens in the ``Agent`` callbacks (`act`, `observe`, `endEpisode`) while
/// ``isLearning`` is true; with it false the student acts greedily and changes nothing
/// (held-out evaluation). Parameters persist to one file per agent.
///
/// Students are ``Checkpointable``: `checkpoint()` captures everything a resumed run needs
/// (see each student's implementation), `restore(from:)` puts it back.
public protocol Student: Agent, Checkpointable {
    var isLearning: Bool { get set }
    /// Writes the learned parameters. Throws on I/O errors.
    func save(to path: String) throws
    /// Replaces the parameters with those of a file written by `save`. Throws on I/O or format errors.
    func load(from path: String) throws
    /// How much the last episode could still teach (PLR's level score): mean |GAE advantage|
    /// from the student's value estimates, or nil when the student has no value function
    /// (teachers then score levels by return variation). Must not throw.
    var lastEpisodeScore: Double? { get }
    /// The last episode's value-based scores (value_l1, PVL, mean value for MaxMC), or nil
    /// without a value function. Must not throw.
    var lastEpisodeScores: EpisodeScores? { get }
}

extension Student {
    public var lastEpisodeScore: Double? { nil }
    public var lastEpisodeScores: EpisodeScores? { nil }
}

/// Makes students from spec strings: `q` (tabular Q-learning), `random`, `ppo` and `es`
/// (learning on an MLP, with optional settings: `ppo:hidden=64x64,steps=1024,lr=3e-4`,
/// `es:pop=32,sigma=0.05`; see docs/learning.md), `mcts` or `mcts:N` (a non-learning planner
/// with N simulations per move, 100 by default), `exec:COMMAND` (an external learner, docs/agents-protocol.md).
public enum StudentFactory {
    public static let known = ["q", "random", "ppo[:KEY=VALUE,...]", "es[:KEY=VALUE,...]", "mcts[:N]", "exec:COMMAND"]

    public static func make(_ spec: String, for environment: EnvironmentSpec) throws(SetupError) -> any Student {
        let kind = spec.split(separator: ":", maxSplits: 1).first.map(String.init) ?? spec
        let argument = spec.contains(":") ? String(spec[spec.index(after: spec.firstIndex(of: ":")!)...]) : ""
        switch kind {
        case "q":
            guard case .discrete(let n, let start) = environment.actionSpace else {
                throw .unsuitable("the q student needs a discrete action space; \(environment.id) has \(environment.actionSpace)")
            }
            return QLearningAgent(actions: n, start: start)
        case "random": return RandomStudent(actionSpace: environment.actionSpace)
        case "ppo": return try PPOStudent(spec: environment, settings: argument)
        case "es": return try ESStudent(spec: environment, settings: argument)
        case "mcts":
            guard let simulations = argument.isEmpty ? 100 : Int(argument), simulations > 0 else {
                throw .badSpec("student '\(spec)': expected mcts or mcts:SIMULATIONS, e.g. mcts:200")
            }
            return MCTSStudent(simulations: simulations, actionSpace: environment.actionSpace)
        case "exec":
            guard !argument.isEmpty else { throw .badSpec("student '\(spec)': expected exec:COMMAND") }
            return ExternalStudent(command: argument, environment: environment)
        default: throw .unknownName("unknown student '\(spec)' (known: \(known.joined(separator: ", ")))")
        }
    }
}

/// The random policy as a student that never learns: the floor of every curriculum.
public final class RandomStudent: Student {
    public let name = "random"
    public var isLearning = true
    private let agent: RandomAgent
    public init(actionSpace: Space) { agent = RandomAgent(actionSpace: actionSpace) }
    public func beginEpisode(seed: UInt64, player: Int) { agent.beginEpisode(seed: seed, player: player) }
    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        try agent.act(in: environment, legalActions: legalActions)
    }
    public var needsObservation: Bool { false }
    public func save(to path: String) throws { try Data("{\"student\":\"random\"}\n".utf8).write(to: URL(fileURLWithPath: path)) }
    public func load(from path: String) throws {}
}

extension RandomStudent {
    /// Nothing but the kind: the random policy is reseeded every episode.
    public func checkpoint() throws -> Data { Data("{\"student\":\"random\"}".utf8) }

    /// - Throws: ``CheckpointError/mismatch(kind:reason:)`` for another student's checkpoint.
    public func restore(from data: Data) throws {
        try CheckpointCoder.require(String(decoding: data, as: UTF8.self), equals: "{\"student\":\"random\"}", "the student", kind: "random")
    }
}
