import LudusLua

/// Turns one tournament game, played by the episode driver, into a finished game: a win,
/// a draw, a forfeit (an agent crashed, hung, garbled or played an illegal move) or
/// an environment error (kept, but excluded from ratings).
enum GamePlayer {
    static func play(index: Int, seats: [Int], agents: [any Agent], driver: EpisodeDriver,
                     params: [String: Value], seed: UInt64, labels: OutcomeLabels) -> FinishedGame {
        let gameSeed = SeedStreams(root: seed).seed(.episode, index)
        let seated = seats.map { agents[$0] }
        do {
            // begin/advance/end rather than play: the hash stays a number (the writer formats it).
            var progress = try driver.begin(episode: index, seed: gameSeed, params: params, agents: seated)
            try driver.advance(&progress, agents: seated)
            let outcome = try driver.end(progress, agents: seated)
            var forfeitSeat: Int?, reason: String?
            if case .forfeit(let player, let why) = outcome {
                forfeitSeat = player
                reason = why
            }
            return FinishedGame(index: index, seed: gameSeed, seats: seats, returns: progress.returns, length: progress.length,
                                outcome: labels.label(outcome), forfeitSeat: forfeitSeat, reason: reason, trajectoryHash: progress.hash.value)
        } catch {
            return FinishedGame(index: index, seed: gameSeed, seats: seats, returns: Array(repeating: 0, count: driver.environment.spec.players),
                                length: 0, outcome: "error", forfeitSeat: nil, reason: "\(error.kind): \(error)", trajectoryHash: TrajectoryHash().value)
        }
    }
}

/// ``Outcome/label(roles:)`` worked out once per worker for the wins (`x wins`), instead of
/// a string interpolation per game; other outcomes ask the outcome itself.
struct OutcomeLabels {
    private let roles: [String]
    private let wins: [String]

    init(roles: [String], players: Int) {
        self.roles = roles
        wins = (0...players).map { Outcome.win(player: $0).label(roles: roles) }
    }

    func label(_ outcome: Outcome) -> String {
        if case .win(let player) = outcome, wins.indices.contains(player) { return wins[player] }
        return outcome.label(roles: roles)
    }
}
