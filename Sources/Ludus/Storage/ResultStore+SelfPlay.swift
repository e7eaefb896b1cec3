import Foundation
import GRDB

/// Self-play training runs (`ludus selfplay`): the configuration, every episode and
/// every evaluation against the fixed opponents, committed as they happen.
extension ResultStore {
    static func registerSelfPlayTables(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-selfplay") { db in
            try db.create(table: "selfplay_run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("environment", .text).notNull()
                t.column("student", .text).notNull()
                t.column("config", .text).notNull()
                t.column("created_at", .text).notNull()
            }
            try db.create(table: "selfplay_episode") { t in
                t.column("run_id", .integer).notNull().references("selfplay_run")
                t.column("episode", .integer).notNull()
                t.column("opponent", .text).notNull()
                t.column("seat", .integer).notNull()
                t.column("return", .double).notNull()
                t.column("length", .integer).notNull()
                t.primaryKey(["run_id", "episode"])
            }
            try db.create(table: "selfplay_eval") { t in
                t.column("run_id", .integer).notNull().references("selfplay_run")
                t.column("episode", .integer).notNull()
                t.column("opponent", .text).notNull()
                t.column("games", .integer).notNull()
                t.column("wins", .integer).notNull()
                t.column("draws", .integer).notNull()
                t.column("losses", .integer).notNull()
                t.primaryKey(["run_id", "episode", "opponent"])
            }
        }
    }

    /// Starts a self-play run; returns its id.
    public func startSelfPlayRun(environment: String, student: String, config: String) throws -> Int64 {
        try database.write { db in
            try db.execute(sql: "INSERT INTO selfplay_run (environment, student, config, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [environment, student, config, ISO8601DateFormatter().string(from: Date())])
            return db.lastInsertedRowID
        }
    }

    public func recordSelfPlayEpisode(run: Int64, episode: Int, opponent: String, seat: Int, return value: Double, length: Int) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO selfplay_episode (run_id, episode, opponent, seat, return, length) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [run, episode, opponent, seat, value, length])
        }
    }

    public func recordSelfPlayEvaluation(run: Int64, episode: Int, opponent: String, games: Int, wins: Int, draws: Int, losses: Int) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO selfplay_eval (run_id, episode, opponent, games, wins, draws, losses) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [run, episode, opponent, games, wins, draws, losses])
        }
    }

    /// (episode, opponent, score) rows of a self-play run; wins count 1, draws 0.5.
    public func selfPlayEvaluations(run: Int64) throws -> [(episode: Int, opponent: String, score: Double)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM selfplay_eval WHERE run_id = ? ORDER BY episode, opponent", arguments: [run]).map { row in
                let games: Int = row["games"], wins: Int = row["wins"], draws: Int = row["draws"]
                return (row["episode"], row["opponent"], games == 0 ? 0 : (Double(wins) + 0.5 * Double(draws)) / Double(games))
            }
        }
    }
}
