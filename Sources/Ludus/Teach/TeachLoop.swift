import Foundation
import LudusLua

/// The student/teacher loop: the teacher picks each episode's parameters (and
/// optionally its seed, and whether the student learns from it), the student plays
/// it, and every `evaluateEvery` episodes the student is scored without learning on a
/// fixed held-out test set (tasks sampled uniformly with a seed of their own).
/// Everything is reported as it happens through `onEpisode` / `onEvaluation`.
///
/// Parameters: `space` is what the teacher chooses from (by default every declared
/// parameter); `fixedParams` are set in every training and test episode; `testParams`
/// override test tasks only (`--test-param numbers=6`, an out-of-distribution level).
public final class TeachLoop {
    public struct Evaluation: Hashable, Sendable, Codable {
        public var episode: Int
        /// Fraction of test tasks mastered (return at or above `success_threshold`).
        public var mastered: Double
        public var meanReturn: Double
    }

    /// One training episode as played.
    public struct Episode: Sendable {
        public var index: Int
        /// The teacher's task, with `seed` set to the seed played.
        public var task: TeacherTask
        /// Every parameter as passed to the environment.
        public var params: [String: Value]
        public var result: EpisodeResult
        public var normalizedReturn: Double
        public var success: Bool
        /// The student's ``Student/lastEpisodeScore`` after the episode.
        public var studentScore: Double?
    }

    public let environment: any Environment
    public let teacher: any Teacher
    public let student: any Student
    public var testSetSize = 50
    public var evaluateEvery = 100
    /// The teacher's parameter space; test tasks are drawn uniformly from it too.
    public var space: ParameterSpace
    public var fixedParams: [String: Value] = [:]
    public var testParams: [String: Value] = [:]
    /// A held-out test set of levels (``Level``, e.g. ``LevelFile/set(_:for:)``): when not
    /// empty, test task i plays level i mod count (with `fixedParams`) instead of tasks drawn
    /// from `space`.
    public var testLevels: [Level] = []
    /// With a value: the run also ends after the training episode that brings the environment
    /// steps played (learning or not) to this budget, evaluated there (equal-step comparisons).
    public var stepBudget: Int?
    /// Called after each training episode (progress, database, JSONL).
    public var onEpisode: ((Episode) throws -> Void)?
    public var onEvaluation: ((Evaluation) throws -> Void)?
    /// Called when a training or test episode could not be played (the environment
    /// failed): the run records it and goes on, as `ludus run` does. `episode` is the
    /// training episode (for a test episode, the one the evaluation follows); `testTask`
    /// the index of the test task, nil for a training episode.
    public var onFailure: ((_ episode: Int, _ testTask: Int?, EpisodeError) throws -> Void)?
    /// With ``onCheckpoint`` set: a checkpoint after every `checkpointEvery` episodes, and
    /// always after each evaluation (episode 0 included) and after the last episode.
    public var checkpointEvery = 100
    /// Receives each checkpoint (after the episode's `onEpisode` and `onEvaluation` calls):
    /// store it with everything reported since the last one, and pass it to
    /// ``run(episodes:seed:from:)`` to resume.
    public var onCheckpoint: ((Checkpoint) throws -> Void)?

    public init(environment: any Environment, teacher: any Teacher, student: any Student) throws(SetupError) {
        guard environment.spec.players == 1 else { throw .unsuitable("teach works on single-player environments") }
        guard environment.spec.successThreshold != nil else {
            throw .unsuitable("\(environment.spec.id) must declare success_threshold for `mastered` to mean something")
        }
        self.environment = environment
        self.teacher = teacher
        self.student = student
        space = environment.spec.parameters
    }


    /// The held-out test tasks of a run with this seed (uniform over `space`, then
    /// `fixedParams` and `testParams`), resolved against the environment's parameters.
    /// - Throws: ``ParameterError`` when a fixed or test value is invalid.
    public func testSet(seed: UInt64) throws -> [[String: Value]] {
        if !testLevels.isEmpty {
            let base = try environment.spec.parameters.resolve(fixedParams, environment: environment.spec.id)
            return (0..<testSetSize).map { testLevels[$0 % testLevels.count].params(base) }
        }
        var generator = SeedStreams(root: seed).generator(.testSet)
        return try (0..<testSetSize).map { _ in
            let task = space.sample(using: &generator).merging(fixedParams) { $1 }.merging(testParams) { $1 }
            return try environment.spec.parameters.resolve(task, environment: environment.spec.id)
        }
    }

    /// Plays `episodes` training episodes with evaluations, or, `from` a checkpoint of the
    /// same configuration, the episodes after it: the reports and the final state are then
    /// those of an uninterrupted run, bit for bit.
    /// - Throws: what the callbacks throw, ``ParameterError`` for invalid tasks,
    ///   ``CheckpointError`` when the checkpoint does not fit this student or teacher.
    public func run(episodes: Int, seed: UInt64, from checkpoint: Checkpoint? = nil) throws -> [Evaluation] {
        let spec = environment.spec
        let testSet = try self.testSet(seed: seed)
        let seeds = SeedStreams(root: seed)
        let tasks = TaskSource(teacher: teacher, spec: spec, fixedParams: fixedParams, seed: seed)
        let runner = EpisodeRunner(environment: environment, agents: [student])
        var evaluations: [Evaluation] = []
        // A teacher over levels gets the environment's level functions (and then sees every level played).
        let levelTeacher = teacher as? any LevelTeacher
        if let levelTeacher, LevelEditor.supports(spec) {
            let base = try spec.parameters.resolve(fixedParams, environment: spec.id)
            levelTeacher.editor = try LevelEditor(environment: environment, baseParams: base)
        }
        defer { student.isLearning = true }
        func evaluate(after episode: Int) throws {
            student.isLearning = false
            defer { student.isLearning = true }
            var mastered = 0
            var total = 0.0
            for (index, params) in testSet.enumerated() {
                do {
                    // Test task i is played with the same seed at every evaluation (index 0 of the stream drew the tasks).
                    let result = try runner.run(episode: index, seed: seeds.seed(.testSet, index + 1), params: params)
                    total += result.returns[0]
                    if result.returns[0] >= spec.successThreshold! { mastered += 1 }
                } catch {
                    // A failed test episode counts as not mastered, with the lowest return.
                    total += spec.rewardRange?.lowerBound ?? 0
                    try onFailure?(episode, index, error)
                }
            }
            let evaluation = Evaluation(episode: episode, mastered: Double(mastered) / Double(max(1, testSet.count)),
                                        meanReturn: total / Double(max(1, testSet.count)))
            evaluations.append(evaluation)
            try onEvaluation?(evaluation)
        }
        func save(after episode: Int) throws {
            guard let onCheckpoint else { return }
            try onCheckpoint(Checkpoint(episode: episode, teacherGenerator: GeneratorState(tasks.generator), evaluations: evaluations,
                                        student: student.checkpoint(), teacher: teacher.checkpoint(), steps: stepsPlayed))
        }
        let last = max(1, episodes)
        var first = 1
        var stepsPlayed = 0
        if let checkpoint {
            try student.restore(from: checkpoint.student)
            try teacher.restore(from: checkpoint.teacher)
            tasks.generator = try checkpoint.teacherGenerator.generator(kind: "teach loop")
            evaluations = checkpoint.evaluations
            first = checkpoint.episode + 1
            stepsPlayed = checkpoint.steps ?? 0
        } else {
            try evaluate(after: 0)
            try save(after: 0)
        }
        for episode in stride(from: first, through: last, by: 1) {
            if let stepBudget, stepsPlayed >= stepBudget { break }
            var evaluates = episode % max(1, evaluateEvery) == 0 || episode == episodes
            var checkpoints: Bool { evaluates || episode % max(1, checkpointEvery) == 0 }
            let (task, params) = try tasks.next(episode: episode)
            let episodeSeed = task.seed!
            student.isLearning = task.learn
            let result: EpisodeResult
            do {
                result = try runner.run(episode: episode, seed: episodeSeed, params: params)
            } catch {
                student.isLearning = true
                try onFailure?(episode, nil, error)
                if evaluates { try evaluate(after: episode) }
                if checkpoints { try save(after: episode) }
                continue
            }
            student.isLearning = true
            stepsPlayed += result.length
            if let stepBudget, stepsPlayed >= stepBudget { evaluates = true }
            let score = student.lastEpisodeScore
            // The level played, read back after the episode (E.level is the episode's level, not its state).
            var played: Level? = nil
            if let editor = levelTeacher?.editor {
                do { played = try editor.current() } catch {
                    // The episode counts, but the level teacher cannot learn from a level it cannot read: recorded.
                    try onFailure?(episode, nil, .environment(.contract(ContractViolation(
                        function: "level", message: error.description, location: environment.location(of: "level"), file: spec.path))))
                }
            }
            let (normalized, success) = tasks.report(task, return: result.returns[0], length: result.length, studentScore: score,
                                                     scores: student.lastEpisodeScores, level: played)
            try onEpisode?(Episode(index: episode, task: task, params: params, result: result, normalizedReturn: normalized,
                                   success: success, studentScore: score))
            if evaluates { try evaluate(after: episode) }
            if checkpoints { try save(after: episode) }
        }
        return evaluations
    }
}
