import LudusLua

/// Turns one tournament game, played by the episode driver, into a record: a win,
/// a draw, a forfeit (an agent crashed, hung, garbled or played an illegal move) or
/// an environment error (kept, but excluded from ratings).
enum GamePlayer {
    static func play(index: Int, seats: [Int], agents: [any Agent], driver: EpisodeDriver,
                     params: [String: Value], seed: UInt64, tournament: Int64) -> GameRecord {
        let spec = driver.environment.spec
        let gameSeed = SeedStreams(root: seed).seed(.episode, index)
        func record(returns: [Double], length: Int, outcome: String, trajectoryHash: String,
                    forfeitSeat: Int? = nil, reason: String? = nil) -> GameRecord {
            GameRecord(tournamentID: tournament, gameIndex: index, seed: String(gameSeed),
                       seats: JSON.encode(.array(seats.map { .int(Int64($0)) })),
                       returns: JSON.encode(.array(returns.map { .number($0) })),
                       length: length, outcome: outcome, forfeitSeat: forfeitSeat, reason: reason, trajectoryHash: trajectoryHash)
        }
        do {
            let result = try driver.play(episode: index, seed: gameSeed, params: params, agents: seats.map { agents[$0] })
            var forfeitSeat: Int?, reason: String?
            if case .forfeit(let player, let why) = result.outcome {
                forfeitSeat = player
                reason = why
            }
            return record(returns: result.returns, length: result.length, outcome: result.outcome.label(roles: spec.roles),
                          trajectoryHash: result.trajectoryHash, forfeitSeat: forfeitSeat, reason: reason)
        } catch {
            return record(returns: Array(repeating: 0, count: spec.players), length: 0, outcome: "error",
                          trajectoryHash: TrajectoryHash().hex, reason: "\(error.kind): \(error)")
        }
    }
}
