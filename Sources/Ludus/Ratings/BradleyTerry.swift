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
        var tally = Tally(players: players)
        for game in games { tally.add(game, count: 1) }
        return fit(tally)
    }

    /// Ratings with bootstrap 95% intervals (games resampled with replacement, seeded; see ``RatingBootstrap``).
    public func fitWithIntervals(players: Int, games: [PairwiseResult], rounds: Int = 1000, seed: UInt64 = 0) -> [Rating] {
        let point = fit(players: players, games: games)
        return RatingBootstrap.intervals(players: players, games: games, point: point, rounds: rounds, seed: seed) { counted in
            var tally = Tally(players: players)
            for (game, count) in counted { tally.add(game, count: count) }
            return fit(tally)
        }
    }

    /// Wins (draws count half) and games per pair: all a fit needs.
    struct Tally {
        let players: Int
        var wins: [Double]
        var pairs: [Double]  // players x players, row-major

        init(players: Int) {
            self.players = players
            wins = Array(repeating: 0, count: players)
            pairs = Array(repeating: 0, count: players * players)
        }

        mutating func add(_ game: PairwiseResult, count: Int) {
            guard game.first != game.second else { return }
            let n = Double(count)
            wins[game.first] += game.score * n
            wins[game.second] += (1 - game.score) * n
            pairs[game.first * players + game.second] += n
            pairs[game.second * players + game.first] += n
        }
    }

    private func fit(_ tally: Tally) -> [Double] {
        let players = tally.players
        let wins = tally.wins.map { $0 + prior * 0.5 }
        var strength = Array(repeating: 1.0, count: players)
        var next = strength
        for _ in 0..<maxIterations {
            for i in 0..<players {
                var denominator = prior / (strength[i] + 1)  // the virtual reference player has strength 1
                for j in 0..<players {
                    let games = tally.pairs[i * players + j]
                    if games > 0 { denominator += games / (strength[i] + strength[j]) }
                }
                next[i] = denominator > 0 ? wins[i] / denominator : strength[i]
            }
            // Anchor the geometric mean at 1 (rating 1000) every iteration.
            let logMean = next.reduce(0) { $0 + log($1) } / Double(players)
            var change = 0.0
            for i in 0..<players {
                next[i] /= exp(logMean)
                change = max(change, abs(log(next[i]) - log(strength[i])))
            }
            swap(&strength, &next)
            if change < tolerance { break }
        }
        return strength.map { 1000 + 400 * log10($0) }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
