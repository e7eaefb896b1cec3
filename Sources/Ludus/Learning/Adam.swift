/// Adam (Kingma & Ba) over a whole ``ParameterBuffer``, with optional decoupled weight decay.
/// `epsilon` defaults to 1e-5 as in PPO implementations (PyTorch's default is 1e-8).
public final class Adam {
    public var learningRate: Double
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-5
    /// Decoupled (AdamW-style) decay per step, times the learning rate: 0 turns it off.
    public var weightDecay = 0.0
    public private(set) var steps = 0
    private let count: Int
    private let m: UnsafeMutablePointer<Double>
    private let v: UnsafeMutablePointer<Double>

    public init(count: Int, learningRate: Double) {
        self.count = count
        self.learningRate = learningRate
        m = .allocate(capacity: max(1, count))
        m.initialize(repeating: 0, count: max(1, count))
        v = .allocate(capacity: max(1, count))
        v.initialize(repeating: 0, count: max(1, count))
    }

    deinit {
        m.deallocate()
        v.deallocate()
    }

    /// One descent step: `values -= lr * mhat / (sqrt(vhat) + eps)` using `gradients`.
    public func step(_ parameters: ParameterBuffer) {
        precondition(parameters.count == count, "Adam built for another parameter count")
        steps += 1
        let t = Double(steps)
        let correction1 = 1 - pow(beta1, t), correction2 = 1 - pow(beta2, t)
        let stepSize = learningRate / correction1
        let x = parameters.values, g = parameters.gradients
        let decay = 1 - learningRate * weightDecay
        for i in 0..<count {
            let gi = g[i]
            m[i] = beta1 * m[i] + (1 - beta1) * gi
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
            if weightDecay != 0 { x[i] *= decay }
            x[i] -= stepSize * m[i] / ((v[i] / correction2).squareRoot() + epsilon)
        }
    }

    /// The optimiser's state for a checkpoint: step count and both moment vectors.
    public struct State: Codable, Equatable, Sendable {
        public var steps: Int
        public var m: PackedDoubles
        public var v: PackedDoubles
    }

    public var state: State { State(steps: steps, m: PackedDoubles(m, count: count), v: PackedDoubles(v, count: count)) }

    /// - Throws: ``CheckpointError/mismatch(kind:reason:)`` when the moment vectors have another size.
    public func restore(_ state: State) throws {
        try state.m.copy(into: m, count: count, "Adam's first moments", kind: "adam")
        try state.v.copy(into: v, count: count, "Adam's second moments", kind: "adam")
        steps = state.steps
    }
}

#if canImport(Glibc)
import Glibc
#endif
