import Foundation
import LudusLua

/// An external program as a student (`ludus teach --student exec:COMMAND`, `ludus selfplay
/// --student exec:...`): an ``ExternalAgent`` whose `start` messages say whether the episode
/// is for learning (`"learn": true`) or a held-out test (`false`: act greedily, change nothing).
/// It learns from the `step` messages it asks for (docs/agents-protocol.md).
///
/// Its state lives in the other process, so it cannot be checkpointed: `checkpoint()` records
/// only its kind, and restoring one (`--resume`) is refused with a clear error.
public final class ExternalStudent: Student {
    public let agent: ExternalAgent
    public var isLearning = true
    public var name: String { agent.name }

    public init(command: String, environment: EnvironmentSpec, moveMilliseconds: Int = 10_000) {
        agent = ExternalAgent(command: command, environment: environment, moveMilliseconds: moveMilliseconds)
    }

    public var needsObservationValue: Bool { true }

    public func beginEpisode(seed: UInt64, player: Int) {
        agent.startFields["learn"] = .bool(isLearning)
        agent.beginEpisode(seed: seed, player: player)
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        try agent.act(in: environment, legalActions: legalActions)
    }

    public func observe(_ step: Step, player: Int) { agent.observe(step, player: player) }
    public func endEpisode(return episodeReturn: Double) { agent.endEpisode(return: episodeReturn) }

    /// Asks the program to save itself (`{"type":"save","path":...}`, no answer expected).
    public func save(to path: String) throws { agent.notify(["type": "save", "path": .string(path)]) }

    public func load(from path: String) throws {
        throw CheckpointError.unsupported("an external student (\(name)) loads its own state; it cannot be given a file")
    }

    public func checkpoint() throws -> Data { Data("{\"student\":\"exec\"}".utf8) }

    public func restore(from data: Data) throws {
        throw CheckpointError.unsupported("an external student (\(name)) keeps its state in its own process: --resume cannot restore it; start the run again")
    }
}
