import LudusLua

/// A point estimate with its bootstrap interval.
public struct Estimate: Hashable, Sendable {
    public var value: Double
    public var low: Double
    public var high: Double

    public init(value: Double, low: Double, high: Double) {
        self.value = value
        self.low = low
        self.high = high
    }
}

/// rliable's stratified bootstrap (`rliable.library.StratifiedBootstrap`, task_bootstrap off):
/// each resample draws, independently for every task, as many runs as there are with
/// replacement; intervals are the percentile method (numpy's linear percentiles), as
/// `get_interval_estimates(..., method="percentile")`. Seeded with ``SeededGenerator``, so
/// the same seed gives the same intervals; ``resampleIndices(runs:tasks:)`` exposes the
/// draws so a test can hand rliable exactly the same resamples.
public struct StratifiedBootstrap: Sendable {
    public var reps: Int
    public var seed: UInt64
    /// Coverage of the interval (0.95: the 2.5th and 97.5th percentiles).
    public var confidence: Double

    public init(reps: Int = 2000, seed: UInt64 = 0, confidence: Double = 0.95) {
        self.reps = reps
        self.seed = seed
        self.confidence = confidence
    }

    /// `reps` index matrices: `indices[rep][run][task]` is the run drawn for that slot.
    public func resampleIndices(runs: Int, tasks: Int) -> [[[Int]]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<reps).map { _ in
            (0..<runs).map { _ in (0..<tasks).map { _ in Int(generator.nextInt(0, Int64(runs - 1))) } }
        }
    }

    /// `scores` resampled by one index matrix: `scores[indices[run][task]][task]`.
    public static func resample(_ scores: ScoreMatrix, _ indices: [[Int]]) -> ScoreMatrix {
        indices.map { row in row.enumerated().map { task, run in scores[run][task] } }
    }

    /// The statistic on `scores` with its percentile interval over the resamples.
    public func estimate(_ scores: ScoreMatrix, _ statistic: (ScoreMatrix) -> Double) -> Estimate {
        estimates(scores) { [statistic($0)] }[0]
    }

    /// A vector statistic (a performance profile) with an interval per component.
    public func estimates(_ scores: ScoreMatrix, _ statistic: (ScoreMatrix) -> [Double]) -> [Estimate] {
        let point = statistic(scores)
        guard let tasks = scores.first?.count, tasks > 0, reps > 0 else {
            return point.map { Estimate(value: $0, low: $0, high: $0) }
        }
        let samples = resampleIndices(runs: scores.count, tasks: tasks).map { statistic(Self.resample(scores, $0)) }
        return interval(point: point, samples: samples)
    }

    /// Percentile intervals of bootstrap samples (`samples[rep][component]`).
    public func interval(point: [Double], samples: [[Double]]) -> [Estimate] {
        let tail = (1 - confidence) / 2
        return point.indices.map { i in
            let sorted = samples.map { $0[i] }.sorted()
            return Estimate(value: point[i], low: Aggregate.percentile(sorted: sorted, tail),
                            high: Aggregate.percentile(sorted: sorted, 1 - tail))
        }
    }

    /// Probability of improvement of `x` over `y` with an interval: runs of x and of y
    /// resampled independently, per task (rliable's `StratifiedIndependentBootstrap`).
    public func probabilityOfImprovement(_ x: ScoreMatrix, over y: ScoreMatrix) -> Estimate {
        let point = Ludus.probabilityOfImprovement(x, over: y)
        guard let tasks = x.first?.count, tasks > 0, !y.isEmpty, reps > 0 else { return Estimate(value: point, low: point, high: point) }
        let first = resampleIndices(runs: x.count, tasks: tasks)
        let second = StratifiedBootstrap(reps: reps, seed: SeededGenerator.derive(seed, 1), confidence: confidence)
            .resampleIndices(runs: y.count, tasks: tasks)
        let samples = zip(first, second).map { [Ludus.probabilityOfImprovement(Self.resample(x, $0), over: Self.resample(y, $1))] }
        return interval(point: [point], samples: samples)[0]
    }
}
