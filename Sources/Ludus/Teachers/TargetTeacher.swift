import Foundation
import LudusLua

/// Target difficulty (Prompt Curriculum Learning, 2025): a value model V(task) of the
/// student's success probability (logistic regression on the tasks' unit-scaled
/// parameters, trained online on observed successes); each sample draws `candidates`
/// uniform tasks and keeps the one whose V is nearest 0.5.
public final class TargetTeacher: Teacher {
    public let name = "target"
    public var candidates = 16
    public var learningRate = 0.2
    private let space: ParameterSpace
    private var weights: [Double]
    private var bias = 0.0

    public init(space: ParameterSpace) {
        self.space = space
        weights = Array(repeating: 0, count: space.parameters.filter(\.isSampled).count)
    }

    func predict(_ task: [String: Value]) -> Double {
        let x = space.unitVector(task)
        var z = bias
        for i in weights.indices { z += weights[i] * x[i] }
        return 1 / (1 + exp(-z))
    }

    public func sample(using generator: inout SeededGenerator) -> TeacherTask {
        var best = space.sample(using: &generator)
        var distance = abs(predict(best) - 0.5)
        for _ in 1..<candidates {
            let task = space.sample(using: &generator)
            let d = abs(predict(task) - 0.5)
            if d < distance { (best, distance) = (task, d) }
        }
        return TeacherTask(params: best)
    }

    public func update(_ task: TeacherTask, outcome: TeacherOutcome) {
        let x = space.unitVector(task.params)
        let error = predict(task.params) - (outcome.success ? 1 : 0)
        for i in weights.indices { weights[i] -= learningRate * error * x[i] }
        bias -= learningRate * error
    }

    public var summary: String { "V(bias)=\(String(format: "%.2f", 1 / (1 + exp(-bias))))" }
}

#if canImport(Glibc)
import Glibc
#endif

// MARK: Checkpoint

extension TargetTeacher {
    struct Snapshot: Codable {
        var kind = "target"
        var weights: [Double]
        var bias: Double
    }

    /// The success model's weights and bias.
    public func checkpoint() throws -> Data { try CheckpointCoder.encode(Snapshot(weights: weights, bias: bias)) }

    /// - Throws: ``CheckpointError`` for another teacher's checkpoint or another parameter space.
    public func restore(from data: Data) throws {
        let snapshot = try CheckpointCoder.decode(Snapshot.self, from: data, kind: name)
        try CheckpointCoder.require(snapshot.kind, equals: name, "the teacher", kind: name)
        try CheckpointCoder.require(snapshot.weights.count, equals: weights.count, "the number of parameters", kind: name)
        weights = snapshot.weights
        bias = snapshot.bias
    }
}
