import CBLAS
import LudusLua

/// A multi-layer perceptron in Double precision: tanh hidden layers, a linear output
/// layer, hand-written forward and backward passes on OpenBLAS.
///
/// Weights live in a ``ParameterBuffer`` at `offset`, layer by layer: `W` (rows = outputs,
/// row-major, `out x in`) then `b`. Activations and deltas are preallocated for up to
/// `maxBatch` rows, so neither pass allocates. Batches are row-major `batch x size`.
public final class MLP {
    /// Layer widths, input first, output last (`[in, 64, 64, out]`).
    public let sizes: [Int]
    public let maxBatch: Int
    public let offset: Int
    public let parameterCount: Int
    public let storage: ParameterBuffer
    private var weightOffsets: [Int] = []
    private var biasOffsets: [Int] = []
    /// Output of layer l (1...L), `maxBatch x sizes[l]`; index 0 unused.
    private var activations: [UnsafeMutablePointer<Double>] = []
    /// Gradient of the loss with respect to layer l's pre-activation; index 0 unused.
    private var deltas: [UnsafeMutablePointer<Double>] = []
    private let ones: UnsafeMutablePointer<Double>
    private var input: UnsafePointer<Double>?
    private var inputBatch = 0

    public static func parameterCount(sizes: [Int]) -> Int {
        zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
    }

    public init(sizes: [Int], storage: ParameterBuffer, offset: Int, maxBatch: Int) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "an MLP needs an input and an output size")
        self.sizes = sizes
        self.storage = storage
        self.offset = offset
        self.maxBatch = max(1, maxBatch)
        parameterCount = Self.parameterCount(sizes: sizes)
        precondition(offset + parameterCount <= storage.count, "parameter buffer too small")
        var at = offset
        weightOffsets.append(0)
        biasOffsets.append(0)
        activations.append(UnsafeMutablePointer<Double>.allocate(capacity: 1))
        deltas.append(UnsafeMutablePointer<Double>.allocate(capacity: 1))
        for l in 1..<sizes.count {
            weightOffsets.append(at)
            at += sizes[l] * sizes[l - 1]
            biasOffsets.append(at)
            at += sizes[l]
            let a = UnsafeMutablePointer<Double>.allocate(capacity: self.maxBatch * sizes[l])
            a.initialize(repeating: 0, count: self.maxBatch * sizes[l])
            activations.append(a)
            let d = UnsafeMutablePointer<Double>.allocate(capacity: self.maxBatch * sizes[l])
            d.initialize(repeating: 0, count: self.maxBatch * sizes[l])
            deltas.append(d)
        }
        ones = .allocate(capacity: self.maxBatch)
        ones.initialize(repeating: 1, count: self.maxBatch)
    }

    deinit {
        for p in activations { p.deallocate() }
        for p in deltas { p.deallocate() }
        ones.deallocate()
    }

    public var inputSize: Int { sizes[0] }
    public var outputSize: Int { sizes[sizes.count - 1] }
    /// The output of the last ``forward(_:batch:)`` (`batch x outputSize`).
    public var output: UnsafeMutablePointer<Double> { activations[sizes.count - 1] }

    /// Orthogonal initialisation (Saxe et al.; what PPO implementations use): each weight
    /// matrix is a random orthogonal one times a gain (sqrt 2 for hidden layers, `outputGain`
    /// for the last); biases are zero.
    public func initialize(generator: inout SeededGenerator, hiddenGain: Double = 2.0.squareRoot(), outputGain: Double) {
        for l in 1..<sizes.count {
            let rows = sizes[l], columns = sizes[l - 1]
            let gain = l == sizes.count - 1 ? outputGain : hiddenGain
            let w = Self.orthogonal(rows: rows, columns: columns, generator: &generator)
            for i in 0..<(rows * columns) { storage.values[weightOffsets[l] + i] = gain * w[i] }
            for i in 0..<rows { storage.values[biasOffsets[l] + i] = 0 }
        }
    }

    /// A `rows x columns` matrix (row-major) with orthonormal rows or columns, whichever are fewer.
    static func orthogonal(rows: Int, columns: Int, generator: inout SeededGenerator) -> [Double] {
        // Orthonormalise the shorter side's vectors with modified Gram-Schmidt.
        let vectors = min(rows, columns), length = max(rows, columns)
        var q = (0..<(vectors * length)).map { _ in generator.nextGaussian() }
        for i in 0..<vectors {
            for j in 0..<i {
                var dot = 0.0
                for k in 0..<length { dot += q[i * length + k] * q[j * length + k] }
                for k in 0..<length { q[i * length + k] -= dot * q[j * length + k] }
            }
            var norm = 0.0
            for k in 0..<length { norm += q[i * length + k] * q[i * length + k] }
            norm = max(norm.squareRoot(), 1e-12)
            for k in 0..<length { q[i * length + k] /= norm }
        }
        if rows <= columns { return q }
        // Vectors are columns: transpose into row-major rows x columns.
        var w = Array(repeating: 0.0, count: rows * columns)
        for c in 0..<columns { for r in 0..<rows { w[r * columns + c] = q[c * length + r] } }
        return w
    }

    /// Runs `batch` rows of `input` (`batch x inputSize`, kept by pointer until ``backward(_:batch:)``)
    /// and returns ``output``.
    @discardableResult
    public func forward(_ input: UnsafePointer<Double>, batch: Int) -> UnsafeMutablePointer<Double> {
        precondition(batch >= 1 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        self.input = input
        inputBatch = batch
        let params = storage.values
        var x = input
        let last = sizes.count - 1
        for l in 1...last {
            let n = sizes[l], m = sizes[l - 1]
            let y = activations[l]
            let w = params + weightOffsets[l], b = params + biasOffsets[l]
            if batch == 1 {
                y.update(from: b, count: n)
                cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(m), 1, w, Int32(m), x, 1, 1, y, 1)
            } else {
                for r in 0..<batch { (y + r * n).update(from: b, count: n) }
                // Y (batch x n) += X (batch x m) W^T (m x n)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), Int32(n), Int32(m),
                            1, x, Int32(m), w, Int32(m), 1, y, Int32(n))
            }
            if l < last { for i in 0..<(batch * n) { y[i] = tanh(y[i]) } }
            x = UnsafePointer(y)
        }
        return activations[last]
    }

    /// Backpropagates `outputGradient` (`batch x outputSize`, dLoss/dOutput of the last forward pass)
    /// and adds the parameter gradients into the buffer's ``ParameterBuffer/gradients``.
    public func backward(_ outputGradient: UnsafePointer<Double>, batch: Int) {
        precondition(batch == inputBatch, "backward must follow a forward pass of the same batch")
        guard let input else { return }
        let params = storage.values, grads = storage.gradients
        let last = sizes.count - 1
        deltas[last].update(from: outputGradient, count: batch * sizes[last])
        var l = last
        while l >= 1 {
            let n = sizes[l], m = sizes[l - 1]
            let delta = deltas[l]
            let below: UnsafePointer<Double> = l == 1 ? input : UnsafePointer(activations[l - 1])
            // dW (n x m) += delta^T (n x batch) X (batch x m); db += delta^T 1.
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(m), Int32(batch),
                        1, delta, Int32(n), below, Int32(m), 1, grads + weightOffsets[l], Int32(m))
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(batch), Int32(n), 1, delta, Int32(n), ones, 1, 1,
                        grads + biasOffsets[l], 1)
            if l > 1 {
                // delta_{l-1} = (delta W) * (1 - h^2)
                let previous = deltas[l - 1], h = activations[l - 1]
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(batch), Int32(m), Int32(n),
                            1, delta, Int32(n), params + weightOffsets[l], Int32(m), 0, previous, Int32(m))
                for i in 0..<(batch * m) { previous[i] *= 1 - h[i] * h[i] }
            }
            l -= 1
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
