import Foundation
import LudusLua

/// Accuracy and pass@k of eval episodes, with 95% intervals, overall and per group.
public struct EvalSummary: Sendable {
    public struct Line: Sendable {
        public var group: String
        public var items: Int
        public var episodes: Int
        /// Fraction of episodes that succeeded, with a Wilson 95% interval.
        public var accuracy: Double
        public var accuracyInterval: ClosedRange<Double>
        /// pass@k for k = 1 and k = samples (unbiased estimator per item), with normal 95% intervals over items.
        public var passAt: [(k: Int, value: Double, interval: ClosedRange<Double>)]
        public var meanReturn: Double
        /// Episodes forfeited (unparsable or illegal answers) or failed (environment errors).
        public var failures: Int
    }

    public var lines: [Line]
    /// FNV-1a over (item, sample, trajectory hash) in order: equal hashes, equal runs.
    public var resultHash: String

    public init(_ episodes: [EvalEpisode], samples: Int) {
        let ordered = episodes.sorted { ($0.item, $0.sample) < ($1.item, $1.sample) }
        var hash = StableHash()
        for e in ordered {
            hash.combine(UInt64(e.item))
            hash.combine(UInt64(e.sample))
            hash.combine(e.trajectoryHash)
        }
        resultHash = hash.hex
        var groups: [String] = []
        for e in ordered where !groups.contains(e.group) { groups.append(e.group) }
        lines = (groups.count > 1 ? groups + ["all"] : ["all"]).map { group in
            Self.line(group, ordered.filter { group == "all" || $0.group == group }, samples: samples)
        }
    }

    static func line(_ group: String, _ episodes: [EvalEpisode], samples: Int) -> Line {
        let n = episodes.count
        let successes = episodes.filter(\.success).count
        var byItem: [Int: (n: Int, c: Int)] = [:]
        for e in episodes { byItem[e.item, default: (0, 0)].n += 1; if e.success { byItem[e.item]!.c += 1 } }
        let ks = samples > 1 ? [1, samples] : [1]
        let passAt = ks.map { k -> (k: Int, value: Double, interval: ClosedRange<Double>) in
            let values = byItem.values.filter { $0.n >= k }.map { passAtK(n: $0.n, c: $0.c, k: k) }
            return (k, mean(values), normalInterval(values))
        }
        return Line(group: group, items: byItem.count, episodes: n, accuracy: n == 0 ? 0 : Double(successes) / Double(n),
                    accuracyInterval: wilson(successes, n), passAt: passAt, meanReturn: mean(episodes.map(\.return)),
                    failures: episodes.filter { $0.outcome == "forfeit" || $0.outcome == "error" }.count)
    }

    /// 1 - C(n-c, k) / C(n, k): the chance that k of the n samples include a success.
    public static func passAtK(n: Int, c: Int, k: Int) -> Double {
        if n - c < k { return 1 }
        if c == 0 { return 0 }
        var fail = 1.0
        for i in (n - c + 1)...n { fail *= 1 - Double(k) / Double(i) }
        return 1 - fail
    }

    /// Wilson score interval (95%).
    public static func wilson(_ successes: Int, _ n: Int) -> ClosedRange<Double> {
        guard n > 0 else { return 0...1 }
        let z = 1.959964, p = Double(successes) / Double(n), nn = Double(n)
        let center = (p + z * z / (2 * nn)) / (1 + z * z / nn)
        let half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot() / (1 + z * z / nn)
        return max(0, center - half)...min(1, center + half)
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    static func normalInterval(_ values: [Double]) -> ClosedRange<Double> {
        guard values.count > 1 else { return 0...1 }
        let m = mean(values)
        let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
        let half = 1.959964 * (variance / Double(values.count)).squareRoot()
        return max(0, m - half)...min(1, m + half)
    }
}
