import LudusLua

/// A policy that plays one seat of an environment.
///
/// Agents are driven by a loop (``EpisodeRunner``, the tournament, the teacher
/// loop): `beginEpisode` once, then `act` whenever it is this agent's turn, then
/// `endEpisode`. An agent must be deterministic given the seeds it is handed.
public protocol Agent: AnyObject {
    /// A short name for tables and logs (`random`, `mcts:200`).
    var name: String { get }

    /// Called before each episode with a seed for the agent's own randomness and the seat it plays (1-based).
    func beginEpisode(seed: UInt64, player: Int)

    /// Chooses an action for the current state. `legalActions` is sorted, and empty
    /// when the environment does not declare `legal_actions` (every action is then legal).
    /// May read ``Environment/observation`` and clone the environment; must not step it.
    /// - Throws: when the agent cannot act (a crashed external program, for example): the loop records a forfeit.
    func act(in environment: any Environment, legalActions: [Int]) throws -> Action

    /// Called after each step with that step's result (learning agents record it).
    func observe(_ step: Step, player: Int)

    /// Called when the episode is over with the agent's return.
    func endEpisode(return episodeReturn: Double)
}

extension Agent {
    public func observe(_ step: Step, player: Int) {}
    public func endEpisode(return episodeReturn: Double) {}
}

/// Makes agents from spec strings (`random`, ...).
public enum AgentFactory {
    public static let known = ["random"]

    public static func make(_ spec: String, for environment: EnvironmentSpec) throws(EnvironmentError) -> any Agent {
        switch spec.split(separator: ":").first.map(String.init) ?? spec {
        case "random": return RandomAgent(actionSpace: environment.actionSpace)
        default:
            throw .unsupported("unknown agent '\(spec)' (known: \(known.joined(separator: ", ")))")
        }
    }
}
