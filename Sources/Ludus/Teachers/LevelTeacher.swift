import LudusLua

/// A teacher over levels as data (``Level``): it replays stored levels and may edit them,
/// so it needs the environment's level functions and reports each decision for the record.
///
/// The loop (``TeachLoop``) hands it a ``LevelEditor`` on the environment before the first
/// episode, puts the level it played into every ``TeacherOutcome`` (`outcome.level`), and
/// reads ``lastDecision`` after each ``Teacher/update(_:outcome:)``.
public protocol LevelTeacher: Teacher {
    /// The environment's level functions; nil until the loop sets it (then the teacher
    /// behaves as a plain parameter teacher, playing new levels only).
    var editor: LevelEditor? { get set }
    /// What the last update decided about its level. Must not throw.
    var lastDecision: LevelDecision? { get }
}

/// One curriculum decision about one level, as stored in `teach_decision`.
public struct LevelDecision: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// A new level from the parameter space (domain randomisation).
        case new
        /// A level replayed from the buffer.
        case replay
        /// A level made by mutating a replayed one (ACCEL).
        case mutation
    }

    public var kind: Kind
    public var level: Level
    public var score: Double
    /// The level it was mutated from (hash), for mutations.
    public var parent: String?
    /// `added`, `replaced`, `updated` or `rejected` (see ``LevelSampler/Insertion``).
    public var insertion: String
    /// The level evicted to make room, if any.
    public var evicted: String?
    /// Levels in the buffer after the decision.
    public var bufferSize: Int
}
