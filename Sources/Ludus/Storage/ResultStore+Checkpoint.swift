import Foundation
import GRDB

/// The loops that checkpoint to SQLite, with their tables: the run table, and the row
/// tables with the column that orders them (episode or round).
public enum CheckpointedLoop: String, Sendable, CaseIterable {
    case teach, selfplay, critic

    var runTable: String { "\(rawValue)_run" }

    /// (table, progress column) of every row table of the loop.
    var rowTables: [(table: String, column: String)] {
        switch self {
        case .teach: return [("teach_episode", "episode"), ("teach_eval", "episode"), ("teach_failure", "episode"),
                             ("teach_decision", "episode"), ("teach_level", "first_episode")]
        case .selfplay: return [("selfplay_episode", "episode"), ("selfplay_eval", "episode"), ("selfplay_failure", "episode")]
        case .critic: return [("critic_round", "round")]
        }
    }
}

/// A loop's checkpoint as stored: one row per run, replaced at each checkpoint.
public struct StoredCheckpoint: Sendable, Equatable {
    public var loop: CheckpointedLoop
    public var run: Int64
    /// Episodes (or rounds) done.
    public var progress: Int
    /// The loop's encoded checkpoint.
    public var state: Data
    /// Bytes of the run's JSONL log that belong to the checkpoint (nil: no log).
    public var logOffset: Int64?

    public init(loop: CheckpointedLoop, run: Int64, progress: Int, state: Data, logOffset: Int64? = nil) {
        self.loop = loop
        self.run = run
        self.progress = progress
        self.state = state
        self.logOffset = logOffset
    }
}

/// Rows reported since the last checkpoint, held until ``ResultStore/commit(_:checkpoint:)``
/// writes them in the checkpoint's transaction: the database never holds rows newer than
/// its checkpoint, nor a checkpoint without its rows.
public final class ResultBatch {
    var statements: [(sql: String, arguments: StatementArguments)] = []

    public init() {}

    public var isEmpty: Bool { statements.isEmpty }

    func add(_ sql: String, _ arguments: StatementArguments) { statements.append((sql, arguments)) }
}

extension ResultStore {
    static func registerCheckpointTables(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-checkpoint") { db in
            try db.create(table: "checkpoint") { t in
                t.column("loop", .text).notNull()
                t.column("run_id", .integer).notNull()
                t.column("progress", .integer).notNull()
                t.column("state", .blob).notNull()
                t.column("log_offset", .integer)
                t.column("saved_at", .text).notNull()
                t.primaryKey(["loop", "run_id"])
            }
            try db.create(table: "teach_failure") { t in
                t.column("run_id", .integer).notNull().references("teach_run")
                t.column("episode", .integer).notNull()
                /// The test task's index, NULL for a training episode.
                t.column("test_task", .integer)
                t.column("kind", .text).notNull()
                t.column("message", .text).notNull()
            }
            try db.create(table: "selfplay_failure") { t in
                t.column("run_id", .integer).notNull().references("selfplay_run")
                t.column("episode", .integer).notNull()
                t.column("opponent", .text).notNull()
                /// The evaluation game's index, NULL for a training episode.
                t.column("evaluation_game", .integer)
                t.column("kind", .text).notNull()
                t.column("message", .text).notNull()
            }
        }
    }

    /// Writes the batch's rows and replaces the run's checkpoint, in one transaction; empties the batch.
    public func commit(_ batch: ResultBatch, checkpoint: StoredCheckpoint?) throws {
        try database.write { db in
            for statement in batch.statements { try db.execute(sql: statement.sql, arguments: statement.arguments) }
            if let checkpoint {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO checkpoint (loop, run_id, progress, state, log_offset, saved_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [checkpoint.loop.rawValue, checkpoint.run, checkpoint.progress, checkpoint.state,
                                     checkpoint.logOffset, ISO8601DateFormatter().string(from: Date())])
            }
        }
        batch.statements.removeAll()
    }

    /// The run's checkpoint, if one was committed.
    public func checkpoint(_ loop: CheckpointedLoop, run: Int64) throws -> StoredCheckpoint? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM checkpoint WHERE loop = ? AND run_id = ?",
                                             arguments: [loop.rawValue, run]) else { return nil }
            return StoredCheckpoint(loop: loop, run: run, progress: row["progress"], state: row["state"], logOffset: row["log_offset"])
        }
    }

    /// The latest run of `loop` on `environment` started with exactly `config`, or nil.
    public func run(_ loop: CheckpointedLoop, environment: String, config: String) throws -> Int64? {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM \(loop.runTable) WHERE environment = ? AND config = ? ORDER BY id DESC LIMIT 1",
                               arguments: [environment, config])
        }
    }

    /// (id, environment, config) of the latest run of `loop`, for error messages.
    public func latestRun(_ loop: CheckpointedLoop) throws -> (id: Int64, environment: String, config: String)? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT id, environment, config FROM \(loop.runTable) ORDER BY id DESC LIMIT 1").map {
                ($0["id"], $0["environment"], $0["config"])
            }
        }
    }

    /// Deletes the run's rows after `progress` episodes (or rounds); with nil, all its rows and its checkpoint.
    public func rewind(_ loop: CheckpointedLoop, run: Int64, to progress: Int?) throws {
        try database.write { db in
            for (table, column) in loop.rowTables {
                try db.execute(sql: "DELETE FROM \(table) WHERE run_id = ? AND \(column) > ?", arguments: [run, progress ?? -1])
            }
            if progress == nil {
                try db.execute(sql: "DELETE FROM checkpoint WHERE loop = ? AND run_id = ?", arguments: [loop.rawValue, run])
            }
        }
    }
}

extension ResultBatch {
    /// A teach training episode (see ``ResultStore/recordEpisode(run:episode:params:return:normalized:success:length:seed:replay:learned:studentScore:)``).
    public func teachEpisode(run: Int64, episode: Int, params: String, return value: Double, normalized: Double, success: Bool, length: Int,
                             seed: UInt64?, replay: Bool, learned: Bool, studentScore: Double?) {
        add("""
            INSERT INTO teach_episode (run_id, episode, params, return, normalized_return, success, length, seed, replay, learned, student_score)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [run, episode, params, value, normalized, success, length, seed.map { String($0) }, replay, learned, studentScore])
    }

    public func teachEvaluation(run: Int64, episode: Int, mastered: Double, meanReturn: Double) {
        add("INSERT INTO teach_eval (run_id, episode, mastered, mean_return) VALUES (?, ?, ?, ?)", [run, episode, mastered, meanReturn])
    }

    /// A training episode (`testTask` nil) or test episode that could not be played.
    public func teachFailure(run: Int64, episode: Int, testTask: Int?, kind: String, message: String) {
        add("INSERT INTO teach_failure (run_id, episode, test_task, kind, message) VALUES (?, ?, ?, ?, ?)",
            [run, episode, testTask, kind, message])
    }

    public func selfPlayEpisode(run: Int64, episode: Int, opponent: String, seat: Int, return value: Double, length: Int) {
        add("INSERT INTO selfplay_episode (run_id, episode, opponent, seat, return, length) VALUES (?, ?, ?, ?, ?, ?)",
            [run, episode, opponent, seat, value, length])
    }

    public func selfPlayEvaluation(run: Int64, episode: Int, opponent: String, games: Int, wins: Int, draws: Int, losses: Int) {
        add("INSERT INTO selfplay_eval (run_id, episode, opponent, games, wins, draws, losses) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [run, episode, opponent, games, wins, draws, losses])
    }

    /// A training game (`evaluationGame` nil) or evaluation game that could not be played.
    public func selfPlayFailure(run: Int64, episode: Int, opponent: String, evaluationGame: Int?, kind: String, message: String) {
        add("INSERT INTO selfplay_failure (run_id, episode, opponent, evaluation_game, kind, message) VALUES (?, ?, ?, ?, ?, ?)",
            [run, episode, opponent, evaluationGame, kind, message])
    }

    /// One critic round's figures.
    public func criticRound(run: Int64, round: CriticRound) throws {
        let policy = String(decoding: try JSONEncoder().encode(round.generatorPolicy), as: UTF8.self)
        add("""
            INSERT INTO critic_round (run_id, round, accuracy_correct, accuracy_erroneous, accuracy_mean, accuracy_harmonic,
                                      deception_rate, generator_policy, games) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [run, round.round, round.accuracyOnCorrect, round.accuracyOnErroneous, round.meanAccuracy,
                  round.harmonicAccuracy, round.deceptionRate, policy, round.games])
    }
}
