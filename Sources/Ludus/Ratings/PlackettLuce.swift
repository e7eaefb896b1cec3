import LudusLua

/// One game's finishing order: the agents at the table and their places (0 is best;
/// agents that tie share a place).
public struct RankedResult: Hashable, Sendable {
    public var agents: [Int]
    public var places: [Int]

    public init(agents: [Int], places: [Int]) {
        precondition(agents.count == places.count)
        self.agents = agents
        self.places = places
    }
}

/// Plackett-Luce ratings on the Elo scale, fitted jointly over whole finishing orders by
/// maximum likelihood (Hunter's 2004 minorise-maximise iterations), the mean anchored at 1000.
///
/// A game of N seats is N-1 choices: the winner out of everyone, then the next out of the
/// rest, and so on; P(i chosen from R) = γ_i / Σ_{j∈R} γ_j, rating = 1000 + 400 log10 γ.
/// Agents that tie share their stage: each gets 1/k of the choice (a likelihood term
/// (Π γ_i)^{1/k} / Σ_R γ), so a two-seat draw counts half a win each and on two-seat games
/// the fit is exactly ``BradleyTerry``'s. Unlike rank-breaking into pairs, a 4-seat game
/// counts as one observation, not six correlated ones, so the intervals are not too narrow.
public struct PlackettLuce: Sendable {
    /// Virtual draws each agent plays against a rating-1000 reference (as in ``BradleyTerry``):
    /// keeps the fit finite for an agent that always or never wins.
    public var prior: Double = 0.01
    public var maxIterations = 10_000
    public var tolerance = 1e-10

    public init() {}

    /// Maximum-likelihood ratings, mean 1000.
    public func fit(players: Int, games: [RankedResult]) -> [Double] {
        guard players > 0 else { return [] }
        var stages = Stages(players: players)
        for game in games { stages.add(game, count: 1) }
        return fit(stages)
    }

    /// Ratings with bootstrap 95% intervals (games resampled with replacement, seeded; see ``RatingBootstrap``).
    public func fitWithIntervals(players: Int, games: [RankedResult], rounds: Int = 1000, seed: UInt64 = 0) -> [BradleyTerry.Rating] {
        let point = fit(players: players, games: games)
        return RatingBootstrap.intervals(players: players, games: games, point: point, rounds: rounds, seed: seed) { counted in
            var stages = Stages(players: players)
            for (game, count) in counted { stages.add(game, count: count) }
            return fit(stages)
        }
    }

    /// The choice stages of all games: who could be chosen, and each chosen agent's share.
    struct Stages {
        let players: Int
        /// Σ over stages of the agent's share of the choice (1, or 1/k in a k-way tie).
        var chosen: [Double]
        /// Each stage's members (agent indices) and its weight (the game's count).
        var members: [[Int]] = []
        var weights: [Double] = []

        init(players: Int) {
            self.players = players
            chosen = Array(repeating: 0, count: players)
        }

        mutating func add(_ game: RankedResult, count: Int) {
            let weight = Double(count)
            for place in Set(game.places).sorted() {
                let remaining = game.agents.indices.filter { game.places[$0] >= place }
                let group = game.agents.indices.filter { game.places[$0] == place }
                if remaining.count == group.count && group.count == 1 { break }  // the last agent left: no choice
                for seat in group { chosen[game.agents[seat]] += weight / Double(group.count) }
                members.append(remaining.map { game.agents[$0] })
                weights.append(weight)
            }
        }
    }

    private func fit(_ stages: Stages) -> [Double] {
        let players = stages.players
        let numerator = stages.chosen.map { $0 + prior * 0.5 }
        var strength = Array(repeating: 1.0, count: players)
        var denominator = Array(repeating: 0.0, count: players)
        for _ in 0..<maxIterations {
            for i in 0..<players { denominator[i] = prior / (strength[i] + 1) }  // the reference has strength 1
            for (stage, members) in stages.members.enumerated() {
                var total = 0.0
                for j in members { total += strength[j] }
                let share = stages.weights[stage] / total
                for j in members { denominator[j] += share }
            }
            var next = (0..<players).map { denominator[$0] > 0 ? numerator[$0] / denominator[$0] : strength[$0] }
            // Anchor the geometric mean at 1 (rating 1000) every iteration.
            let logMean = next.reduce(0) { $0 + log($1) } / Double(players)
            var change = 0.0
            for i in 0..<players {
                next[i] /= exp(logMean)
                change = max(change, abs(log(next[i]) - log(strength[i])))
            }
            strength = next
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
