import Foundation
import GRDB

/// `ludus merge`: shard databases (`ludus tournament --shard K/N`) combined into one that
/// is, row for row, the database of the serial run: the same tournament rows (ids from 1,
/// in the shards' order) and the same games with the same trajectory hashes. Ratings are
/// not stored; `ludus ratings` computes them over the merged games as for a serial run.
///
/// Each shard is attached to the output's SQLite connection and copied with SQL, by
/// column name, so tables and columns other features add come along: every table with a
/// `tournament_id` column is copied with the id mapped to the merged tournament, a row
/// whose key is already there must be identical (a repeated game is kept once), and
/// anything else is refused rather than dropped. Teach sweep shards (`ludus teach --shard`)
/// merge the same way, by run (``copySweeps(_:source:mainTables:shardTables:state:)``).
public enum ShardMerge {
    public struct Summary: Hashable, Sendable {
        public var tournaments: Int
        public var games: Int
        /// Rows present in more than one shard (identical, kept once).
        public var duplicates: Int
        /// Teach sweeps and their runs (``ShardMerge`` of `ludus teach --shard` databases).
        public var sweeps = 0
        public var runs = 0
        /// Runs present in more than one shard (identical, kept once).
        public var duplicateRuns = 0
    }

    /// Tables never copied: the schema's bookkeeping, the tournaments (copied first, with
    /// new ids) and the shard records (a merged database, like a serial one, has none).
    static let own: Set<String> = ["grdb_migrations", "tournament", "tournament_shard"]
    /// Logs appended without their row id (transcripts of LLM agents' requests).
    static let logs: Set<String> = ["llm_transcript"]

    /// Merges `shards` into a new database at `output`; on any failure nothing is left at `output`.
    /// - Parameter partial: allow games missing (one level of a merge tree; the last merge checks).
    @discardableResult
    public static func merge(_ shards: [String], into output: String, partial: Bool = false) throws -> Summary {
        guard !shards.isEmpty else { throw MergeError.noShards }
        guard !FileManager.default.fileExists(atPath: output) else { throw MergeError.outputExists(output) }
        let sources = try shards.map { try Source(path: $0) }
        for source in sources.dropFirst() where source.fingerprints != sources[0].fingerprints || source.sweeps.configs != sources[0].sweeps.configs {
            throw MergeError.differentConfigurations(first: sources[0].path, firstTournaments: sources[0].describe(against: source),
                                                     other: source.path, otherTournaments: source.describe(against: sources[0]))
        }
        do {
            return try write(sources, to: output, partial: partial)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: output + suffix) }
            throw error
        }
    }

    private static func write(_ sources: [Source], to output: String, partial: Bool) throws -> Summary {
        let store = try ResultStore(path: output)
        var summary = Summary(tournaments: sources[0].fingerprints.count, games: 0, duplicates: 0)
        var merged: [String: Int64] = [:]  // fingerprint -> merged tournament id
        var sweeps = SweepState()
        try store.database.writeWithoutTransaction { db in
            let mainTables = try tables(db, schema: "main")
            for source in sources {
                try db.execute(sql: "ATTACH DATABASE ? AS shard", arguments: [source.path])
                defer { try? db.execute(sql: "DETACH DATABASE shard") }
                try db.inTransaction {
                    let shardTables = try tables(db, schema: "shard")
                    try checkSweepTables(db, shardTables: shardTables, source: source.path)
                    for table in shardTables.keys where !own.contains(table) && !logs.contains(table) && !shardTables[table]!.contains("tournament_id")
                        && !isSweepTable(table, columns: shardTables[table]!) {
                        if try Int.fetchOne(db, sql: "SELECT count(*) FROM shard.\(quote(table))") ?? 0 > 0 {
                            throw MergeError.unsupportedTable(table: table, shard: source.path)
                        }
                    }
                    for fingerprint in source.fingerprints {
                        let ids = source.ids[fingerprint]!
                        let id = try merged[fingerprint] ?? copyTournament(db, from: ids[0], columns: mainTables["tournament"]!)
                        merged[fingerprint] = id
                        for (table, columns) in mainTables.sorted(by: { $0.key < $1.key }) where !own.contains(table) && columns.contains("tournament_id") {
                            guard let theirs = shardTables[table] else { continue }
                            let copied = try copyRows(db, table: table, columns: columns.filter(theirs.contains), key: try primaryKey(db, table),
                                                      from: ids, to: id, source: source, sources: sources)
                            if table == "game" { summary.duplicates += copied.duplicates }
                        }
                    }
                    try copySweeps(db, source: source, mainTables: mainTables, shardTables: shardTables, state: &sweeps)
                    for table in logs.sorted() {
                        guard let columns = mainTables[table], let theirs = shardTables[table] else { continue }
                        let list = columns.filter { theirs.contains($0) && $0 != "id" }.map(quote).joined(separator: ", ")
                        try db.execute(sql: "INSERT INTO main.\(quote(table)) (\(list)) SELECT \(list) FROM shard.\(quote(table)) ORDER BY rowid")
                    }
                    return .commit
                }
            }
            for (fingerprint, id) in merged where !partial {
                try checkCoverage(db, tournament: id, describing: sources[0].described[fingerprint]!, sources: sources, fingerprint: fingerprint)
            }
            for config in sweeps.merged.keys.sorted() where !partial {
                try checkSweepCoverage(db, config: config, state: sweeps, sources: sources)
            }
            summary.games = try Int.fetchOne(db, sql: "SELECT count(*) FROM game") ?? 0
            (summary.sweeps, summary.runs, summary.duplicateRuns) = (sweeps.merged.count, sweeps.runs, sweeps.duplicates)
        }
        return summary
    }

    /// Copies a tournament row (every column but its id) and returns its new id.
    private static func copyTournament(_ db: Database, from id: Int64, columns: [String]) throws -> Int64 {
        let list = columns.filter { $0 != "id" }.map(quote).joined(separator: ", ")
        try db.execute(sql: "INSERT INTO main.tournament (\(list)) SELECT \(list) FROM shard.tournament WHERE id = ?", arguments: [id])
        return db.lastInsertedRowID
    }

    /// Copies one tournament's rows of a table; a row whose key is already there must be identical.
    private static func copyRows(_ db: Database, table: String, columns: [String], key: [String], from ids: [Int64], to id: Int64,
                                 source: Source, sources: [Source]) throws -> (inserted: Int, duplicates: Int) {
        let name = quote(table)
        let within = "s.tournament_id IN (\(ids.map(String.init).joined(separator: ", ")))"
        let others = key.filter { $0 != "tournament_id" }
        if !others.isEmpty {
            let join = others.map { "m.\(quote($0)) = s.\(quote($0))" }.joined(separator: " AND ")
            let same = columns.filter { $0 != "tournament_id" }.map { "m.\(quote($0)) IS s.\(quote($0))" }.joined(separator: " AND ")
            let sql = "SELECT \(others.map { "s.\(quote($0))" }.joined(separator: ", ")) FROM shard.\(name) s JOIN main.\(name) m ON m.tournament_id = \(id) AND \(join) WHERE \(within) AND NOT (\(same)) LIMIT 1"
            if let row = try Row.fetchOne(db, sql: sql) {
                let values = others.map { "\(row[$0] as DatabaseValue)" }
                if table == "game", let index = row["game_index"] as Int? {
                    let theirs = try String.fetchOne(db, sql: "SELECT s.trajectory_hash FROM shard.game s WHERE \(within) AND s.game_index = ?", arguments: [index]) ?? "?"
                    let ours = try String.fetchOne(db, sql: "SELECT trajectory_hash FROM main.game WHERE tournament_id = ? AND game_index = ?", arguments: [id, index]) ?? "?"
                    let holder = try sources.first { try $0.hash(ofGame: index, in: source.fingerprint(of: ids[0])) == ours }?.path ?? "an earlier shard"
                    throw MergeError.conflictingGame(tournament: source.described[source.fingerprint(of: ids[0])] ?? "tournament", index: index,
                                                     first: holder, firstHash: ours, other: source.path, otherHash: theirs)
                }
                throw MergeError.conflictingRow(table: table, key: "(" + zip(others, values).map { "\($0)=\($1)" }.joined(separator: ", ") + ")",
                                                first: "an earlier shard", other: source.path)
            }
        }
        let list = columns.map(quote).joined(separator: ", ")
        let select = columns.map { $0 == "tournament_id" ? "\(id)" : "s.\(quote($0))" }.joined(separator: ", ")
        let order = key.isEmpty ? "s.rowid" : key.map { "s.\(quote($0))" }.joined(separator: ", ")
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM shard.\(name) s WHERE \(within)") ?? 0
        // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
        try db.execute(sql: "INSERT INTO main.\(name) (\(list)) SELECT \(select) FROM shard.\(name) s WHERE \(within) ORDER BY \(order) ON CONFLICT DO NOTHING")
        let inserted = db.changesCount
        return (inserted, total - inserted)
    }

    /// Fails naming the games (and the shards of them) that no shard holds.
    private static func checkCoverage(_ db: Database, tournament id: Int64, describing: String, sources: [Source], fingerprint: String) throws {
        let planned = try Int.fetchOne(db, sql: "SELECT games_planned FROM main.tournament WHERE id = ?", arguments: [id]) ?? 0
        var missing: [Range<Int>] = []
        var expected = 0
        for index in try Int.fetchAll(db, sql: "SELECT game_index FROM main.game WHERE tournament_id = ? ORDER BY game_index", arguments: [id]) {
            if index > expected { missing.append(expected..<min(index, planned)) }
            expected = max(expected, index + 1)
        }
        if expected < planned { missing.append(expected..<planned) }
        missing.removeAll { $0.isEmpty }
        guard !missing.isEmpty else { return }
        let records = sources.flatMap { $0.shards[fingerprint] ?? [] }
        var shards = names(of: missing, in: 0..<planned, counts: records.filter { $0.round == nil }, label: "")
        // A Swiss tournament sharded by round: name the rounds, and their shards, that lack games.
        if let config = try? JSONDecoder().decode(TournamentConfig.self, from: Data(fingerprint.utf8)), config.format == .swiss {
            let swiss = config.swiss
            for round in 0..<swiss.rounds {
                let slots = swiss.indices(ofRound: round)
                guard missing.contains(where: { $0.overlaps(slots) }) else { continue }
                let given = records.filter { $0.round == round }
                shards += given.isEmpty ? ["round \(round) (games \(slots.lowerBound)..<\(slots.upperBound))"]
                                        : names(of: missing, in: slots, counts: given, label: "round \(round) ")
            }
        }
        throw MergeError.missingGames(tournament: describing, ranges: missing, planned: planned, missingShards: shards)
    }

    /// The shards K/N (for each N recorded) of `slots` that hold some of the `missing` games.
    private static func names(of missing: [Range<Int>], in slots: Range<Int>, counts records: [ResultStore.ShardRecord], label: String) -> [String] {
        Set(records.compactMap { $0.shard?.count }).sorted().flatMap { count in
            (0..<count).compactMap { index -> String? in
                let shard = try! Shard(index: index, count: count)
                let range = shard.range(in: slots)
                return missing.contains { $0.overlaps(range) } ? "\(label)shard \(shard) (games \(range.lowerBound)..<\(range.upperBound))" : nil
            }
        }
    }

    /// Table name -> column names, in a schema.
    private static func tables(_ db: Database, schema: String) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for table in try String.fetchAll(db, sql: "SELECT name FROM \(schema).sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
            result[table] = try Row.fetchAll(db, sql: "PRAGMA \(schema).table_info(\(quote(table)))").map { $0["name"] }
        }
        return result
    }

    /// The primary key's columns of a table of the output, in key order (empty: rowid only).
    private static func primaryKey(_ db: Database, _ table: String) throws -> [String] {
        try Row.fetchAll(db, sql: "PRAGMA main.table_info(\(quote(table)))")
            .filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] }
    }

    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// One shard database: its tournaments grouped by config fingerprint, in order.
    struct Source {
        let path: String
        let store: ResultStore
        /// Distinct fingerprints in order of first appearance.
        var fingerprints: [String] = []
        var ids: [String: [Int64]] = [:]
        var described: [String: String] = [:]
        /// Shares recorded for each fingerprint's tournaments (to name missing shards).
        var shards: [String: [ResultStore.ShardRecord]] = [:]
        var sweeps: Sweeps

        init(path: String) throws {
            self.path = path
            store = try ResultStore(path: path, readOnly: true)
            let rows = try store.database.read { db in try Row.fetchAll(db, sql: "SELECT id, environment, agents, fingerprint FROM tournament ORDER BY id") }
            sweeps = try Sweeps(store)
            if rows.isEmpty && sweeps.configs.isEmpty {
                let runs = try store.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM teach_run") ?? 0 }
                throw runs > 0 ? MergeError.runsOutsideSweep(shard: path) : MergeError.empty(path)
            }
            for row in rows {
                let fingerprint: String = row["fingerprint"], id: Int64 = row["id"]
                if ids[fingerprint] == nil {
                    fingerprints.append(fingerprint)
                    described[fingerprint] = "tournament on \(row["environment"] as String) with \(row["agents"] as String)"
                }
                ids[fingerprint, default: []].append(id)
                if let record = try store.shard(of: id) { shards[fingerprint, default: []].append(record) }
            }
        }

        func fingerprint(of id: Int64) -> String { ids.first { $0.value.contains(id) }!.key }

        /// A game's trajectory hash in this shard, if it holds it.
        func hash(ofGame index: Int, in fingerprint: String) throws -> String? {
            guard let ids = ids[fingerprint] else { return nil }
            return try store.database.read { db in
                try String.fetchOne(db, sql: "SELECT trajectory_hash FROM game WHERE tournament_id IN (\(ids.map(String.init).joined(separator: ", "))) AND game_index = ? LIMIT 1",
                                    arguments: [index])
            }
        }

        /// Each tournament described, with the settings that differ from `other`'s first one.
        func describe(against other: Source) -> [String] {
            func describe(_ configs: [String], _ described: [String: String], against first: String?) -> [String] {
                configs.map { config in
                    let mine = Self.settings(config), theirs = first.map(Self.settings) ?? [:]
                    let differing = mine.keys.sorted().filter { mine[$0] != theirs[$0] }.map { "\($0)=\(mine[$0]!)" }
                    return described[config]! + (differing.isEmpty ? "" : " (" + differing.joined(separator: ", ") + ")")
                }
            }
            return describe(fingerprints, described, against: other.fingerprints.first)
                + describe(sweeps.configs, sweeps.described, against: other.sweeps.configs.first)
        }

        static func settings(_ fingerprint: String) -> [String: String] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(fingerprint.utf8)) as? [String: Any] else { return [:] }
            return object.mapValues { value in
                (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
            }
        }
    }
}
