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

    public func writeReset(episode: Int, seed: UInt64, params: [String: Value], observation: Value, info: Value) throws {
        line([
            "episode": .int(Int64(episode)), "step": 0, "seed": .string(String(seed)), "params": .table(params),
            "observation": observation, "info": info,
        ])
    }

    public func writeStep(episode: Int, step: Int, player: Int, action: Action, result: Step, observation: Value, info: Value) throws {
        line([
            "episode": .int(Int64(episode)), "step": .int(Int64(step)), "player": .int(Int64(player)),
            "action": action.luaValue, "observation": observation,
            "reward": result.rewards.count == 1 ? .number(result.reward) : .array(result.rewards.map { .number($0) }),
            "terminated": .bool(result.terminated), "truncated": .bool(result.truncated), "info": info,
        ])
        if buffer.utf8.count > 1 << 16 { try flush() }
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
