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
