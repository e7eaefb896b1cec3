import Foundation
import GRDB

/// Language-model transcripts (every request and completion, with hashes, for `--cache`
/// replays and debugging) and `ludus eval` runs with their episodes.
extension ResultStore {
    static func registerLLMTables(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("llm-v1") { db in
            try db.create(table: "llm_transcript") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run", .text).notNull()
                t.column("model", .text).notNull()
                t.column("settings", .text).notNull()
                t.column("request_hash", .text).notNull()
                t.column("request", .text).notNull()
                t.column("completion", .text)
                t.column("completion_hash", .text)
                t.column("latency_ms", .double).notNull()
                t.column("failure", .text)
                t.column("cached", .boolean).notNull()
                t.column("episode_seed", .text).notNull()
                t.column("player", .integer).notNull()
                t.column("step", .integer).notNull()
                t.column("tag", .text).notNull()
                t.column("created_at", .text).notNull()
            }
            try db.create(index: "llm_transcript_hash", on: "llm_transcript", columns: ["request_hash"])
            try db.create(table: "eval_run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("environment", .text).notNull()
                t.column("agent", .text).notNull()
                t.column("config", .text).notNull()
                t.column("planned", .integer).notNull()
                t.column("created_at", .text).notNull()
            }
            try db.create(table: "eval_episode") { t in
                t.column("run_id", .integer).notNull().references("eval_run")
                t.column("item", .integer).notNull()
                t.column("sample", .integer).notNull()
                t.column("seed", .text).notNull()
                t.column("params", .text).notNull()
                t.column("group_label", .text).notNull()
                t.column("return", .double).notNull()
                t.column("success", .boolean).notNull()
                t.column("length", .integer).notNull()
                t.column("outcome", .text).notNull()
                t.column("reason", .text)
                t.column("trajectory_hash", .text).notNull()
                t.primaryKey(["run_id", "item", "sample"])
            }
        }
    }

    /// Appends transcripts in one transaction.
    public func record(transcripts: [Transcript]) throws {
        guard !transcripts.isEmpty else { return }
        let now = ISO8601DateFormatter().string(from: Date())
        try database.write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO llm_transcript (run, model, settings, request_hash, request, completion, completion_hash, latency_ms,
                                            failure, cached, episode_seed, player, step, tag, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for t in transcripts {
                try insert.execute(arguments: [t.run, t.model, t.settings, t.requestHash, t.request, t.completion, t.completionHash,
                                               t.latency * 1000, t.failure, t.cached, String(t.episodeSeed), t.player, t.step, t.tag, now])
            }
        }
    }

    /// Every stored completion by request hash (the first stored wins): what `--cache` replays.
    public func storedCompletions() throws -> [String: String] {
        try database.read { db in
            var map: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT request_hash, completion FROM llm_transcript WHERE completion IS NOT NULL ORDER BY id") {
                let hash: String = row["request_hash"]
                if map[hash] == nil { map[hash] = row["completion"] }
            }
            return map
        }
    }

    /// The number of transcripts of a run (`eval 3`), and how many of them came from the cache.
    public func transcriptCount(run: String) throws -> (total: Int, cached: Int) {
        try database.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(cached), 0) AS c FROM llm_transcript WHERE run = ?", arguments: [run])!
            return (row["n"], row["c"])
        }
    }

    /// Starts an eval run; or, with `resume`, the latest run of this environment and configuration.
    public func evalRun(environment: String, agent: String, config: String, planned: Int, resume: Bool) throws -> (id: Int64, resumed: Bool) {
        try database.write { db in
            if resume, let id = try Int64.fetchOne(db, sql: "SELECT id FROM eval_run WHERE environment = ? AND config = ? ORDER BY id DESC LIMIT 1",
                                                   arguments: [environment, config]) {
                return (id, true)
            }
            try db.execute(sql: "INSERT INTO eval_run (environment, agent, config, planned, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [environment, agent, config, planned, ISO8601DateFormatter().string(from: Date())])
            return (db.lastInsertedRowID, false)
        }
    }

    /// Commits finished eval episodes (and any pending transcripts the caller flushed before).
    public func record(evalEpisodes: [EvalEpisode], run: Int64) throws {
        guard !evalEpisodes.isEmpty else { return }
        try database.write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO eval_episode (run_id, item, sample, seed, params, group_label, return, success, length, outcome, reason, trajectory_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, item, sample) DO NOTHING
                """)
            for e in evalEpisodes {
                try insert.execute(arguments: [run, e.item, e.sample, String(e.seed), e.params, e.group, e.return, e.success, e.length,
                                               e.outcome, e.reason, e.trajectoryHash])
            }
        }
    }

    /// The recorded episodes of an eval run, in (item, sample) order.
    public func evalEpisodes(run: Int64) throws -> [EvalEpisode] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM eval_episode WHERE run_id = ? ORDER BY item, sample", arguments: [run]).map { row in
                let seed: String = row["seed"]
                return EvalEpisode(item: row["item"], sample: row["sample"], seed: UInt64(seed) ?? 0, params: row["params"], group: row["group_label"],
                                   return: row["return"], success: row["success"], length: row["length"], outcome: row["outcome"],
                                   reason: row["reason"], trajectoryHash: row["trajectory_hash"])
            }
        }
    }
}
