import LudusLua

/// The sneaky generator's policy: a gradient bandit over error types (Sutton & Barto 2.8):
/// softmax over preferences, nudged toward types that fooled the critic.
public struct GeneratorBandit: Sendable, Codable {
    public private(set) var preferences: [Double]
    public var stepSize: Double
    private var baseline = 0.0
    private var updates = 0

    public init(arms: Int, stepSize: Double = 0.1) {
        preferences = Array(repeating: 0, count: max(1, arms))
        self.stepSize = stepSize
    }

    public var probabilities: [Double] {
        let top = preferences.max() ?? 0
        let weights = preferences.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    public func sample(using generator: inout SeededGenerator) -> Int {
        let u = generator.nextDouble()
        var cumulative = 0.0
        for (arm, p) in probabilities.enumerated() {
            cumulative += p
            if u < cumulative { return arm }
        }
        return preferences.count - 1
    }

    /// One outcome: the arm played and the generator's reward (+1 fooled, -1 caught).
    public mutating func update(arm: Int, reward: Double) {
        updates += 1
        baseline += (reward - baseline) / Double(updates)
        let pi = probabilities
        for a in preferences.indices {
            let indicator = a == arm ? 1.0 : 0.0
            preferences[a] += stepSize * (reward - baseline) * (indicator - pi[a])
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
