import Foundation

/// MCTS as a student that never learns (a planner on the environment's clone), so the
/// teacher loop can run it on puzzles: the curriculum then measures which tasks search solves.
public final class MCTSStudent: Student {
    public var name: String { agent.name }
    public var isLearning = true
    public let agent: MCTSAgent

    public init(simulations: Int, actionSpace: Space) { agent = MCTSAgent(simulations: simulations, actionSpace: actionSpace) }

    public func beginEpisode(seed: UInt64, player: Int) { agent.beginEpisode(seed: seed, player: player) }
    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        try agent.act(in: environment, legalActions: legalActions)
    }
    public var needsObservation: Bool { false }
    public func save(to path: String) throws {
        try Data("{\"student\":\"mcts\",\"simulations\":\(agent.simulations)}\n".utf8).write(to: URL(fileURLWithPath: path))
    }
    public func load(from path: String) throws {}
}

// MARK: Checkpoint

extension MCTSStudent {
    /// Nothing but the kind and the simulation count: the planner's generator is reseeded every episode.
    public func checkpoint() throws -> Data { Data("{\"student\":\"mcts\",\"simulations\":\(agent.simulations)}".utf8) }

    /// - Throws: ``CheckpointError/mismatch(kind:reason:)`` for another student's checkpoint.
    public func restore(from data: Data) throws {
        try CheckpointCoder.require(String(decoding: data, as: UTF8.self), equals: String(decoding: try checkpoint(), as: UTF8.self),
                                    "the student", kind: "mcts")
    }
}
