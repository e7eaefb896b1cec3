import CBLAS

/// One flat, contiguous vector of trainable parameters and their gradients.
///
/// Every network of a learner lives in one buffer (its layers are views at offsets),
/// so Adam, gradient clipping, evolution-strategy perturbations and save/load all work
/// on one vector. Raw memory owned by the buffer: no copy-on-write or exclusivity
/// checks on the hot path.
public final class ParameterBuffer {
    public let count: Int
    public let values: UnsafeMutablePointer<Double>
    public let gradients: UnsafeMutablePointer<Double>

    public init(count: Int) {
        BLAS.configure()
        self.count = count
        values = .allocate(capacity: max(1, count))
        values.initialize(repeating: 0, count: max(1, count))
        gradients = .allocate(capacity: max(1, count))
        gradients.initialize(repeating: 0, count: max(1, count))
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
    }

    public func zeroGradients() { gradients.update(repeating: 0, count: count) }

    /// Euclidean norm of the gradient.
    public var gradientNorm: Double { count == 0 ? 0 : cblas_dnrm2(Int32(count), gradients, 1) }

    /// Scales the gradient so its norm is at most `maxNorm` (PPO's `max_grad_norm`); returns the norm before.
    @discardableResult
    public func clipGradientNorm(_ maxNorm: Double) -> Double {
        let norm = gradientNorm
        if norm > maxNorm, norm.isFinite { cblas_dscal(Int32(count), maxNorm / (norm + 1e-6), gradients, 1) }
        return norm
    }

    /// A copy of the values.
    public var array: [Double] { Array(UnsafeBufferPointer(start: values, count: count)) }

    /// Replaces the values (same count).
    public func assign(_ array: [Double]) {
        precondition(array.count == count, "parameter count mismatch")
        array.withUnsafeBufferPointer { values.update(from: $0.baseAddress!, count: count) }
    }
}

/// Process-wide OpenBLAS settings for the learners.
public enum BLAS {
    /// One OpenBLAS thread: the networks are small (threads cost more than they save on
    /// 64-wide layers), the machine is shared, and results do not depend on the core count.
    private static let once: Void = { openblas_set_num_threads(1) }()
    public static func configure() { _ = once }
}
