/// The seat number of chance: what `E.current_player` returns when the next step is
/// a chance event (a card dealt, a die rolled) rather than a player's decision.
///
/// At a chance node the host asks ``Environment/chanceOutcomes()`` and samples one
/// outcome from the episode's seeded chance stream (``SeedPurpose/chance``), so that
/// replays and clones stay exact and the trajectory hash covers the outcome; search
/// agents enumerate or sample the outcomes themselves.
public enum Chance {
    /// `current_player` at a chance node (OpenSpiel's `kChancePlayerId`).
    public static let player = -1
    /// How far the probabilities of one chance node may sum away from 1.
    public static let tolerance = 1e-9
}

/// One outcome of a chance node: the action `E.step` receives and its probability.
public struct ChanceOutcome: Hashable, Sendable {
    public var action: Int
    public var probability: Double

    public init(action: Int, probability: Double) {
        self.action = action
        self.probability = probability
    }

    /// Why a list of outcomes is not a distribution, or nil: every probability finite and
    /// non-negative, the sum 1 (within ``Chance/tolerance``), actions distinct, at least one.
    public static func problem(with outcomes: [ChanceOutcome]) -> String? {
        guard !outcomes.isEmpty else { return "listed no outcomes at a chance node" }
        var sum = 0.0
        var seen = Set<Int>()
        for outcome in outcomes {
            guard outcome.probability.isFinite, outcome.probability >= 0 else {
                return "gave outcome \(outcome.action) the probability \(outcome.probability): probabilities must be finite and non-negative"
            }
            guard seen.insert(outcome.action).inserted else { return "listed outcome \(outcome.action) twice" }
            sum += outcome.probability
        }
        guard abs(sum - 1) <= 1e-6 else { return "gave probabilities summing to \(sum), not 1" }
        return nil
    }

    /// Samples an outcome with `generator` (one uniform draw: the same draw, the same outcome).
    public static func sample(_ outcomes: [ChanceOutcome], using generator: inout SeededGenerator) -> ChanceOutcome {
        let u = generator.nextDouble()
        var acc = 0.0
        for outcome in outcomes {
            acc += outcome.probability
            if u < acc { return outcome }
        }
        return outcomes.last { $0.probability > 0 } ?? outcomes[outcomes.count - 1]
    }
}
