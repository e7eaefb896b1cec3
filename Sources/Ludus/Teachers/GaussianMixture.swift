import CBLAS
import LudusLua

/// A Gaussian mixture with full covariances fitted by EM, for ALP-GMM.
///
/// The fit follows scikit-learn's `GaussianMixture(covariance_type="full", n_init=1,
/// init_params="kmeans")` so that both choose the same k by AIC on the same data in
/// most cases: greedy k-means++ seeding, Lloyd iterations until the assignment is
/// stable (at most 100), parameters from the hard assignment, then EM (at most
/// `iterations` = 100 rounds) until the mean log-likelihood per point changes by less
/// than `tolerance` = 1e-3, with `regularization` = 1e-6 added to each covariance's
/// diagonal. The reported log-likelihood is that of the final parameters. (The random
/// streams differ from scikit-learn's, so EM can land in another local optimum.)
///
/// Dimensions are small (task parameters + 1), so the data live in one flat row-major
/// buffer, Cholesky factors and triangular solves are hand-written, and the M step's
/// weighted sums (means = R^T X, covariances = W^T W) are OpenBLAS `dgemm` calls.
public struct GaussianMixture: Sendable, Codable {
    public var weights: [Double]
    public var means: [[Double]]
    /// Row-major D x D covariances.
    public var covariances: [[Double]]
    public private(set) var logLikelihood = -Double.infinity
    /// EM rounds run.
    public private(set) var iterations = 0
    public let dimension: Int

    /// AIC = 2p - 2 log L with p = k (D + D(D+1)/2) + (k - 1).
    public var aic: Double {
        let k = Double(weights.count), d = Double(dimension)
        return 2 * (k * (d + d * (d + 1) / 2) + (k - 1)) - 2 * logLikelihood
    }

    /// Fits `k` components to the rows of `data` (at least k rows, all of one length).
    public init(fitting data: [[Double]], components k: Int, generator: inout SeededGenerator,
                iterations maxIterations: Int = 100, tolerance: Double = 1e-3, regularization: Double = 1e-6) {
        let n = data.count
        let d = data.first?.count ?? 1
        dimension = d
        var x = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { x[i * d + j] = data[i][j] } }

        // Greedy k-means++ seeding (as scikit-learn: 2 + floor(ln k) candidates per centre,
        // keep the one that lowers the potential most), then Lloyd iterations.
        var centres = [Double](repeating: 0, count: k * d)
        var nearest = [Double](repeating: .infinity, count: n)
        let trials = 2 + Int(log(Double(k)))
        func distances(to point: Int) -> [Double] {
            (0..<n).map { i in
                var s = 0.0
                for j in 0..<d { let t = x[i * d + j] - x[point * d + j]; s += t * t }
                return s
            }
        }
        let first = Int(generator.nextInt(0, Int64(n - 1)))
        for j in 0..<d { centres[j] = x[first * d + j] }
        nearest = distances(to: first)
        for c in 1..<max(1, k) {
            var best: (potential: Double, point: Int, distances: [Double])?
            let total = nearest.reduce(0, +)
            for _ in 0..<trials {
                var u = generator.nextDouble() * total
                var candidate = n - 1
                for i in 0..<n { u -= nearest[i]; if u <= 0 { candidate = i; break } }
                let candidateDistances = distances(to: candidate)
                var potential = 0.0
                for i in 0..<n { potential += min(nearest[i], candidateDistances[i]) }
                if best == nil || potential < best!.potential { best = (potential, candidate, candidateDistances) }
            }
            for j in 0..<d { centres[c * d + j] = x[best!.point * d + j] }
            for i in 0..<n { nearest[i] = min(nearest[i], best!.distances[i]) }
        }
        var labels = [Int](repeating: -1, count: n)
        for _ in 0..<100 {
            var changed = false
            for i in 0..<n {
                var best = 0, bestDistance = Double.infinity
                for c in 0..<k {
                    var s = 0.0
                    for j in 0..<d { let t = x[i * d + j] - centres[c * d + j]; s += t * t }
                    if s < bestDistance { bestDistance = s; best = c }
                }
                if labels[i] != best { labels[i] = best; changed = true }
            }
            if !changed { break }
            var sums = [Double](repeating: 0, count: k * d)
            var counts = [Int](repeating: 0, count: k)
            for i in 0..<n {
                counts[labels[i]] += 1
                for j in 0..<d { sums[labels[i] * d + j] += x[i * d + j] }
            }
            for c in 0..<k where counts[c] > 0 {
                for j in 0..<d { centres[c * d + j] = sums[c * d + j] / Double(counts[c]) }
            }
        }

        // Responsibilities (n x k, row-major) from the hard assignment, then EM.
        var resp = [Double](repeating: 0, count: n * k)
        for i in 0..<n { resp[i * k + labels[i]] = 1 }
        var w = [Double](repeating: 0, count: k)
        var mu = [Double](repeating: 0, count: k * d)
        var sigma = [Double](repeating: 0, count: k * d * d)
        var scratch = [Double](repeating: 0, count: n * d)
        var factors = [Double](repeating: 0, count: k * d * d)
        var logDets = [Double](repeating: 0, count: k)
        Self.mStep(x, n, d, k, resp, &w, &mu, &sigma, &scratch, regularization)
        // scikit-learn's order: E step (its log-likelihood is the bound), M step, then the
        // convergence test; the final log-likelihood is that of the last M step's parameters.
        var bound = -Double.infinity
        var rounds = 0
        while rounds < maxIterations {
            rounds += 1
            let previous = bound
            bound = Self.eStep(x, n, d, k, w, mu, sigma, &factors, &logDets, &resp)
            Self.mStep(x, n, d, k, resp, &w, &mu, &sigma, &scratch, regularization)
            if abs(bound - previous) < tolerance { break }
        }
        let mean = Self.eStep(x, n, d, k, w, mu, sigma, &factors, &logDets, &resp)
        iterations = rounds
        logLikelihood = mean * Double(n)
        weights = w
        means = (0..<k).map { c in Array(mu[(c * d)..<((c + 1) * d)]) }
        covariances = (0..<k).map { c in Array(sigma[(c * d * d)..<((c + 1) * d * d)]) }
    }

    /// Weights, means (R^T X / N_k) and covariances (W^T W / N_k + reg I, W = sqrt(r)(x - mu)).
    private static func mStep(_ x: [Double], _ n: Int, _ d: Int, _ k: Int, _ resp: [Double],
                              _ w: inout [Double], _ mu: inout [Double], _ sigma: inout [Double],
                              _ scratch: inout [Double], _ regularization: Double) {
        var nk = [Double](repeating: 0, count: k)
        for i in 0..<n { for c in 0..<k { nk[c] += resp[i * k + c] } }
        for c in 0..<k { nk[c] += 10 * Double.ulpOfOne; w[c] = nk[c] / Double(n) }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(d), Int32(n), 1, resp, Int32(k), x, Int32(d), 0, &mu, Int32(d))
        for c in 0..<k { for j in 0..<d { mu[c * d + j] /= nk[c] } }
        for c in 0..<k {
            for i in 0..<n {
                let r = resp[i * k + c].squareRoot()
                for j in 0..<d { scratch[i * d + j] = r * (x[i * d + j] - mu[c * d + j]) }
            }
            sigma.withUnsafeMutableBufferPointer { s in
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(n), 1 / nk[c], scratch, Int32(d),
                            scratch, Int32(d), 0, s.baseAddress! + c * d * d, Int32(d))
            }
            for j in 0..<d { sigma[c * d * d + j * d + j] += regularization }
        }
    }

    /// Responsibilities for the current parameters; returns the mean log-likelihood per point.
    private static func eStep(_ x: [Double], _ n: Int, _ d: Int, _ k: Int, _ w: [Double], _ mu: [Double], _ sigma: [Double],
                              _ factors: inout [Double], _ logDets: inout [Double], _ resp: inout [Double]) -> Double {
        for c in 0..<k {
            let l = cholesky(Array(sigma[(c * d * d)..<((c + 1) * d * d)]), d)
            var logDet = 0.0
            for j in 0..<d { logDet += log(l[j * d + j]) }
            logDets[c] = logDet
            for t in 0..<(d * d) { factors[c * d * d + t] = l[t] }
        }
        let constant = 0.5 * Double(d) * log(2 * Double.pi)
        var total = 0.0
        var z = [Double](repeating: 0, count: d)
        for i in 0..<n {
            var top = -Double.infinity
            for c in 0..<k {
                var quadratic = 0.0
                let base = c * d * d
                for a in 0..<d {
                    var s = x[i * d + a] - mu[c * d + a]
                    for b in 0..<a { s -= factors[base + a * d + b] * z[b] }
                    z[a] = s / factors[base + a * d + a]
                    quadratic += z[a] * z[a]
                }
                let value = log(max(w[c], 1e-300)) - constant - 0.5 * quadratic - logDets[c]
                resp[i * k + c] = value
                if value > top { top = value }
            }
            var sum = 0.0
            for c in 0..<k { let e = exp(resp[i * k + c] - top); resp[i * k + c] = e; sum += e }
            for c in 0..<k { resp[i * k + c] /= sum }
            total += top + log(sum)
        }
        return total / Double(n)
    }

    /// ALP-GMM's refit: a mixture for each k in `components` (at most the number of rows),
    /// the lowest AIC kept; nil for no data. OpenBLAS runs single-threaded (the matrices
    /// are tiny and teach workers may run in parallel).
    public static func bestByAIC(fitting data: [[Double]], components: ClosedRange<Int>,
                                 generator: inout SeededGenerator) -> GaussianMixture? {
        openblas_set_num_threads(1)
        var best: GaussianMixture?
        for k in components where k <= data.count {
            let candidate = GaussianMixture(fitting: data, components: k, generator: &generator)
            if best == nil || candidate.aic < best!.aic { best = candidate }
        }
        return best
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

    /// log N(x; mu, L L^T) for a lower Cholesky factor `l`.
    static func logDensity(_ x: [Double], _ mu: [Double], _ l: [Double], _ d: Int) -> Double {
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

    /// Log-likelihood of `data` under the mixture (for checks against other implementations).
    public func logLikelihood(of data: [[Double]]) -> Double {
        let factors = covariances.map { Self.cholesky($0, dimension) }
        return data.reduce(0) { total, x in
            let logs = weights.indices.map { c in log(max(weights[c], 1e-300)) + Self.logDensity(x, means[c], factors[c], dimension) }
            let top = logs.max()!
            return total + top + log(logs.reduce(0) { $0 + exp($1 - top) })
        }
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
