import CBLAS
import LudusLua

/// A Gaussian mixture with full covariances fitted by EM, for ALP-GMM. Small
/// dimensions (task parameters + 1), so the linear algebra is a hand-written
/// Cholesky per component; the per-point accumulations go through OpenBLAS.
public struct GaussianMixture: Sendable {
    public var weights: [Double]
    public var means: [[Double]]
    /// Row-major D x D covariances.
    public var covariances: [[Double]]
    public private(set) var logLikelihood = -Double.infinity
    public let dimension: Int

    /// AIC = 2p - 2 log L with p = k (D + D(D+1)/2) + (k - 1).
    public var aic: Double {
        let k = Double(weights.count), d = Double(dimension)
        return 2 * (k * (d + d * (d + 1) / 2) + (k - 1)) - 2 * logLikelihood
    }

    /// Fits `k` components to the rows of `data` (k-means++ seeding, then EM).
    public init(fitting data: [[Double]], components k: Int, generator: inout SeededGenerator,
                iterations: Int = 100, tolerance: Double = 1e-3, regularization: Double = 1e-6) {
        let n = data.count
        let d = data.first?.count ?? 1
        dimension = d
        // k-means++ seeding.
        var centres = [data[Int(generator.nextInt(0, Int64(n - 1)))]]
        while centres.count < k {
            let distances = data.map { x in centres.map { c in zip(x, c).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }.min()! }
            let total = distances.reduce(0, +)
            var u = generator.nextDouble() * total
            var pick = n - 1
            for (i, w) in distances.enumerated() { u -= w; if u <= 0 { pick = i; break } }
            centres.append(data[pick])
        }
        weights = Array(repeating: 1 / Double(k), count: k)
        means = centres
        var overall = Array(repeating: 0.0, count: d * d)
        let mean = (0..<d).map { j in data.reduce(0) { $0 + $1[j] } / Double(n) }
        for x in data { Self.addOuter(&overall, x, mean, 1 / Double(n)) }
        for j in 0..<d { overall[j * d + j] += regularization }
        covariances = Array(repeating: overall, count: k)
        var responsibilities = Array(repeating: Array(repeating: 0.0, count: k), count: n)
        var previous = -Double.infinity
        for _ in 0..<iterations {
            // E step.
            var total = 0.0
            let factors = covariances.map { Self.cholesky($0, d) }
            for i in 0..<n {
                var logs = (0..<k).map { c in log(max(weights[c], 1e-300)) + Self.logDensity(data[i], means[c], factors[c], d) }
                let top = logs.max()!
                var sum = 0.0
                for c in 0..<k { logs[c] = exp(logs[c] - top); sum += logs[c] }
                for c in 0..<k { responsibilities[i][c] = logs[c] / sum }
                total += top + log(sum)
            }
            logLikelihood = total
            if total - previous < tolerance { break }
            previous = total
            // M step.
            for c in 0..<k {
                let nk = max(responsibilities.reduce(0) { $0 + $1[c] }, 1e-10)
                weights[c] = nk / Double(n)
                var mu = Array(repeating: 0.0, count: d)
                for i in 0..<n {
                    data[i].withUnsafeBufferPointer { x in
                        mu.withUnsafeMutableBufferPointer { m in
                            cblas_daxpy(Int32(d), responsibilities[i][c] / nk, x.baseAddress, 1, m.baseAddress, 1)
                        }
                    }
                }
                means[c] = mu
                var sigma = Array(repeating: 0.0, count: d * d)
                for i in 0..<n { Self.addOuter(&sigma, data[i], mu, responsibilities[i][c] / nk) }
                for j in 0..<d { sigma[j * d + j] += regularization }
                covariances[c] = sigma
            }
        }
    }

    /// sigma += w (x - mu)(x - mu)^T, with OpenBLAS's rank-1 update.
    static func addOuter(_ sigma: inout [Double], _ x: [Double], _ mu: [Double], _ w: Double) {
        let d = x.count
        let diff = zip(x, mu).map { $0 - $1 }
        sigma.withUnsafeMutableBufferPointer { s in
            cblas_dger(CblasRowMajor, Int32(d), Int32(d), w, diff, 1, diff, 1, s.baseAddress, Int32(d))
        }
    }

    /// Lower Cholesky factor (row-major), with jitter if needed.
    static func cholesky(_ a: [Double], _ d: Int) -> [Double] {
        var jitter = 0.0
        while true {
            var l = Array(repeating: 0.0, count: d * d)
            var ok = true
            for i in 0..<d {
                for j in 0...i {
                    var s = a[i * d + j] + (i == j ? jitter : 0)
                    for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
                    if i == j {
                        if s <= 0 { ok = false; break }
                        l[i * d + i] = s.squareRoot()
                    } else {
                        l[i * d + j] = s / l[j * d + j]
                    }
                }
                if !ok { break }
            }
            if ok { return l }
            jitter = jitter == 0 ? 1e-9 : jitter * 10
        }
    }

    static func logDensity(_ x: [Double], _ mu: [Double], _ l: [Double], _ d: Int) -> Double {
        // Solve L z = (x - mu); log N = -0.5 (d log 2pi + 2 sum log L_ii + |z|^2).
        var z = Array(repeating: 0.0, count: d)
        var logDet = 0.0
        for i in 0..<d {
            var s = x[i] - mu[i]
            for k in 0..<i { s -= l[i * d + k] * z[k] }
            z[i] = s / l[i * d + i]
            logDet += log(l[i * d + i])
        }
        let quadratic = z.reduce(0) { $0 + $1 * $1 }
        return -0.5 * (Double(d) * log(2 * Double.pi) + quadratic) - logDet
    }

    /// A draw from component `c`.
    public func sample(component c: Int, using generator: inout SeededGenerator) -> [Double] {
        let l = Self.cholesky(covariances[c], dimension)
        let z = (0..<dimension).map { _ in generator.nextGaussian() }
        return (0..<dimension).map { i in means[c][i] + (0...i).reduce(0) { $0 + l[i * dimension + $1] * z[$1] } }
    }
}

#if canImport(Glibc)
import Glibc
#endif
