import LudusLua

/// Nash averaging (Balduzzi et al., "Re-evaluating evaluation", 2018): each agent's mean
/// return against the Nash equilibrium mixture of the meta-game whose strategies are the
/// agents and whose payoffs are their head-to-head mean returns.
///
/// A plain mean over the field rewards exploiting its weakest members: in Kuhn poker a
/// search agent takes 0.33 chips a game from a random one where the equilibrium strategy
/// takes 0.14, and so out-scores the equilibrium it loses to. Against the meta-game's Nash
/// mixture, an agent dominated by the mixture scores below 0, the agents in its support
/// score 0, and adding copies of an agent or more weak agents does not move anyone.
///
/// The meta-game is the antisymmetric part of the payoff matrix, `(M - Mᵀ) / 2` (for zero-sum
/// games, `M` itself), solved by regret matching+ for both sides with linearly weighted
/// averages: deterministic, and within `1/√iterations` of equilibrium for small meta-games.
public struct NashAveraging: Sendable {
    public var iterations = 4000

    public init() {}

    public struct Result: Hashable, Sendable {
        /// The equilibrium mixture over agents (sums to 1).
        public var mixture: [Double]
        /// Each agent's mean return against the mixture (0 on its support, below 0 off it).
        public var values: [Double]
    }

    /// - Parameter payoff: `payoff[i][j]`, the mean return of agent `i` in games with `j` (the diagonal is ignored).
    public func solve(_ payoff: [[Double]]) -> Result {
        let n = payoff.count
        guard n > 0 else { return Result(mixture: [], values: []) }
        var game = Array(repeating: 0.0, count: n * n)
        for i in 0..<n { for j in 0..<n where i != j { game[i * n + j] = (payoff[i][j] - payoff[j][i]) / 2 } }
        var regrets = [Array(repeating: 0.0, count: n), Array(repeating: 0.0, count: n)]
        var averages = [Array(repeating: 0.0, count: n), Array(repeating: 0.0, count: n)]
        var strategies = [Array(repeating: 1 / Double(n), count: n), Array(repeating: 1 / Double(n), count: n)]
        var utility = Array(repeating: 0.0, count: n)
        for t in 1...max(1, iterations) {
            for side in 0..<2 {
                // The side's payoff per pure strategy against the other side's current mixture;
                // the game is antisymmetric, so both sides see the same matrix from their own seat.
                let other = strategies[1 - side]
                var expected = 0.0
                for i in 0..<n {
                    var u = 0.0
                    for j in 0..<n { u += game[i * n + j] * other[j] }
                    utility[i] = u
                    expected += strategies[side][i] * u
                }
                var total = 0.0
                for i in 0..<n {
                    regrets[side][i] = max(0, regrets[side][i] + utility[i] - expected)
                    total += regrets[side][i]
                }
                for i in 0..<n { strategies[side][i] = total > 0 ? regrets[side][i] / total : 1 / Double(n) }
                for i in 0..<n { averages[side][i] += Double(t) * strategies[side][i] }
            }
        }
        var mixture = (0..<n).map { averages[0][$0] + averages[1][$0] }
        let sum = mixture.reduce(0, +)
        mixture = mixture.map { $0 / sum }
        let values = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + game[i * n + $1] * mixture[$1] } }
        return Result(mixture: mixture, values: values)
    }
}
