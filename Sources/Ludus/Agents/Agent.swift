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

    /// Called by the driver right after the reset, with what the seat is shown (its
    /// ``SeatView`` in games with private observations): solvers read the game's root here.
    /// The default calls ``beginEpisode(seed:player:)``.
    func beginEpisode(in environment: any Environment, seed: UInt64, player: Int)

    /// Chooses an action for the current state. `legalActions` is sorted, and empty
    /// when the environment does not declare `legal_actions` (every action is then legal).
    /// May read ``Environment/observation`` and clone the environment; must not step it.
    /// - Throws: when the agent cannot act (a crashed external program, for example): the loop records a forfeit.
    func act(in environment: any Environment, legalActions: [Int]) throws -> Action

    /// Called after each step with that step's result (learning agents record it).
    func observe(_ step: Step, player: Int)

    /// Called when the episode is over with the agent's return.
    func endEpisode(return episodeReturn: Double)

    /// Whether `act` reads ``Environment/lastObservation`` (the loop then captures
    /// full observations, which costs a copy per step).
    var needsObservationValue: Bool { get }

    /// Whether `act` reads ``Environment/observation`` at all; when no agent of a loop
    /// does, observations are copied only on demand.
    var needsObservation: Bool { get }
}

extension Agent {
    public func beginEpisode(in environment: any Environment, seed: UInt64, player: Int) {
        beginEpisode(seed: seed, player: player)
    }
    public var needsObservationValue: Bool { false }
    public var needsObservation: Bool { true }
    public func observe(_ step: Step, player: Int) {}
    public func endEpisode(return episodeReturn: Double) {}
}

/// Makes agents from spec strings: `random`, `mcts:200` (simulations), `lua:PATH`
/// (a Lua agent file), `exec:COMMAND` (an external program speaking JSON lines),
/// `llm:MODEL@URL` (a language model behind an OpenAI-compatible server, docs/llm.md),
/// `q:PATH`, `ppo:PATH`, `es:PATH` (a student trained by `ludus teach`, playing greedily:
/// the most likely action, or the mean of a continuous policy).
public enum AgentFactory {
    public static let known = ["random", "mcts:N", "cfr:N", "cfr+:N", "lua:PATH", "exec:COMMAND", "q:PATH", "ppo:PATH", "es:PATH", "llm:MODEL@URL[?OPTIONS]"]

    public static func make(
        _ spec: String, for environment: EnvironmentSpec, limits: LuaLimits = .default, moveMilliseconds: Int = 5000
    ) throws(SetupError) -> any Agent {
        let kind = spec.split(separator: ":", maxSplits: 1).first.map(String.init) ?? spec
        let argument = spec.contains(":") ? String(spec[spec.index(after: spec.firstIndex(of: ":")!)...]) : ""
        switch kind {
        case "random": return RandomAgent(actionSpace: environment.actionSpace)
        case "mcts":
            guard let simulations = argument.isEmpty ? 100 : Int(argument), simulations > 0 else {
                throw .badSpec("agent '\(spec)': expected mcts:SIMULATIONS, e.g. mcts:200")
            }
            if let problem = MCTSAgent.unsuitability(environment) { throw .unsuitable("agent '\(spec)': \(problem)") }
            return MCTSAgent(simulations: simulations, actionSpace: environment.actionSpace)
        case "cfr", "cfr+":
            guard let iterations = argument.isEmpty ? 1000 : Int(argument), iterations > 0 else {
                throw .badSpec("agent '\(spec)': expected \(kind):ITERATIONS, e.g. cfr:5000")
            }
            guard environment.clonable, environment.hasInformationStates, environment.hasLegalActions else {
                throw .unsuitable("agent '\(spec)': CFR walks the game tree on clones and needs E.information_state and E.legal_actions (\(environment.id) lacks one)")
            }
            return CFRAgent(iterations: iterations, plus: kind == "cfr+")
        case "lua":
            guard !argument.isEmpty else { throw .badSpec("agent '\(spec)': expected lua:PATH") }
            return try LuaAgent(path: argument, limits: limits)
        case "q":
            guard case .discrete(let n, let start) = environment.actionSpace, !argument.isEmpty else {
                throw .badSpec("agent '\(spec)': expected q:PATH on a discrete action space")
            }
            let student = QLearningAgent(actions: n, start: start)
            do { try student.load(from: argument) } catch { throw .badFile("agent '\(spec)': \(error)") }
            student.isLearning = false
            return student
        case "ppo", "es":
            guard !argument.isEmpty else { throw .badSpec("agent '\(spec)': expected \(kind):PATH (a file saved by `ludus teach --out`)") }
            do {
                let student: any Student = kind == "ppo" ? try PPOStudent.open(argument, for: environment)
                                                         : try ESStudent.open(argument, for: environment)
                student.isLearning = false
                return student
            } catch let error as EnvironmentError {
                throw .badFile("agent '\(spec)': \(error)")
            } catch {
                throw .badFile("agent '\(spec)': \(error)")
            }
        case "llm":
            return LLMAgent(options: try LLMOptions(spec: argument))
        case "exec":
            guard !argument.isEmpty else { throw .badSpec("agent '\(spec)': expected exec:COMMAND") }
            return ExternalAgent(command: argument, environment: environment, moveMilliseconds: moveMilliseconds)
        default:
            throw .unknownName("unknown agent '\(spec)' (known: \(known.joined(separator: ", ")))")
        }
    }
}
