import Foundation
import LudusLua

/// A tournament setting out of its bounds, naming the config key and the flag.
public struct TournamentConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

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
        gamesPerPair = try Self.integer(Int.self, .gamesPerPair, in: c, range: "\(Self.gamesPerPairRange)") ?? 10
        format = try c.decodeIfPresent(Format.self, forKey: .format) ?? .roundRobin
        rounds = try Self.integer(Int.self, .rounds, in: c, range: "\(Self.roundsRange)")
        seed = try Self.integer(UInt64.self, .seed, in: c, range: "0 to \(UInt64.max)") ?? 0
        params = try c.decodeIfPresent([String].self, forKey: .params) ?? []
        moveMilliseconds = try Self.integer(Int.self, .moveMilliseconds, in: c, range: "\(Self.moveMillisecondsRange)") ?? 5000
        memoryMiB = try Self.integer(Int.self, .memoryMiB, in: c, range: "\(Self.memoryMiBRange)") ?? 256
        callMilliseconds = try Self.integer(Int.self, .callMilliseconds, in: c, range: "\(Self.callMillisecondsRange)") ?? 1000
        if let problem = problem {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: problem))
        }
    }

    /// Decodes an integer key; a float, a negative number for an unsigned key or one out of
    /// range is an error naming the key and the range (never "not valid JSON").
    private static func integer<T: FixedWidthInteger & Decodable>(_ type: T.Type, _ key: CodingKeys,
                                                                  in c: KeyedDecodingContainer<CodingKeys>, range: String) throws -> T? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        if let value = try? c.decode(T.self, forKey: key) { return value }
        let shown = (try? c.decode(Double.self, forKey: key)).map { "\($0)" } ?? "a value that is not a number"
        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription:
            "\(key.rawValue) must be an integer from \(range), not \(shown)")
    }

    // MARK: Bounds (docs/tournaments.md): one check for flags and config files

    /// Per-move limit of external agents: 1 ms to 1 hour.
    public static let moveMillisecondsRange = 1...3_600_000
    /// Per-call budget of Lua VMs: 0 (no limit) to 1 hour.
    public static let callMillisecondsRange = 0...3_600_000
    /// Memory cap of each Lua VM: 1 MiB to 64 GiB.
    public static let memoryMiBRange = 1...65_536
    /// Games per pair (per pairing and round in Swiss): the schedule is built in memory.
    public static let gamesPerPairRange = 1...1_000_000
    /// Swiss rounds.
    public static let roundsRange = 1...10_000
    /// Agents of one tournament (each worker holds one of each).
    public static let agentsRange = 2...1_000
    /// Games one tournament may plan in all (the schedule holds one entry per game).
    public static let maxPlannedGames = 10_000_000

    /// Checks every setting against its bounds, naming the config key (and its flag).
    /// Called for configs built from flags and for config files alike, before anything runs.
    public func validate() throws(TournamentConfigError) {
        if let problem { throw TournamentConfigError(message: problem) }
    }

    /// The first setting out of bounds, described, or nil.
    public var problem: String? {
        do { try check() } catch { return error.message }
        return nil
    }

    private func check() throws(TournamentConfigError) {
        func check(_ value: Int, _ range: ClosedRange<Int>, _ key: String, _ flag: String) throws(TournamentConfigError) {
            guard range.contains(value) else {
                throw TournamentConfigError(message: "\(key) (\(flag)) must be from \(range.lowerBound) to \(range.upperBound), not \(value)")
            }
        }
        try check(moveMilliseconds, Self.moveMillisecondsRange, "moveMilliseconds", "--move-time")
        try check(callMilliseconds, Self.callMillisecondsRange, "callMilliseconds", "--time-limit")
        try check(memoryMiB, Self.memoryMiBRange, "memoryMiB", "--memory-limit")
        try check(gamesPerPair, Self.gamesPerPairRange, "gamesPerPair", "--games")
        if let rounds { try check(rounds, Self.roundsRange, "rounds", "--rounds") }
        try check(agents.count, Self.agentsRange, "the number of agents", "--agents")
        // Every factor is bounded above, so this product cannot overflow.
        let pairs = format == .swiss ? (rounds ?? SwissSchedule.defaultRounds(agents: agents.count)) * (agents.count / 2)
                                     : agents.count * (agents.count - 1) / 2
        let (planned, overflow) = pairs.multipliedReportingOverflow(by: gamesPerPair)
        guard !overflow, planned <= Self.maxPlannedGames else {
            throw TournamentConfigError(message: "gamesPerPair (--games) \(gamesPerPair) with \(agents.count) agents plans more than \(Self.maxPlannedGames) games in one tournament")
        }
    }

    /// Reads a config file's bytes; every failure is one line naming the file and the key.
    public static func decode(_ data: Data, file: String) throws(TournamentConfigError) -> TournamentConfig {
        do {
            return try JSONDecoder().decode(TournamentConfig.self, from: data)
        } catch let error as DecodingError {
            func path(_ context: DecodingError.Context) -> String {
                let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                return keys.isEmpty ? "" : "\(keys): "
            }
            switch error {
            case .dataCorrupted(let context) where context.codingPath.isEmpty
                && (context.underlyingError != nil || context.debugDescription.contains("not valid JSON")):
                let detail = context.underlyingError.map { " (\($0))" } ?? ""
                throw TournamentConfigError(message: "\(file): not valid JSON\(detail)")
            case .dataCorrupted(let context):
                throw TournamentConfigError(message: "\(file): \(path(context))\(context.debugDescription)")
            case .keyNotFound(let key, let context):
                throw TournamentConfigError(message: "\(file): missing key \"\(key.stringValue)\"" + (context.debugDescription.hasPrefix("give") ? " (\(context.debugDescription))" : ""))
            case .typeMismatch(let type, let context):
                throw TournamentConfigError(message: "\(file): \(path(context))expected \(type)")
            case .valueNotFound(let type, let context):
                throw TournamentConfigError(message: "\(file): \(path(context))expected \(type), found null")
            @unknown default:
                throw TournamentConfigError(message: "\(file): \(error)")
            }
        } catch {
            throw TournamentConfigError(message: "\(file): \(error)")
        }
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
        // LLM agents by model and settings, not address: a resumed tournament may use a moved server.
        var identity = self
        identity.agents = agents.map(LLMOptions.configIdentity)
        return String(decoding: (try? encoder.encode(identity)) ?? Data(), as: UTF8.self)
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
