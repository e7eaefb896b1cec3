import Foundation
import LudusLua

/// Everything that defines a tournament: the same config (and seed) plays the same
/// games with the same results, whatever the number of workers.
public struct TournamentConfig: Codable, Hashable, Sendable {
    public var environment: String
    /// Agent specs (`random`, `mcts:200`, `lua:PATH`, `exec:COMMAND`).
    public var agents: [String]
    /// Games per pair of agents (seats alternate).
    public var gamesPerPair: Int
    public var seed: UInt64
    /// Parameters given as `name=value`.
    public var params: [String]
    /// Per-move time limit of external agents.
    public var moveMilliseconds: Int
    /// Environment VM limits.
    public var memoryMiB: Int
    public var callMilliseconds: Int

    public init(environment: String, agents: [String], gamesPerPair: Int, seed: UInt64, params: [String] = [],
                moveMilliseconds: Int = 5000, memoryMiB: Int = 256, callMilliseconds: Int = 1000) {
        self.environment = environment
        self.agents = agents
        self.gamesPerPair = gamesPerPair
        self.seed = seed
        self.params = params
        self.moveMilliseconds = moveMilliseconds
        self.memoryMiB = memoryMiB
        self.callMilliseconds = callMilliseconds
    }

    public var limits: LuaLimits { LuaLimits(memoryBytes: memoryMiB << 20, callMilliseconds: callMilliseconds) }

    /// Canonical JSON of the config: identifies a tournament for `--resume`.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Round-robin: every pair of agents plays `gamesPerPair` games, seats alternating,
    /// interleaved so that a partial tournament is balanced. Game `i` has seed `derive(seed, i)`.
    public var schedule: [[Int]] {
        var pairs: [(Int, Int)] = []
        for i in 0..<agents.count { for j in (i + 1)..<max(i + 1, agents.count) { pairs.append((i, j)) } }
        var games: [[Int]] = []
        for round in 0..<gamesPerPair {
            for (a, b) in pairs { games.append(round % 2 == 0 ? [a, b] : [b, a]) }
        }
        return games
    }
}
