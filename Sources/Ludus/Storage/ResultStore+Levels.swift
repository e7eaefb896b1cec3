import Foundation
import GRDB

extension ResultStore {
    /// `teach_level`: every level a teach run played through a level teacher (hash, JSON,
    /// the parent it was mutated from, the first episode that played it); `teach_decision`:
    /// one row per such training episode (the level's hash, new / replay / mutation, the
    /// score given, the parent, what the buffer did with it, what it evicted, the buffer
    /// size after). Together they replay and explain a curriculum.
    static func registerLevelTables(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v20-teach-level-decisions") { db in
            try db.create(table: "teach_level") { t in
                t.column("run_id", .integer).notNull().references("teach_run")
                t.column("hash", .text).notNull()
                t.column("level", .text).notNull()
                t.column("parent", .text)
                t.column("first_episode", .integer).notNull()
                t.primaryKey(["run_id", "hash"])
            }
            try db.create(table: "teach_decision") { t in
                t.column("run_id", .integer).notNull().references("teach_run")
                t.column("episode", .integer).notNull()
                t.column("hash", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("score", .double).notNull()
                t.column("parent", .text)
                t.column("insertion", .text).notNull()
                t.column("evicted", .text)
                t.column("buffer_size", .integer).notNull()
                t.primaryKey(["run_id", "episode"])
            }
        }
    }

    /// The decisions of a run in episode order: (episode, hash, kind, score, parent, insertion).
    public func levelDecisions(run: Int64) throws -> [(episode: Int, hash: String, kind: String, score: Double, parent: String?, insertion: String)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT episode, hash, kind, score, parent, insertion FROM teach_decision WHERE run_id = ? ORDER BY episode",
                             arguments: [run]).map { ($0["episode"], $0["hash"], $0["kind"], $0["score"], $0["parent"], $0["insertion"]) }
        }
    }

    /// The JSON of a level a run played, by hash.
    public func level(run: Int64, hash: String) throws -> String? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT level FROM teach_level WHERE run_id = ? AND hash = ?", arguments: [run, hash])
        }
    }
}

extension ResultBatch {
    /// A level teacher's decision on training episode `episode`, and the level itself the first time it is seen.
    public func teachDecision(run: Int64, episode: Int, _ decision: LevelDecision) {
        add("INSERT OR IGNORE INTO teach_level (run_id, hash, level, parent, first_episode) VALUES (?, ?, ?, ?, ?)",
            [run, decision.level.hash, decision.level.json, decision.parent, episode])
        add("""
            INSERT INTO teach_decision (run_id, episode, hash, kind, score, parent, insertion, evicted, buffer_size)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [run, episode, decision.level.hash, decision.kind.rawValue, decision.score.isFinite ? decision.score : 0, decision.parent,
                  decision.insertion, decision.evicted, decision.bufferSize])
    }
}
