import LudusLua

/// A score matrix as rliable takes it: `scores[run][task]`, every run scored on every task.
public typealias ScoreMatrix = [[Double]]

/// rliable's aggregate metrics over a runs × tasks matrix (Agarwal et al. 2021,
/// `rliable.metrics`), computed the same way so the numbers agree with it to 1e-6.
public enum Aggregate: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Mean over tasks of the per-task mean over runs.
    case mean
    /// Median over tasks of the per-task mean over runs.
    case median
    /// Interquartile mean: the 25% trimmed mean of all scores (`scipy.stats.trim_mean`).
    case iqm
    /// `1 - mean(min(score, 1))`: how far the scores fall short of 1.
    case optimalityGap

    public var description: String {
        switch self {
        case .mean: return "mean"
        case .median: return "median"
        case .iqm: return "IQM"
        case .optimalityGap: return "optimality gap"
        }
    }

    /// The metric on `scores` (nan for an empty matrix).
    public func callAsFunction(_ scores: ScoreMatrix) -> Double {
        let values = scores.flatMap { $0 }
        guard !values.isEmpty else { return .nan }
        switch self {
        case .mean:
            let means = Self.taskMeans(scores)
            return means.reduce(0, +) / Double(means.count)
        case .median:
            return Self.median(Self.taskMeans(scores))
        case .iqm:
            return Self.trimmedMean(values, cut: 0.25)
        case .optimalityGap:
            return 1 - values.reduce(0) { $0 + min($1, 1) } / Double(values.count)
        }
    }

    /// Per-task means over runs.
    public static func taskMeans(_ scores: ScoreMatrix) -> [Double] {
        guard let tasks = scores.first?.count, tasks > 0 else { return [] }
        return (0..<tasks).map { task in scores.reduce(0) { $0 + $1[task] } / Double(scores.count) }
    }

    /// numpy's median: the middle value, or the mean of the two middle values.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// `scipy.stats.trim_mean(values, cut)`: drops `Int(cut * n)` values from each end of
    /// the sorted values and averages the rest.
    public static func trimmedMean(_ values: [Double], cut: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let drop = Int(cut * Double(sorted.count))
        let kept = sorted[drop..<(sorted.count - drop)]
        guard !kept.isEmpty else { return median(values) }
        return kept.reduce(0, +) / Double(kept.count)
    }

    /// numpy's default (linear) percentile of sorted values, `q` in [0, 1].
    public static func percentile(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}

/// rliable's probability of improvement: P(X > Y) per task by the Mann-Whitney U
/// statistic (ties count half), averaged over tasks; 0.5 on a task where both columns are equal.
public func probabilityOfImprovement(_ x: ScoreMatrix, over y: ScoreMatrix) -> Double {
    guard let tasks = x.first?.count, tasks > 0, y.first?.count == tasks else { return .nan }
    var total = 0.0
    for task in 0..<tasks {
        let a = x.map { $0[task] }, b = y.map { $0[task] }
        if a == b { total += 0.5; continue }
        var u = 0.0
        for p in a { for q in b { u += p > q ? 1 : (p == q ? 0.5 : 0) } }
        total += u / Double(a.count * b.count)
    }
    return total / Double(tasks)
}

/// A performance profile (score distribution): for each threshold τ, the fraction of all
/// scores above τ (`rliable.library.run_score_deviation`).
public func performanceProfile(_ scores: ScoreMatrix, thresholds: [Double]) -> [Double] {
    let values = scores.flatMap { $0 }
    guard !values.isEmpty else { return thresholds.map { _ in .nan } }
    return thresholds.map { tau in Double(values.filter { $0 > tau }.count) / Double(values.count) }
}
