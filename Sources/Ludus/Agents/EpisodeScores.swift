/// What the last episode could still teach, by the student's own value estimates: the
/// level scores of PLR and ACCEL (A = the episode's GAE advantages, V = the value estimates).
public struct EpisodeScores: Hashable, Sendable {
    /// PLR's `value_l1`: mean |A_t|.
    public var meanAbsoluteAdvantage: Double
    /// Positive value loss (PVL): mean max(A_t, 0).
    public var positiveValueLoss: Double
    /// Mean V(s_t) over the episode; MaxMC = R_max(level) - this.
    public var meanValue: Double

    public init(meanAbsoluteAdvantage: Double, positiveValueLoss: Double, meanValue: Double) {
        self.meanAbsoluteAdvantage = meanAbsoluteAdvantage
        self.positiveValueLoss = positiveValueLoss
        self.meanValue = meanValue
    }
}
