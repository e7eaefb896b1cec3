import Foundation
import GRDB

/// Teach sweeps (`ludus teach --teacher A --teacher B --seed 1,2,3`): one `teach_sweep` row per
/// sweep (its configuration, teachers and seeds included, and how many runs it plans), each
/// run's `teach_run` row naming its sweep and its place in it (`sweep_index`, teacher-major),
/// and `finished` once the run's last episode is committed. A sweep shard (`--shard K/N`)
/// records its share of the runs in `teach_sweep_shard`; a serial or merged database has none.
extension ResultStore {
    static func registerTeachSweepTables(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v-teach-sweep") { db in
            try db.create(table: "teach_sweep") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("environment", .text).notNull()
                t.column("config", .text).notNull()
                t.column("runs_planned", .integer).notNull()
                t.column("created_at", .text).notNull()
            }
            try db.create(table: "teach_sweep_shard") { t in
                t.primaryKey("sweep_id", .integer).references("teach_sweep")
                // Null for a share given as a range.
                t.column("shard_index", .integer)
                t.column("shard_count", .integer)
                t.column("first_run", .integer).notNull()
                t.column("end_run", .integer).notNull()
            }
            try db.alter(table: "teach_run") { t in
                t.add(column: "sweep_id", .integer).references("teach_sweep")
                t.add(column: "sweep_index", .integer)
                t.add(column: "finished", .boolean).notNull().defaults(to: false)
            }
        }
    }

    /// The latest sweep with this configuration, if any (what `--resume` continues).
    public func teachSweep(environment: String, config: String) throws -> Int64? {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM teach_sweep WHERE environment = ? AND config = ? ORDER BY id DESC LIMIT 1", arguments: [environment, config])
        }
    }

    /// Records a new sweep of `runs` runs; returns its id.
    public func startTeachSweep(environment: String, config: String, runs: Int) throws -> Int64 {
        try database.write { db in
            try db.execute(sql: "INSERT INTO teach_sweep (environment, config, runs_planned, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [environment, config, runs, ISO8601DateFormatter().string(from: Date())])
            return db.lastInsertedRowID
        }
    }

    /// A database's share of a sweep's runs.
    public struct SweepShardRecord: Hashable, Sendable, CustomStringConvertible {
        public var shard: Shard?
        public var runs: Range<Int>

        public var description: String { (shard.map { "shard \($0) " } ?? "") + "(runs \(runs.lowerBound)..<\(runs.upperBound))" }
    }

    /// Records the share of a sweep this database runs; a resumed shard must be the same share.
    public func recordSweepShard(sweep: Int64, selection: ShardSelection, runs: Range<Int>) throws {
        try database.write { db in
            if let existing = try Self.sweepShard(db, sweep: sweep) {
                guard existing.runs == runs else {
                    throw ShardStoreError.otherShard(recorded: existing.description, requested: SweepShardRecord(shard: selection.shard, runs: runs).description)
                }
                return
            }
            try db.execute(sql: "INSERT INTO teach_sweep_shard (sweep_id, shard_index, shard_count, first_run, end_run) VALUES (?, ?, ?, ?, ?)",
                           arguments: [sweep, selection.shard?.index, selection.shard?.count, runs.lowerBound, runs.upperBound])
        }
    }

    /// The recorded share of a sweep, or nil for a whole (serial or merged) sweep.
    public func sweepShard(of sweep: Int64) throws -> SweepShardRecord? {
        try database.read { db in try Self.sweepShard(db, sweep: sweep) }
    }

    static func sweepShard(_ db: Database, sweep: Int64) throws -> SweepShardRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM teach_sweep_shard WHERE sweep_id = ?", arguments: [sweep]) else { return nil }
        let index: Int? = row["shard_index"], count: Int? = row["shard_count"]
        let shard = index.flatMap { index in count.flatMap { try? Shard(index: index, count: $0) } }
        return SweepShardRecord(shard: shard, runs: (row["first_run"] as Int)..<(row["end_run"] as Int))
    }

    /// Run `index` of a sweep, if started: its id and whether it finished.
    public func sweepRun(sweep: Int64, index: Int) throws -> (id: Int64, finished: Bool)? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT id, finished FROM teach_run WHERE sweep_id = ? AND sweep_index = ? ORDER BY id DESC LIMIT 1",
                             arguments: [sweep, index]).map { ($0["id"], $0["finished"]) }
        }
    }

    /// Starts run `index` of a sweep; returns its id.
    public func startTeachRun(environment: String, teacher: String, student: String, config: String, sweep: Int64, index: Int) throws -> Int64 {
        try database.write { db in
            try db.execute(sql: "INSERT INTO teach_run (environment, teacher, student, config, created_at, sweep_id, sweep_index) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [environment, teacher, student, config, ISO8601DateFormatter().string(from: Date()), sweep, index])
            return db.lastInsertedRowID
        }
    }

    /// Marks a run whose last episode and checkpoint are committed.
    public func finishTeachRun(_ run: Int64) throws {
        try database.write { db in try db.execute(sql: "UPDATE teach_run SET finished = 1 WHERE id = ?", arguments: [run]) }
    }
}
