import LudusLua

/// The action distribution on top of a policy network's output, from the action space:
/// independent categoricals (discrete: one head; multi-discrete: one per element;
/// multi-binary: one two-way head per bit) over logits, or a diagonal Gaussian with a
/// state-independent log standard deviation (box), clipped to the bounds when acting.
///
/// Actions are stored as numbers: the 0-based choice of each head, or the unclipped
/// Gaussian sample. Legal-action masks apply to a single categorical head.
public final class PolicyHead: Sendable {
    public enum Kind: Sendable {
        case categorical(sizes: [Int], start: Int)
        case gaussian(low: [Double], high: [Double])
    }

    public let kind: Kind
    public let space: Space
    /// Numbers the network outputs (logits, or Gaussian means).
    public let outputSize: Int
    /// Numbers per stored action (heads, or action dimensions).
    public let actionSize: Int
    /// Width of a legal-action mask (the single head's size), 0 when masks do not apply.
    public let maskSize: Int
    static let halfLogTwoPi = 0.5 * log(2 * Double.pi)

    public init(space: Space) throws(SetupError) {
        self.space = space
        switch space {
        case .discrete(let n, let start):
            kind = .categorical(sizes: [n], start: start); outputSize = n; actionSize = 1; maskSize = n
        case .multiDiscrete(let nvec):
            kind = .categorical(sizes: nvec, start: 0); outputSize = nvec.reduce(0, +); actionSize = nvec.count; maskSize = 0
        case .multiBinary(let n):
            kind = .categorical(sizes: Array(repeating: 2, count: n), start: 0); outputSize = 2 * n; actionSize = n; maskSize = 0
        case .box(let low, let high, _):
            kind = .gaussian(low: low, high: high); outputSize = low.count; actionSize = low.count; maskSize = 0
        case .text, .dict, .tuple:
            throw .unsuitable("learning students need a discrete, multi-discrete, multi-binary or box action space, not \(space)")
        }
        guard outputSize > 0 else { throw .unsuitable("empty action space \(space)") }
    }

    public var isContinuous: Bool { if case .gaussian = kind { return true } else { return false } }

    /// Log-normaliser of one categorical head over its allowed logits.
    @inline(__always)
    static func logNormalizer(_ logits: UnsafePointer<Double>, _ n: Int, _ mask: UnsafePointer<UInt8>?) -> Double {
        var top = -Double.infinity
        for j in 0..<n where mask == nil || mask![j] != 0 { top = max(top, logits[j]) }
        if top == -.infinity { return 0 }
        var sum = 0.0
        for j in 0..<n where mask == nil || mask![j] != 0 { sum += exp(logits[j] - top) }
        return top + log(sum)
    }

    /// Samples an action into `action` and returns its log-probability. `greedy` takes the
    /// most likely choice (the mean for a Gaussian) instead.
    @inline(never)
    public func choose(output: UnsafePointer<Double>, logStd: UnsafePointer<Double>?, mask: UnsafePointer<UInt8>?,
                       greedy: Bool, generator: inout SeededGenerator, action: UnsafeMutablePointer<Double>) -> Double {
        switch kind {
        case .categorical(let sizes, _):
            var logp = 0.0, at = 0
            for (h, n) in sizes.enumerated() {
                let logits = output + at
                let headMask = sizes.count == 1 ? mask : nil
                let logZ = Self.logNormalizer(logits, n, headMask)
                var pick = -1
                if greedy {
                    var best = -Double.infinity
                    for j in 0..<n where (headMask == nil || headMask![j] != 0) && logits[j] > best { best = logits[j]; pick = j }
                } else {
                    var u = generator.nextDouble()
                    for j in 0..<n where headMask == nil || headMask![j] != 0 {
                        pick = j
                        u -= exp(logits[j] - logZ)
                        if u < 0 { break }
                    }
                }
                if pick < 0 { pick = 0 }
                action[h] = Double(pick)
                logp += logits[pick] - logZ
                at += n
            }
            return logp
        case .gaussian:
            var logp = 0.0
            for k in 0..<outputSize {
                let ls = logStd?[k] ?? 0
                let z = greedy ? 0 : generator.nextGaussian()
                action[k] = output[k] + exp(ls) * z
                logp += -0.5 * z * z - ls - Self.halfLogTwoPi
            }
            return logp
        }
    }

    /// The environment action for stored numbers: shifted discrete index, or a vector clipped to the box.
    @inline(never)
    public func makeAction(_ action: UnsafePointer<Double>) -> Action {
        switch kind {
        case .categorical(let sizes, let start):
            if case .discrete = space { return .discrete(start + Int(action[0])) }
            return .vector((0..<sizes.count).map { action[$0] })
        case .gaussian(let low, let high):
            return .vector((0..<outputSize).map { k in min(max(action[k], low[k]), high[k]) })
        }
    }

    /// PPO-clip loss of one sample and its gradient (times `scale`, added into `outputGradient`
    /// and `logStdGradient`): `max(-A r, -A clip(r, 1-eps, 1+eps)) - entropyCoefficient * H`,
    /// with `r = exp(logp(action) - oldLogProb)`. Returns the unscaled loss and the ratio.
    @discardableResult @inline(never)
    public func clippedLoss(output: UnsafePointer<Double>, logStd: UnsafePointer<Double>?, action: UnsafePointer<Double>,
                            mask: UnsafePointer<UInt8>?, oldLogProb: Double, advantage: Double, clip: Double,
                            entropyCoefficient: Double, scale: Double,
                            outputGradient: UnsafeMutablePointer<Double>, logStdGradient: UnsafeMutablePointer<Double>?)
        -> (loss: Double, ratio: Double) {
        switch kind {
        case .categorical(let sizes, _):
            var logp = 0.0, entropy = 0.0, at = 0
            for (h, n) in sizes.enumerated() {
                let logits = output + at
                let headMask = sizes.count == 1 ? mask : nil
                let logZ = Self.logNormalizer(logits, n, headMask)
                for j in 0..<n where headMask == nil || headMask![j] != 0 {
                    let lp = logits[j] - logZ
                    entropy -= exp(lp) * lp
                }
                logp += logits[Int(action[h])] - logZ
                at += n
            }
            let ratio = exp(logp - oldLogProb)
            let (loss, dLogp) = Self.surrogate(ratio: ratio, advantage: advantage, clip: clip)
            // d/dl_j: dLogp (1[j = a] - p_j) + c p_j (log p_j + H_h)
            at = 0
            for (h, n) in sizes.enumerated() {
                let logits = output + at
                let headMask = sizes.count == 1 ? mask : nil
                let logZ = Self.logNormalizer(logits, n, headMask)
                var headEntropy = 0.0
                for j in 0..<n where headMask == nil || headMask![j] != 0 {
                    let lp = logits[j] - logZ
                    headEntropy -= exp(lp) * lp
                }
                let chosen = Int(action[h])
                for j in 0..<n where headMask == nil || headMask![j] != 0 {
                    let lp = logits[j] - logZ, p = exp(lp)
                    let g = dLogp * ((j == chosen ? 1 : 0) - p) + entropyCoefficient * p * (lp + headEntropy)
                    outputGradient[at + j] += scale * g
                }
                at += n
            }
            return (loss - entropyCoefficient * entropy, ratio)
        case .gaussian:
            var logp = 0.0, entropy = 0.0
            for k in 0..<outputSize {
                let ls = logStd?[k] ?? 0
                let z = (action[k] - output[k]) / exp(ls)
                logp += -0.5 * z * z - ls - Self.halfLogTwoPi
                entropy += ls + 0.5 + Self.halfLogTwoPi
            }
            let ratio = exp(logp - oldLogProb)
            let (loss, dLogp) = Self.surrogate(ratio: ratio, advantage: advantage, clip: clip)
            for k in 0..<outputSize {
                let ls = logStd?[k] ?? 0, sigma = exp(ls)
                let z = (action[k] - output[k]) / sigma
                outputGradient[k] += scale * dLogp * z / sigma
                logStdGradient?[k] += scale * (dLogp * (z * z - 1) - entropyCoefficient)
            }
            return (loss - entropyCoefficient * entropy, ratio)
        }
    }

    /// The clipped surrogate `max(-A r, -A clip(r))` and its derivative with respect to log r.
    @inline(__always)
    static func surrogate(ratio: Double, advantage: Double, clip: Double) -> (Double, Double) {
        let unclipped = -advantage * ratio
        let clipped = -advantage * min(max(ratio, 1 - clip), 1 + clip)
        return unclipped >= clipped ? (unclipped, -advantage * ratio) : (clipped, 0)
    }
}

#if canImport(Glibc)
import Glibc
#endif
