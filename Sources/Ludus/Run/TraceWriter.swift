import Foundation
import LudusLua

/// Writes every step of every episode as one JSON object per line.
public final class TraceWriter {
    private let handle: FileHandle
    private var buffer = ""

    /// Creates (or truncates) the file.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    deinit { try? flush(); try? handle.close() }

    /// - Parameter views: extra fields of games with hidden information or chance (``views(of:)``).
    public func writeReset(episode: Int, seed: UInt64, params: [String: Value], observation: Value, info: Value,
                           views: [String: Value] = [:]) throws {
        line([
            "episode": .int(Int64(episode)), "step": 0, "seed": .string(String(seed)), "params": .table(params),
            "observation": observation, "info": info,
        ].merging(views) { a, _ in a })
    }

    public func writeStep(episode: Int, step: Int, player: Int, action: Action, result: Step, observation: Value, info: Value,
                          views: [String: Value] = [:]) throws {
        line([
            "episode": .int(Int64(episode)), "step": .int(Int64(step)), "player": .int(Int64(player)),
            "action": action.luaValue, "observation": observation,
            "reward": result.rewards.count == 1 ? .number(result.reward) : .array(result.rewards.map { .number($0) }),
            "terminated": .bool(result.terminated), "truncated": .bool(result.truncated), "info": info,
        ].merging(views) { a, _ in a })
        if buffer.utf8.count > 1 << 16 { try flush() }
    }

    /// What each seat sees in a game with hidden information or explicit chance, for traces:
    /// `observations` (one per player, `E.observe`), `information_states` (one per player),
    /// `to_move` (-1 at chance), `legal` and, at a chance node, `chance_outcomes` as
    /// `[action, probability]` pairs. Empty for perfect-information games (traces unchanged).
    public static func views(of environment: any Environment) throws -> [String: Value] {
        let spec = environment.spec
        guard spec.hasPrivateObservations || spec.hasExplicitChance || spec.hasInformationStates else { return [:] }
        var legal: [Int] = []
        let player = try environment.turn(legal: &legal)
        var views: [String: Value] = ["to_move": .int(Int64(player)), "legal": .array(legal.map { .int(Int64($0)) })]
        if player == Chance.player {
            views["chance_outcomes"] = .array(try environment.chanceOutcomes().map { .array([.int(Int64($0.action)), .number($0.probability)]) })
        }
        if spec.hasPrivateObservations {
            views["observations"] = .array(try (1...spec.players).map { try environment.observation(of: $0) })
        }
        if spec.hasInformationStates {
            views["information_states"] = .array(try (1...spec.players).map { .string(try environment.informationState(of: $0)) })
        }
        return views
    }

    private func line(_ fields: [String: Value]) {
        JSON.write(.table(fields), to: &buffer)
        buffer += "\n"
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }
}
