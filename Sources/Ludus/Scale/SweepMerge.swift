import Foundation
import GRDB

/// Teach sweep shards (`ludus teach --shard K/N`) in `ludus merge`: each sweep (by its
/// configuration) becomes one `teach_sweep` row, and run `i` of it gets the id the serial sweep
/// gives it (the runs of earlier sweeps, then `i + 1`), whatever the shards' order. A run's rows
/// in every `teach_*` table with a `run_id` column, and its checkpoint, are copied with the id
/// mapped; a run in two shards must have identical rows (kept once); an unfinished run (a
/// killed shard) is not copied, and the sweep is then missing it.
extension ShardMerge {
    /// The teach sweeps of one shard, grouped by configuration, in order.
    struct Sweeps {
        var configs: [String] = []
        var ids: [String: [Int64]] = [:]
        var described: [String: String] = [:]
        var shards: [String: [ResultStore.SweepShardRecord]] = [:]

        init(_ store: ResultStore) throws {
            try store.database.read { db in
                guard try db.tableExists("teach_sweep") else { return }
                for row in try Row.fetchAll(db, sql: "SELECT id, environment, config FROM teach_sweep ORDER BY id") {
                    let config: String = row["config"], id: Int64 = row["id"]
                    if ids[config] == nil {
                        configs.append(config)
                        described[config] = "teach sweep on \(row["environment"] as String)"
                    }
                    ids[config, default: []].append(id)
                    if let record = try ResultStore.sweepShard(db, sweep: id) { shards[config, default: []].append(record) }
                }
            }
        }
    }

    /// What the merge has written of the sweeps so far.
    struct SweepState {
        /// Configuration -> (merged sweep id, first run id less one).
        var merged: [String: (id: Int64, base: Int64)] = [:]
        var nextBase: Int64 = 0
        /// Merged run id -> the shard it was copied from.
        var holders: [Int64: String] = [:]
        /// (configuration, run index) -> shards holding the run unfinished.
        var unfinished: [String: [Int: [String]]] = [:]
        var runs = 0
        var duplicates = 0
    }

    /// Tables the sweep merge copies (or that belong to it), so not "unknown" to the tournament merge.
    static func isSweepTable(_ table: String, columns: [String]) -> Bool {
        ["teach_sweep", "teach_sweep_shard", "teach_run", "checkpoint"].contains(table) || (table.hasPrefix("teach_") && columns.contains("run_id"))
    }

    /// Refuses rows merge would drop: runs outside sweeps (databases from before them), other loops' checkpoints.
    static func checkSweepTables(_ db: Database, shardTables: [String: [String]], source: String) throws {
        if let columns = shardTables["teach_run"], try Int.fetchOne(db, sql: "SELECT count(*) FROM shard.teach_run") ?? 0 > 0 {
            let outside = columns.contains("sweep_id") ? try Int.fetchOne(db, sql: "SELECT count(*) FROM shard.teach_run WHERE sweep_id IS NULL") ?? 0 : 1
            if outside > 0 { throw MergeError.runsOutsideSweep(shard: source) }
        }
        if shardTables["checkpoint"] != nil, try Int.fetchOne(db, sql: "SELECT count(*) FROM shard.checkpoint WHERE loop != 'teach'") ?? 0 > 0 {
            throw MergeError.unsupportedTable(table: "checkpoint", shard: source)
        }
    }

    /// Copies the attached shard's finished runs of its sweeps.
    static func copySweeps(_ db: Database, source: Source, mainTables: [String: [String]], shardTables: [String: [String]], state: inout SweepState) throws {
        let runTables = mainTables.keys.sorted().filter { isSweepTable($0, columns: mainTables[$0]!) && mainTables[$0]!.contains("run_id") && !["teach_run", "checkpoint"].contains($0) }
        for config in source.sweeps.configs {
            let ids = source.sweeps.ids[config]!
            if state.merged[config] == nil {
                let columns = mainTables["teach_sweep"]!.filter { $0 != "id" }.map(quote).joined(separator: ", ")
                try db.execute(sql: "INSERT INTO main.teach_sweep (\(columns)) SELECT \(columns) FROM shard.teach_sweep WHERE id = ?", arguments: [ids[0]])
                let planned = try Int64.fetchOne(db, sql: "SELECT runs_planned FROM shard.teach_sweep WHERE id = ?", arguments: [ids[0]]) ?? 0
                state.merged[config] = (db.lastInsertedRowID, state.nextBase)
                state.nextBase += planned
            }
            let (sweep, base) = state.merged[config]!
            let runs = try Row.fetchAll(db, sql: "SELECT id, sweep_index, finished FROM shard.teach_run WHERE sweep_id IN (\(ids.map(String.init).joined(separator: ", "))) ORDER BY sweep_index, id",
                                        arguments: [])
            for row in runs {
                let run: Int64 = row["id"], index: Int = row["sweep_index"]
                guard row["finished"] as Bool else {
                    state.unfinished[config, default: [:]][index, default: []].append(source.path)
                    continue
                }
                let target = base + Int64(index) + 1
                if let holder = state.holders[target] {
                    if let table = try differingTable(db, run: run, target: target, tables: ["teach_run"] + runTables, mainTables: mainTables, shardTables: shardTables) {
                        throw MergeError.conflictingRun(sweep: source.sweeps.described[config]!, run: describe(run: index, of: config), table: table,
                                                        first: holder, other: source.path)
                    }
                    state.duplicates += 1
                    continue
                }
                let runColumns = mainTables["teach_run"]!.filter { shardTables["teach_run"]!.contains($0) && $0 != "id" && $0 != "sweep_id" }.map(quote)
                try db.execute(sql: "INSERT INTO main.teach_run (id, sweep_id, \(runColumns.joined(separator: ", "))) SELECT ?, ?, \(runColumns.joined(separator: ", ")) FROM shard.teach_run WHERE id = ?",
                               arguments: [target, sweep, run])
                for table in runTables + ["checkpoint"] {
                    guard let theirs = shardTables[table] else { continue }
                    let columns = mainTables[table]!.filter(theirs.contains)
                    let list = columns.map(quote).joined(separator: ", ")
                    let select = columns.map { $0 == "run_id" ? "\(target)" : quote($0) }.joined(separator: ", ")
                    let only = table == "checkpoint" ? " AND loop = 'teach'" : ""
                    try db.execute(sql: "INSERT INTO main.\(quote(table)) (\(list)) SELECT \(select) FROM shard.\(quote(table)) WHERE run_id = ?\(only) ORDER BY rowid",
                                   arguments: [run])
                }
                state.holders[target] = source.path
                state.runs += 1
            }
        }
    }

    /// The first table whose rows of a run differ between the merged copy and the shard (checkpoints' save times aside).
    private static func differingTable(_ db: Database, run: Int64, target: Int64, tables: [String], mainTables: [String: [String]],
                                       shardTables: [String: [String]]) throws -> String? {
        for table in tables {
            guard let theirs = shardTables[table] else { continue }
            let key = table == "teach_run" ? "id" : "run_id"
            let columns = mainTables[table]!.filter { theirs.contains($0) && !["id", "run_id", "sweep_id", "created_at"].contains($0) }.map(quote).joined(separator: ", ")
            let mine = "SELECT \(columns) FROM main.\(quote(table)) WHERE \(key) = \(target)", other = "SELECT \(columns) FROM shard.\(quote(table)) WHERE \(key) = \(run)"
            let differing = try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM (\(mine) EXCEPT \(other))) + (SELECT count(*) FROM (\(other) EXCEPT \(mine)))") ?? 0
            if differing > 0 { return table }
        }
        return nil
    }

    /// Fails naming the runs of a sweep that no shard holds finished.
    static func checkSweepCoverage(_ db: Database, config: String, state: SweepState, sources: [Source]) throws {
        let (sweep, _) = state.merged[config]!
        let planned = try Int.fetchOne(db, sql: "SELECT runs_planned FROM main.teach_sweep WHERE id = ?", arguments: [sweep]) ?? 0
        let present = Set(try Int.fetchAll(db, sql: "SELECT sweep_index FROM main.teach_run WHERE sweep_id = ?", arguments: [sweep]))
        let missing = (0..<planned).filter { !present.contains($0) }
        guard !missing.isEmpty else { return }
        let records = sources.flatMap { $0.sweeps.shards[config] ?? [] }
        let shards = Set(records.compactMap { $0.shard?.count }).sorted().flatMap { count in
            (0..<count).compactMap { index -> String? in
                let range = try! Shard(index: index, count: count).range(of: planned)
                return missing.contains(where: range.contains) ? "shard \(index)/\(count) (runs \(range.lowerBound)..<\(range.upperBound))" : nil
            }
        }
        let unfinished = missing.flatMap { index in (state.unfinished[config]?[index] ?? []).map { "run \(index) in \($0)" } }
        throw MergeError.missingRuns(sweep: sources.lazy.compactMap { $0.sweeps.described[config] }.first ?? "teach sweep", missing: missing.map { describe(run: $0, of: config) },
                                     planned: planned, unfinished: unfinished, missingShards: shards)
    }

    /// `run 2 (teacher alp-gmm, seed 1)`, read from the sweep's configuration.
    static func describe(run index: Int, of config: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any],
              let teachers = object["teachers"] as? [String], let seeds = object["seeds"] as? [NSNumber], !seeds.isEmpty,
              index / seeds.count < teachers.count else { return "run \(index)" }
        return "run \(index) (teacher \(teachers[index / seeds.count]), seed \(seeds[index % seeds.count]))"
    }
}
