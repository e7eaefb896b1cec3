import Testing
import Ludus

@Suite struct PlackettLuceTests {
    /// 300 three-seat games among four agents drawn from Plackett-Luce with strengths
    /// (1, 2, 0.5, 1.5): each finishing order (best first) with its count.
    static let orders: [([Int], Int)] = [
        ([0, 1, 2], 22), ([0, 1, 3], 9), ([0, 2, 1], 2), ([0, 2, 3], 10), ([0, 3, 1], 6), ([0, 3, 2], 13),
        ([1, 0, 2], 36), ([1, 0, 3], 9), ([1, 2, 0], 14), ([1, 2, 3], 9), ([1, 3, 0], 15), ([1, 3, 2], 27),
        ([2, 0, 1], 3), ([2, 0, 3], 5), ([2, 1, 0], 8), ([2, 1, 3], 5), ([2, 3, 0], 13), ([2, 3, 1], 5),
        ([3, 0, 1], 4), ([3, 0, 2], 26), ([3, 1, 0], 22), ([3, 1, 2], 20), ([3, 2, 0], 10), ([3, 2, 1], 7),
    ]
    static let games = orders.flatMap { order, n in Array(repeating: RankedResult(agents: order, places: [0, 1, 2]), count: n) }
    /// The maximum of the same log-likelihood found by scipy.optimize.minimize (BFGS over log
    /// strengths, geometric mean 1), on the Elo scale: an independent fit of the same model.
    static let scipy = [973.1309, 1106.1271, 867.6987, 1053.0432]

    @Test func matchesAGeneralOptimiserOnThreeSeatGames() {
        var model = PlackettLuce()
        model.prior = 0
        let ratings = model.fit(players: 4, games: Self.games)
        for (mine, reference) in zip(ratings, Self.scipy) {
            #expect(abs(mine - reference) < 0.01, "\(ratings) vs \(Self.scipy)")
        }
        // The order of the true strengths (2 > 1.5 > 1 > 0.5) is recovered.
        #expect(ratings[1] > ratings[3] && ratings[3] > ratings[0] && ratings[0] > ratings[2])
    }

    /// On two-seat games (draws as shared places) the fit is Bradley-Terry's, exactly.
    @Test func equalsBradleyTerryOnTwoSeatGames() {
        let ranked = RatingsTests.games.map { game in
            RankedResult(agents: [game.first, game.second],
                         places: game.score == 0.5 ? [0, 0] : (game.score == 1 ? [0, 1] : [1, 0]))
        }
        let pl = PlackettLuce().fit(players: 4, games: ranked)
        let bt = BradleyTerry().fit(players: 4, games: RatingsTests.games)
        for (a, b) in zip(pl, bt) { #expect(abs(a - b) < 1e-6, "\(pl) vs \(bt)") }
    }

    @Test func bootstrapIntervalsContainThePointAndAreReproducible() {
        let fit = PlackettLuce().fitWithIntervals(players: 4, games: Self.games, rounds: 200, seed: 3)
        for rating in fit {
            #expect(rating.low < rating.rating && rating.rating < rating.high)
            #expect(rating.high - rating.low < 200)
        }
        #expect(fit == PlackettLuce().fitWithIntervals(players: 4, games: Self.games, rounds: 200, seed: 3))
        #expect(fit != PlackettLuce().fitWithIntervals(players: 4, games: Self.games, rounds: 200, seed: 4))
    }

    /// A game is one observation: the same finishing orders counted as rank-broken pairs
    /// (three per game) give narrower, overconfident Bradley-Terry intervals.
    @Test func wholeOrdersAreNotCountedAsIndependentPairs() {
        let pairs = Self.games.flatMap { game in
            [(0, 1), (0, 2), (1, 2)].map { PairwiseResult(first: game.agents[$0.0], second: game.agents[$0.1], score: 1) }
        }
        let pl = PlackettLuce().fitWithIntervals(players: 4, games: Self.games, rounds: 300, seed: 1)
        let bt = BradleyTerry().fitWithIntervals(players: 4, games: pairs, rounds: 300, seed: 1)
        let width = { (r: [BradleyTerry.Rating]) in r.map { $0.high - $0.low }.reduce(0, +) }
        #expect(width(pl) > width(bt), "\(width(pl)) vs \(width(bt))")
    }

    @Test func tiesShareTheirStage() {
        // Agent 0 and 1 always tie for first ahead of 2: equal ratings, both above 2.
        let games = Array(repeating: RankedResult(agents: [0, 1, 2], places: [0, 0, 1]), count: 20)
            + Array(repeating: RankedResult(agents: [2, 0, 1], places: [0, 1, 1]), count: 5)
        let ratings = PlackettLuce().fit(players: 3, games: games)
        #expect(abs(ratings[0] - ratings[1]) < 1e-6)
        #expect(ratings[0] > ratings[2])
    }
}
