import LudusLua

/// A curriculum: proposes the parameters of the next training episode and learns
/// from its outcome (TeachMyAgent's `sample_task` / `update`).
///
/// Teachers are deterministic given the generator they are handed. Returns reach
/// them normalised to [0, 1] with the environment's `reward_range`.
public protocol Teacher: AnyObject {
    /// A short name for logs and the database (`random`, `sec`).
    var name: String { get }

    /// The next task: a value for every sampled parameter (the host fills the rest with defaults).
    func sample(using generator: inout SeededGenerator) -> [String: LuaValue]

    /// The outcome of an episode on `task`. Must not throw.
    func update(task: [String: LuaValue], normalizedReturn: Double, success: Bool)

    /// One line of state for progress output (arm values, buffer size...).
    var summary: String { get }
}

extension Teacher {
    public var summary: String { "" }
}

/// Makes teachers from spec strings: `random`, `sec` or `sec:PARAM`, `target`.
public enum TeacherFactory {
    public static let known = ["random", "alp-gmm", "sec[:PARAM]", "target"]

    public static func make(_ spec: String, for environment: EnvironmentSpec) throws(EnvironmentError) -> any Teacher {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let space = environment.parameters
        guard space.parameters.contains(where: \.isSampled) else {
            throw .unsupported("\(environment.id) declares no parameters a teacher could choose")
        }
        switch parts.first ?? spec {
        case "random": return RandomTeacher(space: space)
        case "sec": return try SECTeacher(space: space, armParameter: parts.count > 1 ? parts[1] : nil)
        case "target": return TargetTeacher(space: space)
        case "alp-gmm": return ALPGMMTeacher(space: space)
        default: throw .unsupported("unknown teacher '\(spec)' (known: \(known.joined(separator: ", ")))")
        }
    }
}

extension ParameterSpace {
    /// A parameter's value scaled to [0, 1] (choices by index), for models over tasks.
    func unitVector(_ task: [String: LuaValue]) -> [Double] {
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
}
