/// The critic's judgement: logistic regression over the step's surface features,
/// predicting the probability that the step is wrong. Features are standardised
/// with statistics of the training data; training is plain full-batch gradient
/// descent with a small L2 penalty, so it is deterministic.
public struct CriticModel: Sendable, Codable {
    public private(set) var weights: [Double]
    public private(set) var bias = 0.0
    private var mean: [Double]
    private var scale: [Double]

    public init(features: Int) {
        weights = Array(repeating: 0, count: features)
        mean = Array(repeating: 0, count: features)
        scale = Array(repeating: 1, count: features)
    }

    /// P(step is wrong).
    public func probabilityWrong(_ features: [Double]) -> Double {
        var z = bias
        for i in weights.indices { z += weights[i] * (features[i] - mean[i]) / scale[i] }
        return 1 / (1 + exp(-z))
    }

    /// The verdict: true for "incorrect".
    public func judgesWrong(_ features: [Double]) -> Bool { probabilityWrong(features) >= 0.5 }

    /// Fits on labelled examples (label true = wrong step), classes weighted equally.
    public mutating func fit(_ examples: [(features: [Double], wrong: Bool)], epochs: Int = 300, learningRate: Double = 0.5, l2: Double = 1e-3) {
        guard !examples.isEmpty else { return }
        let n = Double(examples.count)
        for i in weights.indices {
            let values = examples.map { $0.features[i] }
            let m = values.reduce(0, +) / n
            let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n
            mean[i] = m
            scale[i] = variance > 1e-12 ? variance.squareRoot() : 1
        }
        let positives = Double(examples.filter(\.wrong).count)
        let weightWrong = positives > 0 ? n / (2 * positives) : 1
        let weightRight = positives < n ? n / (2 * (n - positives)) : 1
        for _ in 0..<epochs {
            var gradient = Array(repeating: 0.0, count: weights.count)
            var biasGradient = 0.0
            for example in examples {
                let error = (probabilityWrong(example.features) - (example.wrong ? 1 : 0)) * (example.wrong ? weightWrong : weightRight)
                for i in weights.indices { gradient[i] += error * (example.features[i] - mean[i]) / scale[i] }
                biasGradient += error
            }
            for i in weights.indices { weights[i] -= learningRate * (gradient[i] / n + l2 * weights[i]) }
            bias -= learningRate * biasGradient / n
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
