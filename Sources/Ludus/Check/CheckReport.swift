/// One thing the checker found wrong.
public struct CheckProblem: Hashable, Sendable, CustomStringConvertible {
    /// The check that found it (`clone`, `replay`, ...).
    public var check: String
    /// `file:line` when known, else the file.
    public var location: String
    public var message: String

    public var description: String { "\(location): [\(check)] \(message)" }
}

/// The outcome of one named check.
public struct CheckResult: Hashable, Sendable {
    public var name: String
    public var problems: [CheckProblem]
    /// Why the check did not apply (no legal actions, no golden file...), if it was skipped.
    public var skipped: String?
    public var seconds: Double

    public var passed: Bool { problems.isEmpty }
}

/// Everything the checker found for one environment file.
public struct CheckReport: Hashable, Sendable {
    /// The environment id, or the file when it did not load.
    public var name: String
    public var file: String
    public var results: [CheckResult]

    public var problems: [CheckProblem] { results.flatMap(\.problems) }
    public var passed: Bool { problems.isEmpty }
}
