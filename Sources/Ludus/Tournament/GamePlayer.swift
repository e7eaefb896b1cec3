import LudusLua

/// Turns one tournament game, played by the episode driver, into a record: a win,
/// a draw, a forfeit (an agent crashed, hung, garbled or played an illegal move) or
/// an environment error (kept, but excluded from ratings).
enum GamePlayer {
    static func play(index: Int, seats: [Int], agents: [any Agent], driver: EpisodeDriver,
                     params: [String: Value], seed: UInt64, tournament: Int64) -> GameRecord {
        let spec = driver.environment.spec
        let gameSeed = SeedStreams(root: seed).seed(.episode, index)
        var record = GameRecord(tournamentID: tournament, gameIndex: index, seed: String(gameSeed),
                                seats: JSON.encode(.array(seats.map { .int(Int64($0)) })),
                                returns: JSON.encode(.array(Array(repeating: Value.number(0), count: spec.players))),
                                length: 0, outcome: "error", forfeitSeat: nil, reason: nil, trajectoryHash: TrajectoryHash().hex)
        do {
            let result = try driver.play(episode: index, seed: gameSeed, params: params, agents: seats.map { agents[$0] })
            record.returns = JSON.encode(.array(result.returns.map { .number($0) }))
            record.length = result.length
            record.outcome = result.outcome.label(roles: spec.roles)
            record.trajectoryHash = result.trajectoryHash
            if case .forfeit(let player, let reason) = result.outcome {
                record.forfeitSeat = player
                record.reason = reason
            }
        } catch {
            record.reason = "\(error.kind): \(error)"
        }
        return record
    }
}
