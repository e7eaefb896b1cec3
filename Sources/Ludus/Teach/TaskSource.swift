import LudusLua

/// The teacher's side of a teach run, shared by ``TeachLoop`` and the C ABI (Python's
/// `ludus.Teacher`): each training episode's task is drawn from the run's teacher seed
/// stream, resolved against the environment's parameters (fixed values first), given
/// the episode's seed from the run's episode stream unless the teacher chose one, and
/// its outcome is normalised with `reward_range` before the teacher learns from it.
/// The same run seed and the same outcomes give the same tasks, wherever they are played.
public final class TaskSource {
    public let teacher: any Teacher
    public let spec: EnvironmentSpec
    /// Set in every task (`--param`): the teacher does not choose them.
    public var fixedParams: [String: Value]
    public let seeds: SeedStreams
    /// The teacher's draws (checkpointed with the run).
    public var generator: SeededGenerator

    public init(teacher: any Teacher, spec: EnvironmentSpec, fixedParams: [String: Value] = [:], seed: UInt64) {
        self.teacher = teacher
        self.spec = spec
        self.fixedParams = fixedParams
        seeds = SeedStreams(root: seed)
        generator = seeds.generator(.teacher)
    }

    /// The task of training episode `episode` (1-based): the teacher's choice with its seed
    /// filled in, and every parameter as the environment gets it.
    /// - Throws: ``ParameterError`` when a fixed value or the teacher's choice is invalid.
    public func next(episode: Int) throws(ParameterError) -> (task: TeacherTask, params: [String: Value]) {
        var task = teacher.sample(using: &generator)
        var params = try spec.parameters.resolve(fixedParams.merging(task.params) { $1 }, environment: spec.id)
        // A teacher over levels hands a stored level: reset gets it as the reserved `_level` parameter.
        if let level = task.level { params = level.params(params) }
        task.seed = task.seed ?? seeds.seed(.episode, episode)
        return (task, params)
    }

    /// Return scaled to [0, 1] with `reward_range` (clipped), as teachers expect.
    public func normalize(_ value: Double) -> Double {
        guard let range = spec.rewardRange else { return value }
        return min(1, max(0, (value - range.lowerBound) / (range.upperBound - range.lowerBound)))
    }

    /// Whether a return counts as success (`success_threshold`; without one, never).
    public func isSuccess(_ episodeReturn: Double) -> Bool {
        spec.successThreshold.map { episodeReturn >= $0 } ?? false
    }

    /// Tells the teacher how `task` went: the return is normalised here; `success`
    /// defaults to the environment's threshold; `advantage` is the trainer's own estimate
    /// (SEC's |advantage|, as verl passes it); `scores` and `level` feed teachers over levels (PLR, ACCEL).
    /// - Returns: the normalised return and the success flag the teacher saw.
    @discardableResult
    public func report(_ task: TeacherTask, return episodeReturn: Double, success: Bool? = nil, length: Int = 0,
                       studentScore: Double? = nil, advantage: Double? = nil, scores: EpisodeScores? = nil,
                       level: Level? = nil) -> (normalized: Double, success: Bool) {
        let normalized = normalize(episodeReturn)
        let succeeded = success ?? isSuccess(episodeReturn)
        teacher.update(task, outcome: TeacherOutcome(normalizedReturn: normalized, success: succeeded, studentScore: studentScore,
                                                     length: length, advantage: advantage, scores: scores, level: level))
        return (normalized, succeeded)
    }
}
