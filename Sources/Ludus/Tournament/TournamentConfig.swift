import Foundation
import LudusLua

/// Everything that defines a tournament: the same config (and seed) plays the same
/// games with the same results, whatever the number of workers.
public struct TournamentConfig: Codable, Hashable, Sendable {
    public var environment: String
    /// In a config file: several environments, each played as its own tournament with the
    /// same agents and settings (and rated separately). Overrides `environment`.
    public var environments: [String]?
    /// Agent specs (`random`, `mcts:200`, `lua:PATH`, `exec:COMMAND`).
    public var agents: [String]
    /// Games per pair of agents (seats alternate); in a Swiss tournament, per pairing and round.
    public var gamesPerPair: Int
    /// `round-robin` (every pair meets) or `swiss` (``SwissSchedule``).
    public var format: Format
    /// Swiss rounds (default ceil(log2 agents) + 1); ignored by round robin.
    public var rounds: Int?
    public var seed: UInt64
    /// Parameters given as `name=value`.
    public var params: [String]
    /// Per-move time limit of external agents.
    public var moveMilliseconds: Int
    /// Environment VM limits.
    public var memoryMiB: Int
    public var callMilliseconds: Int

    public enum Format: String, Codable, Hashable, Sendable, CaseIterable {
        case roundRobin = "round-robin"
        case swiss
    }

    public init(environment: String, agents: [String], gamesPerPair: Int, seed: UInt64, params: [String] = [],
                moveMilliseconds: Int = 5000, memoryMiB: Int = 256, callMilliseconds: Int = 1000,
                format: Format = .roundRobin, rounds: Int? = nil) {
        self.environment = environment
        environments = nil
        self.agents = agents
        self.gamesPerPair = gamesPerPair
        self.format = format
        self.rounds = rounds
        self.seed = seed
        self.params = params
        self.moveMilliseconds = moveMilliseconds
        self.memoryMiB = memoryMiB
        self.callMilliseconds = callMilliseconds
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case environment, environments, agents, gamesPerPair, seed, params, moveMilliseconds, memoryMiB, callMilliseconds
        case format = "schedule", rounds
    }

    /// Reads a config file: `agents` and one of `environment` / `environments` are required,
    /// everything else has the command line's defaults.
    public init(from decoder: Decoder) throws {
        // A misspelt key ("gamesperpair") must not be ignored: the run would silently use a default.
        let given = try decoder.container(keyedBy: AnyKey.self)
        let known = CodingKeys.allCases.map(\.rawValue)
        if let unknown = given.allKeys.first(where: { !known.contains($0.stringValue) }) {
            let close = known.first { $0.lowercased() == unknown.stringValue.lowercased().replacingOccurrences(of: "_", with: "") }
            throw DecodingError.dataCorrupted(.init(codingPath: [unknown], debugDescription:
                "unknown key \"\(unknown.stringValue)\"" + (close.map { " (did you mean \"\($0)\"?)" } ?? "") + "; known keys: \(known.joined(separator: ", "))"))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        environments = try c.decodeIfPresent([String].self, forKey: .environments)
        guard let first = try c.decodeIfPresent(String.self, forKey: .environment) ?? environments?.first else {
            throw DecodingError.keyNotFound(CodingKeys.environment, .init(codingPath: [], debugDescription: "give \"environment\" or \"environments\""))
        }
        environment = first
        agents = try c.decode([String].self, forKey: .agents)
        gamesPerPair = try c.decodeIfPresent(Int.self, forKey: .gamesPerPair) ?? 10
        guard gamesPerPair >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .gamesPerPair, in: c, debugDescription: "gamesPerPair must be at least 1")
        }
        format = try c.decodeIfPresent(Format.self, forKey: .format) ?? .roundRobin
        rounds = try c.decodeIfPresent(Int.self, forKey: .rounds)
        if let rounds, rounds < 1 {
            throw DecodingError.dataCorruptedError(forKey: .rounds, in: c, debugDescription: "rounds must be at least 1")
        }
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        params = try c.decodeIfPresent([String].self, forKey: .params) ?? []
        moveMilliseconds = try c.decodeIfPresent(Int.self, forKey: .moveMilliseconds) ?? 5000
        memoryMiB = try c.decodeIfPresent(Int.self, forKey: .memoryMiB) ?? 256
        callMilliseconds = try c.decodeIfPresent(Int.self, forKey: .callMilliseconds) ?? 1000
    }

    /// One config per environment of `environments` (or just this one).
    public var perEnvironment: [TournamentConfig] {
        guard let environments, !environments.isEmpty else { return [self] }
        return environments.map { name in
            var single = self
            single.environment = name
            single.environments = nil
            return single
        }
    }

    public var limits: LuaLimits { LuaLimits(memoryBytes: memoryMiB << 20, callMilliseconds: callMilliseconds) }

    /// Canonical JSON of the config: identifies a tournament for `--resume`.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The Swiss schedule of this config (meaningful when `format` is `.swiss`).
    public var swiss: SwissSchedule {
        SwissSchedule(agents: agents.count, rounds: rounds ?? SwissSchedule.defaultRounds(agents: agents.count),
                      gamesPerPair: gamesPerPair, seed: seed)
    }

    /// Games the tournament plays in all.
    public var plannedGames: Int {
        format == .swiss ? swiss.totalGames : agents.count * (agents.count - 1) / 2 * gamesPerPair
    }

    /// Round-robin: every pair of agents plays `gamesPerPair` games, seats alternating,
    /// interleaved so that a partial tournament is balanced. Game `i` has seed `derive(seed, i)`.
    public var roundRobinGames: [[Int]] {
        var pairs: [(Int, Int)] = []
        for i in 0..<agents.count { for j in (i + 1)..<max(i + 1, agents.count) { pairs.append((i, j)) } }
        var games: [[Int]] = []
        for round in 0..<max(0, gamesPerPair) {
            for (a, b) in pairs { games.append(round % 2 == 0 ? [a, b] : [b, a]) }
        }
        return games
    }
}
