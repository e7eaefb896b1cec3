/// The outcome of one two-player game between rated agents, from the first's side.
public struct PairwiseResult: Hashable, Sendable {
    public var first: Int
    public var second: Int
    /// 1 when `first` won, 0.5 for a draw, 0 when `second` won.
    public var score: Double

    public init(first: Int, second: Int, score: Double) {
        self.first = first
        self.second = second
        self.score = score
    }
}
