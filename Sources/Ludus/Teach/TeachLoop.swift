import Foundation
import LudusLua

/// The student/teacher loop: the teacher picks each episode's parameters, the
/// student learns on them, and every `evaluateEvery` episodes the student is scored
/// without learning on a fixed held-out test set (tasks sampled uniformly with a
/// seed of their own). Everything is recorded as it happens.
public final class TeachLoop {
    public struct Evaluation: Hashable, Sendable {
        public var episode: Int
        /// Fraction of test tasks mastered (return at or above `success_threshold`).
        public var mastered: Double
        public var meanReturn: Double
    }

    public let environment: LuaEnvironment
    public let teacher: any Teacher
    public let student: any Student
    public var testSetSize = 50
    public var evaluateEvery = 100
    /// Called after each training episode and after each evaluation (progress, JSONL).
    public var onEpisode: ((Int, [String: LuaValue], EpisodeResult, Double, Bool) throws -> Void)?
    public var onEvaluation: ((Evaluation) throws -> Void)?

    public init(environment: LuaEnvironment, teacher: any Teacher, student: any Student) throws(EnvironmentError) {
        guard environment.spec.players == 1 else { throw .unsupported("teach works on single-player environments") }
        guard environment.spec.successThreshold != nil else {
            throw .unsupported("\(environment.spec.id) must declare success_threshold for `mastered` to mean something")
        }
        self.environment = environment
        self.teacher = teacher
        self.student = student
    }

    /// Return scaled to [0, 1] with `reward_range` (clipped), as teachers expect.
    func normalize(_ value: Double) -> Double {
        guard let range = environment.spec.rewardRange else { return value }
        return min(1, max(0, (value - range.lowerBound) / (range.upperBound - range.lowerBound)))
    }

    public func run(episodes: Int, seed: UInt64) throws -> [Evaluation] {
        let spec = environment.spec
        var testGenerator = SeededGenerator(seed: SeededGenerator.derive(seed, 0x7E57))
        let testSet = (0..<testSetSize).map { _ in spec.parameters.sample(using: &testGenerator) }
        var teacherGenerator = SeededGenerator(seed: SeededGenerator.derive(seed, 0x7EAC))
        let runner = EpisodeRunner(environment: environment, agents: [student])
        environment.copiesObservation = student.needsObservation
        var evaluations: [Evaluation] = []
        func evaluate(after episode: Int) throws {
            student.isLearning = false
            defer { student.isLearning = true }
            var mastered = 0
            var total = 0.0
            for (index, task) in testSet.enumerated() {
                let params = try spec.parameters.resolve(task, environment: spec.id)
                let result = try runner.run(episode: index, seed: SeededGenerator.derive(seed ^ 0x7E57, UInt64(index)), params: params)
                total += result.returns[0]
                if result.returns[0] >= spec.successThreshold! { mastered += 1 }
            }
            let evaluation = Evaluation(episode: episode, mastered: Double(mastered) / Double(max(1, testSet.count)),
                                        meanReturn: total / Double(max(1, testSet.count)))
            evaluations.append(evaluation)
            try onEvaluation?(evaluation)
        }
        try evaluate(after: 0)
        for episode in 1...max(1, episodes) {
            let task = teacher.sample(using: &teacherGenerator)
            let params = try spec.parameters.resolve(task, environment: spec.id)
            let result = try runner.run(episode: episode, seed: SeededGenerator.derive(seed, UInt64(episode)), params: params)
            let normalized = normalize(result.returns[0])
            let success = result.returns[0] >= spec.successThreshold!
            teacher.update(task: task, normalizedReturn: normalized, success: success)
            try onEpisode?(episode, params, result, normalized, success)
            if episode % max(1, evaluateEvery) == 0 || episode == episodes { try evaluate(after: episode) }
        }
        return evaluations
    }
}
