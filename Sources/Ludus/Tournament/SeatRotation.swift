/// Round-robin schedules for games of any number of seats.
///
/// Every combination of `players` agents out of the tournament's (in lexicographic order)
/// meets `gamesPerPair` times; game r of a combination seats its agents rotated by r, so
/// with `gamesPerPair` a multiple of `players` every agent plays every seat equally often.
/// With two seats this is exactly ``TournamentConfig/roundRobinGames``: [a, b], then [b, a].
extension TournamentConfig {
    /// How many games a round robin of `players`-seat games plans (nil past ``maxPlannedGames``).
    public func plannedGames(players: Int) -> Int? {
        if format == .swiss { return swiss.totalGames }
        guard let combinations = Self.binomial(agents.count, players) else { return nil }
        let (planned, overflow) = combinations.multipliedReportingOverflow(by: gamesPerPair)
        return overflow || planned > Self.maxPlannedGames ? nil : planned
    }

    /// The seats (agent indices) of every round-robin game of `players` seats, in game-index order.
    public func roundRobinGames(players: Int) -> [[Int]] {
        guard players != 2 else { return roundRobinGames }
        var combinations: [[Int]] = []
        var current: [Int] = []
        func choose(from start: Int) {
            if current.count == players { combinations.append(current); return }
            guard start < agents.count else { return }
            for next in start..<agents.count where agents.count - next >= players - current.count {
                current.append(next)
                choose(from: next + 1)
                current.removeLast()
            }
        }
        choose(from: 0)
        var games: [[Int]] = []
        for round in 0..<max(0, gamesPerPair) {
            let shift = round % players
            for combination in combinations { games.append(Array(combination[shift...] + combination[..<shift])) }
        }
        return games
    }

    /// n choose k, or nil when it passes ``maxPlannedGames``.
    static func binomial(_ n: Int, _ k: Int) -> Int? {
        guard k >= 0, k <= n else { return 0 }
        var result = 1
        for i in 0..<min(k, n - k) {
            result = result * (n - i) / (i + 1)
            if result > maxPlannedGames { return nil }
        }
        return result
    }
}
