import LudusLua

/// What a teacher proposes for one training episode.
public struct TeacherTask: Hashable, Sendable {
    /// A value for the parameters the teacher chooses; the host fills in the rest (fixed
    /// `--param` values, then defaults) and validates them.
    public var params: [String: Value]
    /// The episode seed, or nil to let the loop derive it from the run seed and the
    /// episode number. When the loop reports the outcome (``Teacher/update(_:outcome:)``)
    /// this always holds the seed actually played.
    public var seed: UInt64?
    /// False: the student plays without learning (robust PLR's evaluation of new levels).
    public var learn: Bool
    /// True when the task is a replayed level (PLR); recorded with the episode.
    public var isReplay: Bool
    /// A level to play as it stands (``Level``): reset receives it instead of generating one
    /// from `params` (teachers over levels: PLR replays, ACCEL's mutations).
    public var level: Level?
    /// The hash of the level `level` was mutated from (ACCEL), recorded with the decision.
    public var parent: String?

    public init(params: [String: Value], seed: UInt64? = nil, learn: Bool = true, isReplay: Bool = false,
                level: Level? = nil, parent: String? = nil) {
        self.params = params
        self.seed = seed
        self.learn = learn
        self.isReplay = isReplay
        self.level = level
        self.parent = parent
    }
}

/// The outcome of one episode, as a teacher sees it.
public struct TeacherOutcome: Hashable, Sendable {
    /// The return scaled to [0, 1] with the environment's `reward_range` (clipped).
    public var normalizedReturn: Double
    /// The return reached `success_threshold`.
    public var success: Bool
    /// The student's own estimate of what the episode could still teach
    /// (``Student/lastEpisodeScore``: mean |GAE advantage|), nil when it has no value function.
    public var studentScore: Double?
    /// Steps played.
    public var length: Int
    /// The trainer's advantage for this task (verl's SEC: `bandit.objective=adv`), when it
    /// computes one; SEC then learns from its absolute value instead of |return - mean|.
    public var advantage: Double?
    /// The student's value-based scores of the episode (PVL, MaxMC), nil without a value function.
    public var scores: EpisodeScores?
    /// The level played (from `E.level`), given to ``LevelTeacher``s only.
    public var level: Level?

    public init(normalizedReturn: Double, success: Bool, studentScore: Double? = nil, length: Int = 0,
                advantage: Double? = nil, scores: EpisodeScores? = nil, level: Level? = nil) {
        self.normalizedReturn = normalizedReturn
        self.success = success
        self.studentScore = studentScore
        self.length = length
        self.advantage = advantage
        self.scores = scores
        self.level = level
    }
}

/// A curriculum: proposes the next training episode and learns from its outcome
/// (TeachMyAgent's `sample_task` / `update`).
///
/// Requirements:
/// - Teachers are deterministic given the generator they are handed (no global
///   randomness, no iteration over unordered collections when drawing), so the same
///   run seed gives the same task sequence.
/// - Returns reach them normalised to [0, 1] with the environment's `reward_range`.
/// - The loop calls `sample` then, after the episode, `update` with the same task
///   (its `seed` filled in), strictly alternating.
/// - Teachers are ``Checkpointable``: `checkpoint()` captures their whole internal state
///   (models, buffers, their own generators), so a resumed run samples the same tasks.
public protocol Teacher: AnyObject, Checkpointable {
    /// A short name for logs and the database (`random`, `sec`).
    var name: String { get }

    /// The next task: parameter values, optionally a seed, and whether the student
    /// learns from it. Must not throw.
    func sample(using generator: inout SeededGenerator) -> TeacherTask

    /// The outcome of the episode played on `task` (with `task.seed` set to the seed
    /// played). Must not throw.
    func update(_ task: TeacherTask, outcome: TeacherOutcome)

    /// One line of state for progress output (arm values, buffer size...). Must not throw.
    var summary: String { get }
}

extension Teacher {
    public var summary: String { "" }

    /// Shorthand for teachers that only look at the parameters (tests, simple callers).
    public func update(task params: [String: Value], normalizedReturn: Double, success: Bool) {
        update(TeacherTask(params: params), outcome: TeacherOutcome(normalizedReturn: normalizedReturn, success: success))
    }
}

/// Makes teachers from spec strings: `random`, `alp-gmm`, `riac`, `sec`, `sec:PARAM`,
/// `sec:PARAM=V1,V2,...` (only those arms), `target`, `plr` or `plr:OPTION=VALUE,...`.
public enum TeacherFactory {
    public static let known = ["random", "alp-gmm", "riac", "sec[:PARAM[=V1,V2,...]]", "target", "plr[:replay=P,beta=B,rho=R,capacity=N,robust=0|1]",
                               "accel[:edits=N,score=maxmc|pvl|l1,replay=P,beta=B,rho=R,capacity=N,fill=F,warmup=N,robust=0|1,topk=K]"]

    public static func make(_ spec: String, for environment: EnvironmentSpec) throws(SetupError) -> any Teacher {
        try make(spec, space: environment.parameters, environment: environment.id, levels: LevelEditor.supports(environment))
    }

    /// A teacher over `space` (the environment's parameters, possibly restricted with
    /// ``ParameterSpace/restricted(varying:fixed:)``).
    /// `levels`: the environment has levels as data (`E.level`); `plr` then replays stored
    /// levels (``LevelReplayTeacher``) unless given `levels=0`, and `accel` is available.
    public static func make(_ spec: String, space: ParameterSpace, environment: String, levels: Bool = false) throws(SetupError) -> any Teacher {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard space.parameters.contains(where: \.isSampled) else {
            throw .unsuitable("\(environment) declares no parameters a teacher could choose")
        }
        let option = parts.count > 1 ? parts[1] : nil
        switch parts.first ?? spec {
        case "random": return RandomTeacher(space: space)
        case "sec":
            guard let option else { return try SECTeacher(space: space, armParameter: nil) }
            let pieces = option.split(separator: "=", maxSplits: 1).map(String.init)
            var arms: [Value]?
            if pieces.count > 1 {
                guard let parameter = space[pieces[0]] else {
                    throw .badSpec("sec: unknown parameter '\(pieces[0])'")
                }
                arms = pieces[1].split(separator: ",").map { parameter.parse(String($0)) }
                if let bad = arms!.first(where: { parameter.problem(with: $0) != nil }) {
                    throw .badSpec("sec: arm \(displayText(bad)) is not a valid \(parameter.name) (\(parameter.domain))")
                }
            }
            return try SECTeacher(space: space, armParameter: pieces[0], arms: arms)
        case "target": return TargetTeacher(space: space)
        case "alp-gmm": return ALPGMMTeacher(space: space)
        case "riac": return RIACTeacher(space: space)
        case "accel",
             "plr" where levels && !(option ?? "").contains("levels=0"):
            return try LevelReplayTeacher.make(parts[0], options: option ?? "", space: space, environment: environment, levels: levels)
        case "plr":
            let teacher = PLRTeacher(space: space)
            for item in (option ?? "").split(separator: ",") {
                let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, let value = Double(kv[1]) else { throw .badSpec("plr: expected name=number, got '\(item)'") }
                switch kv[0] {
                case "replay" where (0...1).contains(value): teacher.replayProbability = value
                case "beta" where value > 0: teacher.temperature = value
                case "rho" where (0...1).contains(value): teacher.stalenessWeight = value
                case "capacity" where value >= 1: teacher.capacity = Int(value)
                case "robust": teacher.robust = value != 0
                case "warmup" where value >= 1: teacher.minimumBuffer = Int(value)
                case "levels" where value == 0: break
                default: throw .badSpec("plr: unknown option or value out of range '\(item)' (replay, beta, rho, capacity, robust, warmup)")
                }
            }
            return teacher
        default: throw .unknownName("unknown teacher '\(spec)' (known: \(known.joined(separator: ", ")))")
        }
    }
}

extension ParameterSpace {
    /// A parameter's value scaled to [0, 1] (choices by index), for models over tasks.
    func unitVector(_ task: [String: Value]) -> [Double] {
        parameters.filter(\.isSampled).map { p in
            let value = task[p.name] ?? p.defaultValue
            switch p.kind {
            case .int, .float:
                let span = (p.max ?? 0) - (p.min ?? 0)
                return span > 0 ? ((value.doubleValue ?? p.min ?? 0) - p.min!) / span : 0
            case .choice:
                let index = p.choices.firstIndex(of: value) ?? 0
                return p.choices.count > 1 ? Double(index) / Double(p.choices.count - 1) : 0
            case .string: return 0
            }
        }
    }

    /// The part of the space a teacher controls. `fixed` parameters are removed (the
    /// loop sets them); with `varying` non-nil only the named parameters stay, an
    /// optional range narrowing an int or float one (`size` or `size=5..9`).
    /// - Throws: ``SetupError/badSpec(_:)`` for unknown names or ranges outside the declared one.
    public func restricted(varying: [String: ClosedRange<Double>?]?, fixed: Set<String>) throws(SetupError) -> ParameterSpace {
        for name in fixed.union(varying.map { Set($0.keys) } ?? []) where self[name] == nil {
            throw .badSpec("unknown parameter '\(name)' (known: \(parameters.map(\.name).joined(separator: ", ")))")
        }
        var kept: [Parameter] = []
        for var p in parameters where !fixed.contains(p.name) {
            if let varying {
                guard let entry = varying[p.name] else { continue }
                if let range = entry {
                    guard p.kind == .int || p.kind == .float, let lo = p.min, let hi = p.max,
                          range.lowerBound >= lo, range.upperBound <= hi else {
                        throw .badSpec("--vary \(p.name)=\(range.lowerBound)..\(range.upperBound): needs an int or float parameter and a range inside \(p.domain)")
                    }
                    p.min = range.lowerBound
                    p.max = range.upperBound
                    if let d = p.defaultValue.doubleValue, !range.contains(d) {
                        p.defaultValue = p.kind == .int ? .int(Int64(range.lowerBound)) : .number(range.lowerBound)
                    }
                }
            }
            kept.append(p)
        }
        return ParameterSpace(parameters: kept)
    }
}
