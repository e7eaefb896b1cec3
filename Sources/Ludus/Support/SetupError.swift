/// Why a run cannot be set up as asked, before any episode is played. Distinct from
/// ``EnvironmentError`` (the environment failed) and ``EpisodeError`` (an episode failed):
/// here the user's request itself is wrong, and the message says what to give instead.
public enum SetupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No agent, student or teacher of that name (the message lists the known ones).
    case unknownName(String)
    /// A spec string or setting that does not parse or is out of range
    /// (`mcts:x`, `ppo:lr=2`, `plr:beta=-1`, `--vary size=1..99`).
    case badSpec(String)
    /// The loop or agent cannot run on this environment (self-play on a one-player task,
    /// MCTS on an environment that cannot be cloned, a critic game without error types).
    case unsuitable(String)
    /// A file an agent or student is loaded from is not what it should be
    /// (a crafted parameter count, a q-table with non-finite values).
    case badFile(String)

    public var description: String {
        switch self {
        case .unknownName(let message), .badSpec(let message), .unsuitable(let message), .badFile(let message): return message
        }
    }

    /// A stable kind name for logs and databases.
    public var kind: String {
        switch self {
        case .unknownName: return "unknown_name"
        case .badSpec: return "bad_spec"
        case .unsuitable: return "unsuitable"
        case .badFile: return "bad_file"
        }
    }
}
