import Testing
import Ludus

@Suite struct RatingsTests {
    /// 400 games among four players, aggregated as (first, second, score, count).
    static let counts: [(Int, Int, Double, Int)] = [
        (0, 1, 0.0, 22), (0, 1, 0.5, 1), (0, 1, 1.0, 15), (0, 2, 0.0, 8), (0, 2, 0.5, 3), (0, 2, 1.0, 20),
        (0, 3, 0.0, 24), (0, 3, 0.5, 7), (0, 3, 1.0, 10), (1, 0, 0.0, 14), (1, 0, 0.5, 4), (1, 0, 1.0, 24),
        (1, 2, 0.0, 10), (1, 2, 0.5, 1), (1, 2, 1.0, 17), (1, 3, 0.0, 17), (1, 3, 0.5, 8), (1, 3, 1.0, 13),
        (2, 0, 0.0, 19), (2, 0, 0.5, 3), (2, 0, 1.0, 11), (2, 1, 0.0, 19), (2, 1, 0.5, 3), (2, 1, 1.0, 8),
        (2, 3, 0.0, 13), (2, 3, 0.5, 5), (2, 3, 1.0, 6), (3, 0, 0.0, 10), (3, 0, 0.5, 1), (3, 0, 1.0, 22),
        (3, 1, 0.0, 17), (3, 1, 0.5, 2), (3, 1, 1.0, 16), (3, 2, 0.0, 5), (3, 2, 0.5, 3), (3, 2, 1.0, 19),
    ]
    static let games = counts.flatMap { a, b, s, n in Array(repeating: PairwiseResult(first: a, second: b, score: s), count: n) }

    /// scikit-learn's LogisticRegression (no intercept, C = 1e12) on the same games, features
    /// e_first - e_second, draws as half a win and half a loss, coefficients scaled by 400/ln 10
    /// and centred at 1000 (computed with scikit-learn 1.x for this test).
    static let logisticRegression = [976.2037, 1045.4116, 903.4155, 1074.9693]

    @Test func bradleyTerryMatchesLogisticRegression() {
        let ratings = BradleyTerry().fit(players: 4, games: Self.games)
        for (mine, reference) in zip(ratings, Self.logisticRegression) {
            #expect(abs(mine - reference) < 0.05, "\(ratings) vs \(Self.logisticRegression)")
        }
        #expect(abs(ratings.reduce(0, +) / 4 - 1000) < 1e-9)
    }

    @Test func bootstrapIntervalsContainThePointAndAreReproducible() {
        let fit = BradleyTerry().fitWithIntervals(players: 4, games: Self.games, rounds: 200, seed: 1)
        for rating in fit {
            #expect(rating.low < rating.rating && rating.rating < rating.high)
            #expect(rating.high - rating.low < 150)
        }
        #expect(fit == BradleyTerry().fitWithIntervals(players: 4, games: Self.games, rounds: 200, seed: 1))
    }

    @Test func unbeatenPlayersStayFinite() {
        let games = Array(repeating: PairwiseResult(first: 0, second: 1, score: 1), count: 10)
        let ratings = BradleyTerry().fit(players: 2, games: games)
        #expect(ratings.allSatisfy { $0.isFinite })
        #expect(ratings[0] > ratings[1] + 400)
    }

    @Test func eloFollowsTheTextbookUpdate() {
        // Equal ratings, K = 32: the winner gains 16.
        let ratings = Elo(k: 32).ratings(players: 2, games: [PairwiseResult(first: 0, second: 1, score: 1)])
        #expect(ratings == [1016, 984])
        #expect(abs(Elo.expected(1200, against: 1000) - 0.7597469) < 1e-6)
    }

    /// The test vector of openskill's README (Plackett-Luce, two teams of two). It was
    /// computed without the per-game sigma inflation tau, so tau is 0 here.
    @Test func openSkillMatchesTheReferenceVector() {
        var model = OpenSkill()
        model.tau = 0
        let rated = model.rate([[.init(mu: 25, sigma: 8.3333), .init(mu: 32.444, sigma: 5.123)],
                                [.init(mu: 43.381, sigma: 2.421), .init(mu: 25.188, sigma: 6.211)]], ranks: [0, 1])
        let expected: [[(Double, Double)]] = [[(28.6696, 8.0715), (33.8309, 5.0628)], [(43.0713, 2.4167), (23.1495, 6.1379)]]
        for (team, players) in expected.enumerated() {
            for (player, (mu, sigma)) in players.enumerated() {
                #expect(abs(rated[team][player].mu - mu) < 1e-3 && abs(rated[team][player].sigma - sigma) < 1e-3,
                        "\(rated[team][player]) vs (\(mu), \(sigma))")
            }
        }
    }

    /// A sequence with a draw, against openskill 6.2.0's PlackettLuce (games applied in order).
    @Test func openSkillSequenceMatchesOpenskill() {
        let games = [PairwiseResult(first: 0, second: 1, score: 1), PairwiseResult(first: 1, second: 2, score: 0.5),
                     PairwiseResult(first: 2, second: 0, score: 1), PairwiseResult(first: 0, second: 1, score: 0)]
        let ratings = OpenSkill().ratings(players: 3, games: games)
        let expected = [(22.16454259791722, 7.576902078542769), (25.273949505371277, 7.585225849785843), (27.545507576169992, 7.808508269462119)]
        for (rating, (mu, sigma)) in zip(ratings, expected) {
            #expect(abs(rating.mu - mu) < 1e-9 && abs(rating.sigma - sigma) < 1e-9, "\(rating) vs (\(mu), \(sigma))")
        }
        let draw = OpenSkill().rate([[OpenSkill().initial], [OpenSkill().initial]], ranks: [0, 0])
        #expect(draw[0][0].mu == 25 && abs(draw[0][0].sigma - 8.06590141354368) < 1e-12)
    }
}
