import Foundation
import GRDB
import LudusLua

/// Every seat of every tournament game as its own row (`game_seat`): which agent sat there
/// and its return (chips in poker), for any number of seats. The `game` row keeps its JSON
/// `seats` and `returns` as before; this table is what SQL reports and payoff matrices read.
///
/// Migration `v7-game-seats` creates the table and fills it from the games already recorded,
/// so an older database opens and reports the same.
extension ResultStore {
    static func registerGameSeatTables(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-game-seats") { db in
            try db.create(table: "game_seat") { t in
                t.column("tournament_id", .integer).notNull().references("tournament")
                t.column("game_index", .integer).notNull()
                t.column("seat", .integer).notNull()  // 1-based
                t.column("agent", .integer).notNull()  // index into the tournament's agents
                t.column("return", .double).notNull()
                t.primaryKey(["tournament_id", "game_index", "seat"])
            }
            let rows = try Row.fetchCursor(db, sql: "SELECT tournament_id, game_index, seats, returns FROM game")
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO game_seat (tournament_id, game_index, seat, agent, return) VALUES (?, ?, ?, ?, ?)")
            while let row = try rows.next() {
                for seat in seatRows(seats: row["seats"], returns: row["returns"]) {
                    try insert.execute(arguments: [row["tournament_id"] as Int64, row["game_index"] as Int, seat.seat, seat.agent, seat.return])
                }
            }
        }
    }

    /// The seats of a game row: (seat 1-based, agent index, return); empty when malformed.
    static func seatRows(seats: String, returns: String) -> [(seat: Int, agent: Int, return: Double)] {
        guard let agents = (try? JSON.decode(seats))?.arrayValue?.compactMap(\.intValue),
              let values = (try? JSON.decode(returns))?.arrayValue?.compactMap(\.doubleValue),
              agents.count == values.count else { return [] }
        return agents.indices.map { (seat: $0 + 1, agent: agents[$0], return: values[$0]) }
    }

    /// Writes the `game_seat` rows of `games` (inside the caller's transaction).
    static func recordSeats(_ games: [GameRecord], in db: Database) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO game_seat (tournament_id, game_index, seat, agent, return) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tournament_id, game_index, seat) DO NOTHING
            """)
        for game in games {
            for seat in seatRows(seats: game.seats, returns: game.returns) {
                try insert.execute(arguments: [game.tournamentID, game.gameIndex, seat.seat, seat.agent, seat.return])
            }
        }
    }

    /// Every seat of a tournament's games, in game then seat order.
    public func gameSeats(_ tournament: Int64) throws -> [(gameIndex: Int, seat: Int, agent: Int, return: Double)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT game_index, seat, agent, return FROM game_seat WHERE tournament_id = ? ORDER BY game_index, seat",
                             arguments: [tournament]).map { (gameIndex: $0["game_index"], seat: $0["seat"], agent: $0["agent"], return: $0["return"]) }
        }
    }
}
