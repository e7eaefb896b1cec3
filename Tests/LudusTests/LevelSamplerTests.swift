import Foundation
import Testing
import Ludus
import LudusLua

/// jaxued `LevelSampler` semantics, checked against hand-computed weights.
@Suite struct LevelSamplerTests {
    static func level(_ i: Int) -> Level { Level(["layout": .string("level \(i)"), "max_steps": 10]) }

    /// A sampler holding levels 0..<n with these scores, inserted in order (timestamps 1...n).
    static func filled(_ scores: [Double], temperature: Double = 1, staleness: Double = 0, capacity: Int = 10) -> LevelSampler {
        var sampler = LevelSampler(capacity: capacity, replayProbability: 0.8, stalenessCoefficient: staleness,
                                   minimumFillRatio: 0, prioritization: .rank, temperature: temperature)
        for (i, s) in scores.enumerated() { _ = sampler.insert(level(i), score: s, return: 0) }
        return sampler
    }

    func expectClose(_ a: [Double], _ b: [Double], _ comment: Comment? = nil) {
        #expect(a.count == b.count, comment)
        for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-12, "\(a) vs \(b) \(comment?.description ?? "")") }
    }

    @Test func rankWeightsAreInverseRanks() {
        // Scores 0.5, 0.9, 0.1: ranks 2, 1, 3; h = 1/2, 1, 1/3; sum 11/6.
        expectClose(Self.filled([0.5, 0.9, 0.1]).scoreWeights, [3.0 / 11, 6.0 / 11, 2.0 / 11])
    }

    @Test func temperatureIsAPowerNotADivisor() {
        // beta = 0.5: h = (1/rank)^2 = 1/4, 1, 1/9; sum 49/36. Dividing by beta instead
        // (minimax #7) would leave the beta = 1 weights unchanged after normalising.
        expectClose(Self.filled([0.5, 0.9, 0.1], temperature: 0.5).scoreWeights, [9.0 / 49, 36.0 / 49, 4.0 / 49])
        // beta = 2: h = sqrt(1/rank).
        let h = [1 / 2.0.squareRoot(), 1, 1 / 3.0.squareRoot()]
        expectClose(Self.filled([0.5, 0.9, 0.1], temperature: 2).scoreWeights, h.map { $0 / h.reduce(0, +) })
    }

    @Test func oneLevelAndTiesNeverDivideByZero() {
        // Ranks start at 1: one level has weight 1, not 1/0 (minimax #7's 1/arange(n)).
        expectClose(Self.filled([0.0]).weights, [1])
        // Equal scores rank by slot: 1, 1/2, 1/3.
        expectClose(Self.filled([0.2, 0.2, 0.2]).scoreWeights, [6.0 / 11, 3.0 / 11, 2.0 / 11])
        // NaN scores rank last instead of poisoning the distribution.
        let w = Self.filled([.nan, 0.3]).scoreWeights
        expectClose(w, [1.0 / 3, 2.0 / 3])
    }

    @Test func stalenessMixesIn() {
        // Inserted at clock 1, 2, 3; clock now 3: staleness 2, 1, 0 -> P_C = 2/3, 1/3, 0.
        let sampler = Self.filled([0.5, 0.9, 0.1], staleness: 0.3)
        expectClose(sampler.stalenessWeights, [2.0 / 3, 1.0 / 3, 0])
        let ps = [3.0 / 11, 6.0 / 11, 2.0 / 11], pc = [2.0 / 3, 1.0 / 3, 0]
        expectClose(sampler.weights, zip(ps, pc).map { 0.7 * $0 + 0.3 * $1 })
        #expect(abs(sampler.weights.reduce(0, +) - 1) < 1e-12)
    }

    @Test func samplingStampsTheLevelAndTicksTheClock() {
        var sampler = Self.filled([0.5, 0.9, 0.1], staleness: 0.3)
        // Cumulative weights: slot 0 first; u just above its weight picks slot 1.
        let w = sampler.weights
        #expect(sampler.sample(0) == 0)
        #expect(sampler.episodeCount == 4 && sampler.entries[0].timestamp == 4)
        // Now staleness is 0 (slot 0), 2 (slot 1), 1 (slot 2) over a clock of 4.
        expectClose(sampler.stalenessWeights, [0, 2.0 / 3, 1.0 / 3])
        var fresh = Self.filled([0.5, 0.9, 0.1], staleness: 0.3)
        #expect(fresh.sample(w[0] + 1e-9) == 1)
    }

    @Test func topKIsUniformOverTheBest() {
        var sampler = Self.filled([0.5, 0.9, 0.1, 0.7])
        sampler.prioritization = .topK(2)
        expectClose(sampler.scoreWeights, [0, 0.5, 0, 0.5])
    }

    @Test func replayWaitsForTheFillRatio() {
        var sampler = LevelSampler(capacity: 4, replayProbability: 0.8, stalenessCoefficient: 0.3, minimumFillRatio: 0.5)
        #expect(sampler.replayChance == 0)
        _ = sampler.insert(Self.level(0), score: 1, return: 0)
        #expect(sampler.replayChance == 0 && !sampler.replayDecision(0))
        _ = sampler.insert(Self.level(1), score: 1, return: 0)
        #expect(sampler.replayChance == 0.8)
        #expect(sampler.replayDecision(0.79) && !sampler.replayDecision(0.8))
    }

    @Test func insertionByScore() {
        var sampler = Self.filled([0.5, 0.9, 0.1], capacity: 3)
        // Full: a level scoring below the minimum (0.1) is rejected, one above replaces it.
        #expect(sampler.insert(Self.level(7), score: 0.05, return: 0) == .rejected)
        #expect(sampler.insert(Self.level(8), score: 0.3, return: 0) == .replaced(slot: 2, evicted: Self.level(2).hash))
        #expect(sampler.slot(of: Self.level(8).hash) == 2 && sampler.slot(of: Self.level(2).hash) == nil)
        // A level already held is updated in place (score, highest return), never duplicated.
        #expect(sampler.insert(Self.level(0), score: 0.95, return: 0.4, parent: nil) == .updated(slot: 0))
        #expect(sampler.count == 3 && sampler.entries[0].score == 0.95 && sampler.entries[0].maxReturn == 0.4)
        sampler.update(slot: 0, score: 0.2, return: 0.1)
        #expect(sampler.entries[0].score == 0.2 && sampler.entries[0].maxReturn == 0.4)
    }
}
