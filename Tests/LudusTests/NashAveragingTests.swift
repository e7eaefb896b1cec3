import Testing
import Ludus

@Suite struct NashAveragingTests {
    @Test func rockPaperScissorsIsUniformAndEveryoneScoresZero() {
        let rps: [[Double]] = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
        let result = NashAveraging().solve(rps)
        for p in result.mixture { #expect(abs(p - 1.0 / 3) < 0.01, "\(result.mixture)") }
        for v in result.values { #expect(abs(v) < 0.01, "\(result.values)") }
    }

    /// The Kuhn poker field of `ludus tournament --agents random,mcts:200,cfr:5000 --games 2000`:
    /// the search agent out-scores the equilibrium over the field by exploiting random, but
    /// loses to it head to head; against the Nash mixture the equilibrium ranks first.
    @Test func anEquilibriumRanksFirstThoughAnExploiterHasTheHigherFieldMean() {
        let kuhn: [[Double]] = [[0, -0.332, -0.1265], [0.332, 0, -0.009], [0.1265, 0.009, 0]]  // random, mcts, cfr
        let field = kuhn.map { $0.reduce(0, +) / 2 }
        #expect(field[1] > field[2], "mcts leads by the plain mean")
        let result = NashAveraging().solve(kuhn)
        #expect(result.mixture[2] > 0.99, "\(result.mixture)")
        #expect(result.values[2] > result.values[1] && result.values[1] > result.values[0], "\(result.values)")
        #expect(abs(result.values[1] + 0.009) < 1e-3 && abs(result.values[0] + 0.1265) < 1e-3)
    }

    /// Adding copies of a weak agent changes no one's Nash-averaged value (it does change plain means).
    @Test func repeatedWeakAgentsDoNotMoveTheRanking() {
        let base: [[Double]] = [[0, 0.6, -0.2], [-0.6, 0, 0.4], [0.2, -0.4, 0]]
        var padded = base.map { $0 + [0.9, 0.9] }
        padded.append([-0.9, -0.9, -0.9, 0, 0])
        padded.append([-0.9, -0.9, -0.9, 0, 0])
        let a = NashAveraging().solve(base)
        let b = NashAveraging().solve(padded)
        for i in 0..<3 { #expect(abs(a.values[i] - b.values[i]) < 0.01, "\(a.values) vs \(b.values)") }
        #expect(b.mixture[3] < 0.01 && b.mixture[4] < 0.01)
    }
}
