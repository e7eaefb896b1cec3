import Foundation
import GRDB

/// Which share of a tournament's schedule a database holds (`ludus tournament --shard`):
/// one row per sharded tournament, read by `ludus merge` to name a missing shard.
/// A serial run (and a merged database) has no rows here.
extension ResultStore {
    static func registerShardTables(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v-shard") { db in
            try db.create(table: "tournament_shard") { t in
                t.primaryKey("tournament_id", .integer).references("tournament")
                // Null for an explicit --games-range.
                t.column("shard_index", .integer)
                t.column("shard_count", .integer)
                t.column("first_game", .integer).notNull()
                t.column("end_game", .integer).notNull()
            }
        }
        migrator.registerMigration("v-shard-round") { db in
            // The Swiss round a share belongs to (`--round R`), null for a round-robin share.
            try db.alter(table: "tournament_shard") { t in t.add(column: "round", .integer) }
        }
    }

    /// A database's recorded share of a tournament.
    public struct ShardRecord: Hashable, Sendable {
        public var shard: Shard?
        public var games: Range<Int>
        /// The Swiss round of the share (`--round R`); `shard` then splits that round's games.
        public var round: Int?
    }

    /// Records the share of a tournament this database plays; a resumed shard must be the same share.
    public func recordShard(tournament: Int64, selection: ShardSelection, games: Range<Int>, round: Int? = nil) throws {
        try database.write { db in
            if let existing = try Self.shard(db, tournament: tournament) {
                guard existing.games == games, existing.round == round else {
                    let requested = ShardRecord(shard: selection.shard, games: games, round: round)
                    throw ShardStoreError.otherShard(recorded: existing.description, requested: requested.description)
                }
                return
            }
            try db.execute(sql: "INSERT INTO tournament_shard (tournament_id, shard_index, shard_count, first_game, end_game, round) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [tournament, selection.shard?.index, selection.shard?.count, games.lowerBound, games.upperBound, round])
        }
    }

    /// The recorded share of a tournament, or nil for a whole (serial or merged) tournament.
    public func shard(of tournament: Int64) throws -> ShardRecord? {
        try database.read { db in try Self.shard(db, tournament: tournament) }
    }

    static func shard(_ db: Database, tournament: Int64) throws -> ShardRecord? {
        guard try db.tableExists("tournament_shard"),
              let row = try Row.fetchOne(db, sql: "SELECT * FROM tournament_shard WHERE tournament_id = ?", arguments: [tournament]) else { return nil }
        let index: Int? = row["shard_index"], count: Int? = row["shard_count"]
        let shard = index.flatMap { index in count.flatMap { try? Shard(index: index, count: $0) } }
        // A database written before rounds has no `round` column: the row reads nil.
        return ShardRecord(shard: shard, games: (row["first_game"] as Int)..<(row["end_game"] as Int), round: row["round"])
    }
}

extension ResultStore.ShardRecord: CustomStringConvertible {
    public var description: String {
        (round.map { "round \($0) " } ?? "") + (shard.map { "shard \($0) " } ?? "") + "(games \(games.lowerBound)..<\(games.upperBound))"
    }
}

/// A shard database asked to hold another share of the same tournament.
public enum ShardStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    case otherShard(recorded: String, requested: String)

    public var description: String {
        switch self {
        case .otherShard(let recorded, let requested):
            return "this database holds \(recorded), not \(requested): give each shard its own --db"
        }
    }
}
