#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Weng-Lin Bayesian ratings with the Plackett-Luce model, as OpenSkill computes them:
/// each player is a Gaussian belief (mu, sigma) updated after every game; the
/// conservative skill `mu - 3 sigma` rises only as evidence accumulates. Like Elo it
/// is order-dependent, so Ludus applies games in game-index order.
public struct OpenSkill: Sendable {
    public struct Rating: Hashable, Sendable {
        public var mu: Double
        public var sigma: Double
        public init(mu: Double, sigma: Double) {
            self.mu = mu
            self.sigma = sigma
        }
        /// The conservative estimate OpenSkill ranks by.
        public var ordinal: Double { mu - 3 * sigma }
    }

    public var mu = 25.0
    public var sigma = 25.0 / 3
    public var beta = 25.0 / 6
    /// Added to every sigma before a game, so beliefs never freeze.
    public var tau = 25.0 / 300
    /// Floor of the variance shrink factor, so sigma stays positive.
    public var kappa = 1e-4

    public init() {}

    public var initial: Rating { Rating(mu: mu, sigma: sigma) }

    /// One game between teams; `ranks[i]` is team i's place (0 best, equal ranks draw).
    public func rate(_ teams: [[Rating]], ranks: [Int]) -> [[Rating]] {
        precondition(teams.count == ranks.count && teams.count >= 2)
        let players = teams.map { $0.map { Rating(mu: $0.mu, sigma: (($0.sigma * $0.sigma) + tau * tau).squareRoot()) } }
        let teamMu = players.map { $0.reduce(0) { $0 + $1.mu } }
        let teamVariance = players.map { $0.reduce(0) { $0 + $1.sigma * $1.sigma } }
        let c = teamVariance.reduce(0) { $0 + $1 + beta * beta }.squareRoot()
        let strength = teamMu.map { exp($0 / c) }
        let indices = teams.indices
        // For each team q: the strength of everyone placed at or below it, and how many share its place.
        let below = indices.map { q in indices.filter { ranks[$0] >= ranks[q] }.reduce(0) { $0 + strength[$1] } }
        let tied = indices.map { q in Double(indices.filter { ranks[$0] == ranks[q] }.count) }
        return indices.map { i in
            var omega = 0.0
            var delta = 0.0
            for q in indices where ranks[q] <= ranks[i] {
                let quotient = strength[i] / below[q]
                omega += (q == i ? 1 - quotient : -quotient) / tied[q]
                delta += quotient * (1 - quotient) / tied[q]
            }
            let gamma = teamVariance[i].squareRoot() / c
            let teamOmega = omega * teamVariance[i] / c
            let teamDelta = gamma * delta * teamVariance[i] / (c * c)
            return players[i].map { player in
                let share = player.sigma * player.sigma / teamVariance[i]
                return Rating(mu: player.mu + share * teamOmega,
                              sigma: player.sigma * max(1 - share * teamDelta, kappa).squareRoot())
            }
        }
    }

    /// Ratings after applying two-player games in order.
    public func ratings(players: Int, games: [PairwiseResult]) -> [Rating] {
        var ratings = Array(repeating: initial, count: players)
        for game in games {
            let ranks = game.score == 0.5 ? [0, 0] : (game.score > 0.5 ? [0, 1] : [1, 0])
            let updated = rate([[ratings[game.first]], [ratings[game.second]]], ranks: ranks)
            ratings[game.first] = updated[0][0]
            ratings[game.second] = updated[1][0]
        }
        return ratings
    }
}
