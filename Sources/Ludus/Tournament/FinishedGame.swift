/// A tournament game as a worker hands it to the writer thread: the values the driver
/// produced, not yet text. The writer turns it into the `game` and `game_seat` rows
/// (``GameRowEncoder``) without the strings and JSON a ``GameRecord`` holds, so a game
/// costs the worker no formatting and the writer no parsing.
public struct FinishedGame: Sendable {
    public var index: Int
    public var seed: UInt64
    /// Agent index per seat (shared with the schedule: no copy per game).
    public var seats: [Int]
    /// Return per seat.
    public var returns: [Double]
    public var length: Int
    /// `x wins`, `draw`, `forfeit`, `error`.
    public var outcome: String
    public var forfeitSeat: Int?
    public var reason: String?
    public var trajectoryHash: UInt64

    /// The same game as the stored record (what ``ResultStore/record(_:)`` writes and
    /// `onGame` is handed): the text columns exactly as ``GameRowEncoder`` writes them.
    public func record(tournament: Int64, encoder: inout GameRowEncoder) -> GameRecord {
        GameRecord(tournamentID: tournament, gameIndex: index, seed: String(seed), seats: encoder.seatsJSON(seats),
                   returns: encoder.returnsJSON(returns), length: length, outcome: outcome, forfeitSeat: forfeitSeat,
                   reason: reason, trajectoryHash: GameRowEncoder.hex(trajectoryHash))
    }
}
