import LudusLua

/// Bootstrap 95% intervals for a rating fit: the games resampled with replacement (seeded),
/// refitted `rounds` times, the 2.5% and 97.5% quantiles of each player's ratings.
///
/// A resample is kept as counts per distinct game, so each refit costs the number of
/// distinct results (pairs and outcomes, or finishing orders), not the number of games.
enum RatingBootstrap {
    /// - Parameter fit: ratings from distinct games with their counts in the resample.
    static func intervals<Game: Hashable>(
        players: Int, games: [Game], point: [Double], rounds: Int, seed: UInt64,
        fit: (_ counted: [(game: Game, count: Int)]) -> [Double]
    ) -> [BradleyTerry.Rating] {
        guard !games.isEmpty, rounds > 0 else { return point.map { .init(rating: $0, low: $0, high: $0) } }
        var distinct: [Game] = []
        var indexOf: [Game: Int] = [:]
        let kind = games.map { game in
            if let index = indexOf[game] { return index }
            indexOf[game] = distinct.count
            distinct.append(game)
            return distinct.count - 1
        }
        var generator = SeededGenerator(seed: seed)
        var samples = Array(repeating: [Double](), count: players)
        var counts = Array(repeating: 0, count: distinct.count)
        let last = Int64(games.count - 1)
        for _ in 0..<rounds {
            for i in counts.indices { counts[i] = 0 }
            for _ in 0..<games.count { counts[kind[Int(generator.nextInt(0, last))]] += 1 }
            let counted = counts.enumerated().filter { $0.element > 0 }.map { (game: distinct[$0.offset], count: $0.element) }
            for (i, r) in fit(counted).enumerated() { samples[i].append(r) }
        }
        return (0..<players).map { i in
            let sorted = samples[i].sorted()
            return .init(rating: point[i], low: quantile(sorted, 0.025), high: quantile(sorted, 0.975))
        }
    }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position)
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
