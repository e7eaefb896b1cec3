/// Per-feature running mean and variance of network inputs (Welford / Chan's parallel
/// update), applied as `clip((x - mean) / sqrt(var + 1e-8), -10, 10)`: what PPO
/// implementations wrap observations in (gymnasium's NormalizeObservation). Makes raw
/// box observations with large or uneven scales (MiniGrid's object codes, walker sensors)
/// usable by a tanh network. Updated only while learning.
public final class RunningNormalizer {
    public let size: Int
    public private(set) var count = 1e-4
    let mean: UnsafeMutablePointer<Double>
    let variance: UnsafeMutablePointer<Double>

    public init(size: Int) {
        self.size = size
        mean = .allocate(capacity: max(1, size))
        mean.initialize(repeating: 0, count: max(1, size))
        variance = .allocate(capacity: max(1, size))
        variance.initialize(repeating: 1, count: max(1, size))
    }

    deinit {
        mean.deallocate()
        variance.deallocate()
    }

    /// Adds one sample to the statistics.
    @inline(__always)
    public func update(_ x: UnsafePointer<Double>) {
        let total = count + 1
        for i in 0..<size {
            let delta = x[i] - mean[i]
            mean[i] += delta / total
            // M2 update for a batch of one: var' = (var c + delta^2 c / total) / total
            variance[i] = (variance[i] * count + delta * delta * count / total) / total
        }
        count = total
    }

    /// Forgets every sample: count 0, mean 0, variance 0 (an accumulator for ``merge(_:)``).
    public func reset() {
        count = 0
        mean.update(repeating: 0, count: size)
        variance.update(repeating: 0, count: size)
    }

    /// Adds the samples `other` holds (Chan et al.'s parallel update); `other` is unchanged.
    public func merge(_ other: RunningNormalizer) {
        precondition(other.size == size, "normalizer size mismatch")
        guard other.count > 0 else { return }
        let total = count + other.count
        for i in 0..<size {
            let delta = other.mean[i] - mean[i]
            let m2 = variance[i] * count + other.variance[i] * other.count + delta * delta * count * other.count / total
            mean[i] += delta * other.count / total
            variance[i] = m2 / total
        }
        count = total
    }

    /// Normalises `x` in place.
    @inline(__always)
    public func apply(_ x: UnsafeMutablePointer<Double>) {
        for i in 0..<size {
            let z = (x[i] - mean[i]) / (variance[i] + 1e-8).squareRoot()
            x[i] = min(max(z, -10), 10)
        }
    }

    /// `[count, mean..., variance...]`, for saving.
    public var state: [Double] {
        [count] + Array(UnsafeBufferPointer(start: mean, count: size)) + Array(UnsafeBufferPointer(start: variance, count: size))
    }

    public func restore(_ state: ArraySlice<Double>) {
        precondition(state.count == 1 + 2 * size, "normalizer state size mismatch")
        let s = Array(state)
        count = s[0]
        for i in 0..<size { mean[i] = s[1 + i]; variance[i] = s[1 + size + i] }
    }
}
