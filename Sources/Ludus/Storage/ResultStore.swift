import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// Why a database cannot be used.
public enum ResultStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file is an SQLite database without Ludus's tables: it is left untouched.
    case foreign(path: String, tables: [String])
    /// Reading a database that does not exist.
    case missing(path: String)

    public var description: String {
        switch self {
        case .foreign(let path, let tables):
            let shown = tables.isEmpty ? "no tables" : "tables " + tables.prefix(8).joined(separator: ", ") + (tables.count > 8 ? ", ..." : "")
            return "\(path) is not a Ludus database (it has \(shown), not Ludus's tournament and grdb_migrations); it was left unchanged"
        case .missing(let path):
            return "no database at \(path)"
        }
    }
}

/// One played (or forfeited) game as stored.
public struct GameRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "game"
    public var tournamentID: Int64
    public var gameIndex: Int
    public var seed: String
    /// Agent index per seat, as JSON (`[2, 0]`).
    public var seats: String
    /// Return per seat, as JSON.
    public var returns: String
    public var length: Int
    /// `x wins`, `draw`, `forfeit`, `error`.
    public var outcome: String
    /// The seat (1-based) that forfeited, if any.
    public var forfeitSeat: Int?
    public var reason: String?
    public var trajectoryHash: String

    enum CodingKeys: String, CodingKey {
        case tournamentID = "tournament_id", gameIndex = "game_index", seed, seats, returns, length, outcome
        case forfeitSeat = "forfeit_seat", reason, trajectoryHash = "trajectory_hash"
    }
}

/// Ludus's results in SQLite (WAL): tournaments and their games (each committed as
/// it ends, so a crash loses at most the games in flight and `--resume` plays only the
/// rest), and generator/critic runs with their per-round figures.
public final class ResultStore: Sendable {
    let database: DatabaseQueue

    /// Opens (creating if needed) a Ludus database and brings its schema up to date.
    /// - Parameter readOnly: open for reading only (`ludus ratings`): nothing is created,
    ///   migrated or switched to WAL, and a database without Ludus's tables is refused.
    /// - Throws: ``ResultStoreError/foreign(path:tables:)`` for an SQLite database that is not
    ///   Ludus's (refused before anything in it is changed).
    public init(path: String, readOnly: Bool = false) throws {
        var configuration = Configuration()
        // Writes begin IMMEDIATE (GRDB 7 does so for write transactions) and wait up to the busy
        // timeout for it, so two processes on one file queue instead of failing with SQLITE_BUSY.
        configuration.busyMode = .timeout(30)
        if readOnly {
            guard FileManager.default.fileExists(atPath: path) else { throw ResultStoreError.missing(path: path) }
            configuration.readonly = true
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.refuseForeign(database, path: path, requireLudus: true)
            return
        }
        // `--db runs/new-folder/x.sqlite` should just work, as `--out` does.
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: path) {
            // Look before touching: a foreign database must not be switched to WAL or given tables.
            var look = Configuration()
            look.readonly = true
            look.busyMode = .timeout(30)
            let probe = try DatabaseQueue(path: path, configuration: look)
            try Self.refuseForeign(probe, path: path, requireLudus: false)
            try probe.close()
        }
        configuration.prepareDatabase { db in
            // Switching a new file to WAL needs it to itself, and SQLite answers SQLITE_BUSY at
            // once (no busy handler) while another process is doing the same: retry for a while.
            var attempt = 0
            while true {
                do {
                    try db.execute(sql: "PRAGMA journal_mode = WAL")
                    break
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && attempt < 300 {
                    attempt += 1
                    usleep(10_000)
                }
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrate(database)
    }

    /// Applies missing migrations. Two processes creating the same new database at once both
    /// find migrations to apply; each migration is an immediate transaction, so the second
    /// waits for the first's commit and then fails on a table that now exists: it then reads
    /// the applied migrations again and goes on from there.
    static func migrate(_ database: DatabaseQueue) throws {
        var attempt = 0
        while true {
            do {
                try migrator.migrate(database)
                return
            } catch let error as DatabaseError where attempt < 20 && (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
                || (error.resultCode == .SQLITE_ERROR && ["already exists", "duplicate column"].contains { (error.message ?? "").contains($0) })
                || (error.resultCode == .SQLITE_CONSTRAINT && (error.message ?? "").contains("grdb_migrations"))) {
                attempt += 1
                usleep(useconds_t(20_000 * attempt))
            }
        }
    }

    /// Throws unless the database is empty or has Ludus's migrations table (when `requireLudus`
    /// is false: it may be mid-creation by another process), or holds Ludus's tables.
    static func refuseForeign(_ database: DatabaseQueue, path: String, requireLudus: Bool) throws {
        let tables = try database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        if tables.isEmpty && !requireLudus { return }
        // Another process may be creating the schema right now: its migrations table comes first.
        guard tables.contains("grdb_migrations") && (tables.contains("tournament") || !requireLudus) else {
            throw ResultStoreError.foreign(path: path, tables: tables)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "tournament") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("environment", .text).notNull()
                t.column("agents", .text).notNull()
                t.column("config", .text).notNull()
                t.column("fingerprint", .text).notNull()
                t.column("games_planned", .integer).notNull()
                t.column("created_at", .text).notNull()
            }
            try db.create(table: "game") { t in
                t.column("tournament_id", .integer).notNull().references("tournament")
                t.column("game_index", .integer).notNull()
                t.column("seed", .text).notNull()
                t.column("seats", .text).notNull()
                t.column("returns", .text).notNull()
                t.column("length", .integer).notNull()
                t.column("outcome", .text).notNull()
                t.column("forfeit_seat", .integer)
                t.column("reason", .text)
                t.column("trajectory_hash", .text).notNull()
                t.primaryKey(["tournament_id", "game_index"])
            }
        }
        migrator.registerMigration("v2-critic") { db in
            try db.create(table: "critic_run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("environment", .text).notNull()
                t.column("config", .text).notNull()
                t.column("error_types", .text).notNull()
                t.column("created_at", .text).notNull()
            }
            try db.create(table: "critic_round") { t in
                t.column("run_id", .integer).notNull().references("critic_run")
                t.column("round", .integer).notNull()
                t.column("accuracy_correct", .double).notNull()
                t.column("accuracy_erroneous", .double).notNull()
                t.column("accuracy_mean", .double).notNull()
                t.column("accuracy_harmonic", .double).notNull()
                t.column("deception_rate", .double).notNull()
                t.column("generator_policy", .text).notNull()
                t.column("games", .integer).notNull()
                t.primaryKey(["run_id", "round"])
            }
        }
        migrator.registerMigration("v3-teach") { db in
            try db.create(table: "teach_run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("environment", .text).notNull()
                t.column("teacher", .text).notNull()
                t.column("student", .text).notNull()
                t.column("config", .text).notNull()
                t.column("created_at", .text).notNull()
            }
            try db.create(table: "teach_episode") { t in
                t.column("run_id", .integer).notNull().references("teach_run")
                t.column("episode", .integer).notNull()
                t.column("params", .text).notNull()
                t.column("return", .double).notNull()
                t.column("normalized_return", .double).notNull()
                t.column("success", .boolean).notNull()
                t.column("length", .integer).notNull()
                t.primaryKey(["run_id", "episode"])
            }
            try db.create(table: "teach_eval") { t in
                t.column("run_id", .integer).notNull().references("teach_run")
                t.column("episode", .integer).notNull()
                t.column("mastered", .double).notNull()
                t.column("mean_return", .double).notNull()
                t.primaryKey(["run_id", "episode"])
            }
        }
        migrator.registerMigration("v4-teach-levels") { db in
            // The seed each training episode played (text: UInt64), whether it was a
            // PLR replay, whether the student learned from it, and the student's score.
            try db.alter(table: "teach_episode") { t in
                t.add(column: "seed", .text)
                t.add(column: "replay", .boolean).notNull().defaults(to: false)
                t.add(column: "learned", .boolean).notNull().defaults(to: true)
                t.add(column: "student_score", .double)
            }
        }
        registerSelfPlayTables(&migrator)
        registerCheckpointTables(&migrator)
        registerLLMTables(&migrator)
        registerGameSeatTables(&migrator)
        registerLevelTables(&migrator)
        registerReportTables(&migrator)
        registerShardTables(&migrator)
        registerTeachSweepTables(&migrator)
        return migrator
    }

    /// Starts a teacher/student run; returns its id.
    public func startTeachRun(environment: String, teacher: String, student: String, config: String) throws -> Int64 {
        try database.write { db in
            try db.execute(sql: "INSERT INTO teach_run (environment, teacher, student, config, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [environment, teacher, student, config, ISO8601DateFormatter().string(from: Date())])
            return db.lastInsertedRowID
        }
    }

    /// One training episode of a teacher/student run (`seed` as decimal text; `replay`:
    /// a PLR replayed level; `learned`: false when the student only played it).
    public func recordEpisode(run: Int64, episode: Int, params: String, return value: Double, normalized: Double, success: Bool, length: Int,
                              seed: UInt64? = nil, replay: Bool = false, learned: Bool = true, studentScore: Double? = nil) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO teach_episode (run_id, episode, params, return, normalized_return, success, length, seed, replay, learned, student_score)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run, episode, params, value, normalized, success, length, seed.map { String($0) }, replay, learned, studentScore])
        }
    }

    public func recordEvaluation(run: Int64, episode: Int, mastered: Double, meanReturn: Double) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO teach_eval (run_id, episode, mastered, mean_return) VALUES (?, ?, ?, ?)",
                           arguments: [run, episode, mastered, meanReturn])
        }
    }

    /// (episode, mastered) rows of a teacher/student run.
    public func evaluations(run: Int64) throws -> [(episode: Int, mastered: Double)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT episode, mastered FROM teach_eval WHERE run_id = ? ORDER BY episode", arguments: [run])
                .map { (Int($0["episode"] as Int64), $0["mastered"] as Double) }
        }
    }

    /// Starts a generator/critic run; returns its id.
    public func startCriticRun(environment: String, config: String, errorTypes: [String]) throws -> Int64 {
        try database.write { db in
            let types = String(decoding: try JSONEncoder().encode(errorTypes), as: UTF8.self)
            try db.execute(sql: "INSERT INTO critic_run (environment, config, error_types, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [environment, config, types, ISO8601DateFormatter().string(from: Date())])
            return db.lastInsertedRowID
        }
    }

    /// Commits one round's figures.
    public func record(run: Int64, round: CriticRound) throws {
        let policy = String(decoding: try JSONEncoder().encode(round.generatorPolicy), as: UTF8.self)
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO critic_round (run_id, round, accuracy_correct, accuracy_erroneous, accuracy_mean, accuracy_harmonic,
                                          deception_rate, generator_policy, games) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run, round.round, round.accuracyOnCorrect, round.accuracyOnErroneous, round.meanAccuracy,
                                 round.harmonicAccuracy, round.deceptionRate, policy, round.games])
        }
    }

    /// The rounds of a critic run, in order.
    public func criticRounds(run: Int64) throws -> [CriticRound] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM critic_round WHERE run_id = ? ORDER BY round", arguments: [run]).map { row in
                let policy: String = row["generator_policy"]
                return CriticRound(round: row["round"], accuracyOnCorrect: row["accuracy_correct"], accuracyOnErroneous: row["accuracy_erroneous"],
                                   deceptionRate: row["deception_rate"],
                                   generatorPolicy: (try? JSONDecoder().decode([Double].self, from: Data(policy.utf8))) ?? [],
                                   games: row["games"])
            }
        }
    }

    public struct Tournament: Hashable, Sendable {
        public var id: Int64
        public var environment: String
        public var agents: [String]
        public var config: String
        public var gamesPlanned: Int
    }

    /// The tournament with this fingerprint (same environment, agents, games, seed), or a new one.
    public func tournament(environment: String, agents: [String], config: String, fingerprint: String, gamesPlanned: Int,
                           resume: Bool) throws -> (Tournament, resumed: Bool) {
        try database.write { db in
            if resume, let row = try Row.fetchOne(db, sql: "SELECT id FROM tournament WHERE fingerprint = ? ORDER BY id DESC LIMIT 1", arguments: [fingerprint]) {
                let id: Int64 = row["id"]
                return (Tournament(id: id, environment: environment, agents: agents, config: config, gamesPlanned: gamesPlanned), true)
            }
            let agentsJSON = String(decoding: try JSONEncoder().encode(agents), as: UTF8.self)
            try db.execute(sql: "INSERT INTO tournament (environment, agents, config, fingerprint, games_planned, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [environment, agentsJSON, config, fingerprint, gamesPlanned, ISO8601DateFormatter().string(from: Date())])
            return (Tournament(id: db.lastInsertedRowID, environment: environment, agents: agents, config: config, gamesPlanned: gamesPlanned), false)
        }
    }

    /// Game indices already recorded for a tournament.
    public func finishedGames(_ tournament: Int64) throws -> Set<Int> {
        try database.read { db in
            Set(try Int.fetchAll(db, sql: "SELECT game_index FROM game WHERE tournament_id = ?", arguments: [tournament]))
        }
    }

    /// Commits one game (its own transaction). Recording the same game twice is an error.
    public func record(_ game: GameRecord) throws {
        try database.write { db in
            try game.insert(db)
            try Self.recordSeats([game], in: db)
        }
    }

    /// Commits the games that ended since the last commit, in one transaction (group commit).
    /// A game another process already recorded (two `--resume` of one tournament at once play
    /// the same seeded games) keeps its first record; the others are still committed.
    public func record(_ games: [GameRecord]) throws {
        guard !games.isEmpty else { return }
        try database.write { db in
            // One cached statement with positional arguments: Codable record encoding
            // cost more than SQLite itself at tens of thousands of games a second.
            let insert = try db.cachedStatement(sql: """
                INSERT INTO game (tournament_id, game_index, seed, seats, returns, length, outcome, forfeit_seat, reason, trajectory_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tournament_id, game_index) DO NOTHING
                """)
            for game in games {
                try insert.execute(arguments: [game.tournamentID, game.gameIndex, game.seed, game.seats, game.returns, game.length,
                                               game.outcome, game.forfeitSeat, game.reason, game.trajectoryHash])
            }
            try Self.recordSeats(games, in: db)
        }
    }

    public func games(_ tournament: Int64) throws -> [GameRecord] {
        try database.read { db in
            try GameRecord.fetchAll(db, sql: "SELECT * FROM game WHERE tournament_id = ? ORDER BY game_index", arguments: [tournament])
        }
    }

    /// The most recent tournament, or the one with this id.
    public func latestTournament(id: Int64? = nil) throws -> Tournament? {
        try database.read { db in
            let row = id == nil
                ? try Row.fetchOne(db, sql: "SELECT * FROM tournament ORDER BY id DESC LIMIT 1")
                : try Row.fetchOne(db, sql: "SELECT * FROM tournament WHERE id = ?", arguments: [id])
            guard let row else { return nil }
            let agentsJSON: String = row["agents"]
            let agents = (try? JSONDecoder().decode([String].self, from: Data(agentsJSON.utf8))) ?? []
            return Tournament(id: row["id"], environment: row["environment"], agents: agents, config: row["config"], gamesPlanned: row["games_planned"])
        }
    }
}
