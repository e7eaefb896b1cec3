import GRDB

/// The tournament writer's path: finished games (values) to `game` and `game_seat` rows in
/// one transaction (group commit), with the rows ``record(_:)-([GameRecord])`` writes for the
/// same games, byte for byte (`TournamentFastPathTests`).
extension ResultStore {
    static let insertGameSQL = """
        INSERT INTO game (tournament_id, game_index, seed, seats, returns, length, outcome, forfeit_seat, reason, trajectory_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (tournament_id, game_index) DO NOTHING
        """
    static let insertSeatSQL = """
        INSERT INTO game_seat (tournament_id, game_index, seat, agent, return) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (tournament_id, game_index, seat) DO NOTHING
        """

    /// Commits `games` of `tournament` in one transaction. As with ``record(_:)-([GameRecord])``,
    /// a game another process already recorded keeps its first record.
    public func record(_ games: [FinishedGame], tournament: Int64, encoder: inout GameRowEncoder) throws {
        guard !games.isEmpty else { return }
        try database.write { db in
            let game = try RawInsert(db, sql: Self.insertGameSQL)
            let seat = try RawInsert(db, sql: Self.insertSeatSQL)
            for finished in games {
                game.bind(1, tournament)
                game.bind(2, finished.index)
                GameRowEncoder.withDecimal(finished.seed) { game.bind(3, utf8: $0) }
                game.bind(4, encoder.seatsJSON(finished.seats))
                game.bind(5, encoder.returnsJSON(finished.returns))
                game.bind(6, finished.length)
                game.bind(7, finished.outcome)
                game.bind(8, finished.forfeitSeat)
                game.bind(9, finished.reason)
                GameRowEncoder.withHex(finished.trajectoryHash) { game.bind(10, utf8: $0) }
                try game.step()
                // The old path parsed the two JSON lists back and wrote no seats when they disagreed.
                guard finished.seats.count == finished.returns.count else { continue }
                for i in finished.seats.indices {
                    seat.bind(1, tournament)
                    seat.bind(2, finished.index)
                    seat.bind(3, i + 1)
                    seat.bind(4, finished.seats[i])
                    seat.bind(5, GameRowEncoder.seatReturn(finished.returns[i]))
                    try seat.step()
                }
            }
        }
    }
}
