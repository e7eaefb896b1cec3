import LudusLua

/// Bradley-Terry ratings on the Elo scale: P(a beats b) = 1 / (1 + 10^((r_b - r_a)/400)),
/// fitted jointly over all games by maximum likelihood (Hunter's minorise-maximise
/// iterations), draws counting half a win to each side, the mean anchored at 1000.
public struct BradleyTerry: Sendable {
    /// Virtual draws each player plays against a rating-1000 reference: keeps the
    /// fit finite for unbeaten or winless players. Small enough not to move real fits.
    public var prior: Double = 0.01
    public var maxIterations = 10_000
    public var tolerance = 1e-10

    public init() {}

    public struct Rating: Hashable, Sendable {
        public var rating: Double
        public var low: Double
        public var high: Double
    }

    /// Maximum-likelihood ratings, mean 1000.
    public func fit(players: Int, games: [PairwiseResult]) -> [Double] {
        guard players > 0 else { return [] }
        var wins = Array(repeating: prior * 0.5, count: players)
        var pairCounts = Array(repeating: Array(repeating: 0.0, count: players), count: players)
        for game in games where game.first != game.second {
            wins[game.first] += game.score
            wins[game.second] += 1 - game.score
            pairCounts[game.first][game.second] += 1
            pairCounts[game.second][game.first] += 1
        }
        var strength = Array(repeating: 1.0, count: players)
        for _ in 0..<maxIterations {
            var next = strength
            var change = 0.0
            for i in 0..<players {
                var denominator = prior / (strength[i] + 1)  // the virtual reference player has strength 1
                for j in 0..<players where pairCounts[i][j] > 0 {
                    denominator += pairCounts[i][j] / (strength[i] + strength[j])
                }
                next[i] = denominator > 0 ? wins[i] / denominator : strength[i]
            }
            // Anchor the geometric mean at 1 (rating 1000) every iteration.
            let logMean = next.reduce(0) { $0 + log($1) } / Double(players)
            for i in 0..<players {
                next[i] /= exp(logMean)
                change = max(change, abs(log(next[i]) - log(strength[i])))
            }
            strength = next
            if change < tolerance { break }
        }
        return strength.map { 1000 + 400 * log10($0) }
    }

    /// Ratings with bootstrap 95% intervals (games resampled with replacement, seeded).
    public func fitWithIntervals(players: Int, games: [PairwiseResult], rounds: Int = 1000, seed: UInt64 = 0) -> [Rating] {
        let point = fit(players: players, games: games)
        guard !games.isEmpty, rounds > 0 else { return point.map { Rating(rating: $0, low: $0, high: $0) } }
        var generator = SeededGenerator(seed: seed)
        var samples = Array(repeating: [Double](), count: players)
        var resampled = games
        for _ in 0..<rounds {
            for i in 0..<games.count { resampled[i] = games[Int(generator.nextInt(0, Int64(games.count - 1)))] }
            for (i, r) in fit(players: players, games: resampled).enumerated() { samples[i].append(r) }
        }
        return (0..<players).map { i in
            let sorted = samples[i].sorted()
            return Rating(rating: point[i], low: quantile(sorted, 0.025), high: quantile(sorted, 0.975))
        }
    }

    func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position)
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
