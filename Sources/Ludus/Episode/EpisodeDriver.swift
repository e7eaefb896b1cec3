import LudusLua

/// How one episode went.
public struct EpisodeResult: Hashable, Sendable {
    public var seed: UInt64
    /// Return of each player.
    public var returns: [Double]
    public var length: Int
    public var terminated: Bool
    public var truncated: Bool
    /// One definition everywhere (see ``TrajectoryHash``): equal hashes, equal episodes.
    public var trajectoryHash: String
    public var outcome: Outcome
}

/// What the driver does when an agent cannot produce a valid move (it threw, or
/// answered outside the action space or the legal actions).
public enum AgentFailurePolicy: Sendable {
    /// The agent forfeits: the episode ends, the agent loses, the others win.
    case forfeit
    /// The run stops with ``EpisodeError/agent(player:_:)`` naming the agent (replays, checks).
    case stop
}

/// Why an episode could not be played to its end.
public enum EpisodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The environment failed or broke its contract (a script error, a reward of the
    /// wrong shape, a non-finite reward, an observation outside its space, a player
    /// to move out of range). Names the script's file:line where known.
    case environment(EnvironmentError)
    /// An agent failed and the policy is ``AgentFailurePolicy/stop``.
    case agent(player: Int, AgentFailure)
    /// An observer failed (a trace that cannot be written, a checker invariant).
    case observer(String)

    public var description: String {
        switch self {
        case .environment(let error): return error.description
        case .agent(let player, let failure): return "player \(player) (\(failure.agent)): \(failure.reason)"
        case .observer(let message): return message
        }
    }

    /// A stable kind name for logs, JUnit and databases.
    public var kind: String {
        switch self {
        case .environment(let error): return error.kind
        case .agent: return "agent_error"
        case .observer: return "observer_error"
        }
    }
}

/// The one episode loop of Ludus. Every loop (run, replay, render, check,
/// tournaments, teach, self-play, critic) plays its episodes through a driver; what
/// differs between them is plug-ins: the agents in the seats, the observers
/// (tracing, rendering, invariants) and the agent-failure policy.
///
/// On every reset and step the driver checks the contract, so that no loop can
/// silently record a wrong result: the player to move is in range, actions are in
/// the action space and among the legal actions (else the agent forfeits), every
/// player's reward is finite and observations are inside the observation space
/// (else an environment error naming the script). It decides what observations to
/// copy from what the agents and observers need, never from a command-line flag.
///
/// Chance nodes (`current_player` -1, `E.chance_outcomes`) are sampled here from the
/// episode's chance stream (or played by ``chanceAgent``), never by an agent. In games with
/// private observations (`E.observe`) each agent is handed its own ``SeatView``, never the
/// environment: it can read only its seat's observation and information state.
///
/// A driver is single-threaded, like its environment; it allocates nothing per step
/// for discrete actions of single-player tasks.
public final class EpisodeDriver {
    public let environment: any Environment
    // The per-move state below is marked `@exclusivity(unchecked)`: the driver is single-threaded
    // and never hands these out inout across a call that could reach them again, and the runtime's
    // check (an access-set insert and a thread-local lookup each) was 3% of a connect_four move.
    @exclusivity(unchecked) public var observers: [any EpisodeObserver] = []
    public var onAgentFailure: AgentFailurePolicy = .forfeit
    /// Steps after which an episode is cut (truncated): `max_steps`, else the host's cap.
    public var stepCap: Int
    /// The host's own cap when the script declares no `max_steps`.
    public static let stepCapWithoutMaxSteps = 100_000

    private let bounds: ObservationBounds
    /// Read once: `environment.spec` through the protocol copies the whole spec (every game read it three times).
    private let spec: EnvironmentSpec
    private let actionSpace: Space
    private let players: Int
    @exclusivity(unchecked) private var legal: [Int] = []
    /// One view per seat when players see different things (`E.observe`): agents get only their own.
    private let views: [SeatView]
    private let hasChance: Bool
    @exclusivity(unchecked) private var chance = SeededGenerator(seed: 0)
    /// Who decides chance nodes: nil samples `E.chance_outcomes` from the episode's chance
    /// stream (``SeedPurpose/chance``); a replay sets an agent that plays recorded outcomes.
    public var chanceAgent: (any Agent)?

    public init(environment: any Environment) {
        self.environment = environment
        spec = environment.spec
        stepCap = environment.spec.maxSteps ?? Self.stepCapWithoutMaxSteps
        bounds = ObservationBounds(environment.spec.observationSpace)
        actionSpace = environment.spec.actionSpace
        players = environment.spec.players
        legal.reserveCapacity(64)
        views = environment.spec.hasPrivateObservations ? (1...players).map { SeatView(of: environment, seat: $0) } : []
        hasChance = environment.spec.hasExplicitChance
    }

    /// What seat `player` is shown: the environment itself, or only its own ``SeatView``.
    public func view(for player: Int) -> any Environment { views.isEmpty ? environment : views[player - 1] }

    /// Where an episode stands: what ``play(episode:seed:params:agents:limit:)`` and
    /// ``advance(_:agents:limit:)`` carry from step to step.
    public struct Progress {
        public var episode: Int
        public var seed: UInt64
        public var returns: [Double]
        public var length = 0
        public var terminated = false
        public var truncated = false
        public var hash = TrajectoryHash()
        public var forfeit: (player: Int, reason: String)?
        public var isOver: Bool { terminated || truncated || forfeit != nil }
    }

    /// Resets the environment and plays one episode. Seat `i` (1-based) gets agent
    /// `agents[i - 1]`, seeded with ``SeedStreams/agentSeed(episode:seat:)``.
    /// - Parameter limit: stop after this many steps without ending the episode (replays
    ///   that run out of actions, renders after N steps); the result then reports neither flag.
    /// - Throws: ``EpisodeError``; agent failures only with ``AgentFailurePolicy/stop``.
    public func play(episode: Int = 0, seed: UInt64, params: [String: Value], agents: [any Agent],
                     limit: Int? = nil) throws(EpisodeError) -> EpisodeResult {
        var progress = try begin(episode: episode, seed: seed, params: params, agents: agents)
        try advance(&progress, agents: agents, limit: limit)
        return try finish(progress, agents: agents)
    }

    /// Resets the environment, checks the first observation, tells the observers and
    /// begins every agent's episode: the first half of ``play(episode:seed:params:agents:limit:)``.
    /// With no agents, the caller chooses every action through the step-wise API
    /// (``turn(_:)`` then ``play(_:by:agent:agents:_:)``): the C ABI and the Python package.
    public func begin(episode: Int = 0, seed: UInt64, params: [String: Value],
                      agents: [any Agent]) throws(EpisodeError) -> Progress {
        precondition(agents.isEmpty || agents.count == spec.players, "one agent per player, or none (the caller acts)")
        environment.copiesObservation = true
        environment.capturesDetail = agents.contains { $0.needsObservationValue } || observers.contains { $0.needsDetail }
        do { try environment.reset(seed: seed, params: params) } catch { throw .environment(error) }
        try checkObservation(function: "reset")
        var progress = Progress(episode: episode, seed: seed, returns: Array(repeating: 0, count: spec.players))
        progress.hash.combine(observation: environment.observation)
        for observer in observers {
            do { try observer.didReset(environment, episode: episode, seed: seed, params: params) } catch { throw .observer("\(error)") }
        }
        chance = SeedStreams(root: seed).generator(.chance)
        for (index, agent) in agents.enumerated() {
            let agentSeed = SeedStreams.agentSeed(episode: seed, seat: index + 1)
            if !views.isEmpty { views[index].begin(seed: agentSeed) }
            agent.beginEpisode(in: view(for: index + 1), seed: agentSeed, player: index + 1)
        }
        chanceAgent?.beginEpisode(seed: SeedStreams.agentSeed(episode: seed, seat: 0), player: Chance.player)
        return progress
    }

    /// Plays on from the environment's current state until the episode ends, an agent
    /// forfeits, the step cap is reached or `limit` more steps have been taken.
    /// Agents must already have begun their episode.
    public func advance(_ progress: inout Progress, agents: [any Agent], limit: Int? = nil) throws(EpisodeError) {
        let until = limit.map { min(stepCap, progress.length + $0) } ?? stepCap
        // Random seats are played directly (tournaments, benches): the same draw as their `act`.
        let randoms = agents.map { $0 as? RandomAgent }
        while !progress.isOver && progress.length < until {
            let player = try nextPlayer(progress)
            if player == Chance.player {
                try chanceStep(&progress, agents: agents)
                continue
            }
            if let random = randoms[player - 1], !legal.isEmpty {
                try apply(.discrete(random.pick(from: legal)), player: player, to: &progress, agents: agents)
                continue
            }
            let agent = agents[player - 1]
            let action: Action
            do {
                if !views.isEmpty && (agent.needsObservation || agent.needsObservationValue) {
                    do { try views[player - 1].refresh() } catch { throw EpisodeError.environment(error) }
                }
                action = try agent.act(in: view(for: player), legalActions: legal)
            } catch let error as EpisodeError {
                throw error
            } catch let error as EnvironmentError {
                // The environment failed inside the agent's turn (a search on its clones): its error, not a forfeit.
                throw .environment(error)
            } catch {
                let reason = (error as? AgentFailure)?.reason ?? "\(error)"
                try fail(&progress, player: player, AgentFailure(agent: agent.name, reason: reason))
                return
            }
            // As play(_:by:agent:agents:_:), without building the agent's name unless it fails;
            // the step cap is the loop's own bound.
            if let problem = invalid(action) {
                try fail(&progress, player: player, AgentFailure(agent: agent.name, reason: problem))
                return
            }
            try apply(action, player: player, to: &progress, agents: agents)
        }
        if !progress.isOver && progress.length >= stepCap { progress.truncated = true }
    }

    // MARK: Step-wise API: one move at a time, the same checks and the same hash as advance

    /// The legal actions of the player to move, as of the last ``turn(_:)`` (empty when the
    /// environment does not list them: every action of the space is legal).
    public var legalActions: [Int] { legal }

    /// The player to move (checked to be in range while the episode runs), its legal
    /// actions then in ``legalActions``. Chance nodes on the way are played here (sampled
    /// from the episode's chance stream, as ``advance(_:agents:limit:)`` does); if one ends
    /// the episode, the answer is 0.
    /// - Throws: ``EpisodeError/environment(_:)`` when the script fails or says the game is
    ///   over although no step ended the episode.
    public func turn(_ progress: inout Progress, agents: [any Agent] = []) throws(EpisodeError) -> Int {
        while true {
            let player = try nextPlayer(progress)
            guard player == Chance.player else { return player }
            try chanceStep(&progress, agents: agents)
            if progress.isOver { return 0 }
        }
    }

    /// The player to move, checked: `1...players`, or ``Chance/player`` where the environment
    /// models chance; its legal actions in ``legalActions``.
    private func nextPlayer(_ progress: Progress) throws(EpisodeError) -> Int {
        let player: Int
        do { player = try environment.turn(legal: &legal) } catch { throw .environment(error) }
        guard player != 0 else {
            throw .environment(violation("current_player", "returned 0 (game over) after \(progress.length) step(s), but no step ended the episode"))
        }
        if player == Chance.player && hasChance { return player }
        guard player >= 1 && player <= players else {
            throw .environment(violation("current_player", "returned \(player), outside 1...\(players) while the episode is running"
                                         + (player == Chance.player ? " (-1 is the chance player: define E.chance_outcomes)" : "")))
        }
        return player
    }

    /// Plays `action` for `player` (the one ``turn(_:)`` named): checks it against the legal
    /// actions and the action space (else the agent named `agent` fails, per
    /// ``onAgentFailure``), steps, checks rewards and the observation, extends the hash,
    /// tells `agents` and the observers, and cuts the episode at the step cap.
    /// - Returns: the step, or nil when the action was refused and the agent forfeited.
    @discardableResult
    public func play(_ action: Action, by player: Int, agent: String = "caller", agents: [any Agent] = [],
                     _ progress: inout Progress) throws(EpisodeError) -> Step? {
        if let problem = invalid(action) {
            try fail(&progress, player: player, AgentFailure(agent: agent, reason: problem))
            return nil
        }
        let step = try apply(action, player: player, to: &progress, agents: agents)
        if !progress.isOver && progress.length >= stepCap { progress.truncated = true }
        return step
    }

    /// A chance node: the outcome is sampled from `E.chance_outcomes` with the episode's
    /// chance stream (or played by ``chanceAgent``), then stepped like any move.
    private func chanceStep(_ progress: inout Progress, agents: [any Agent]) throws(EpisodeError) {
        let outcomes: [ChanceOutcome]
        do { outcomes = try environment.chanceOutcomes() } catch { throw .environment(error) }
        if let problem = ChanceOutcome.problem(with: outcomes) { throw .environment(violation("chance_outcomes", problem)) }
        var action = Action.discrete(ChanceOutcome.sample(outcomes, using: &chance).action)
        if let chanceAgent {
            legal.removeAll(keepingCapacity: true)
            for outcome in outcomes.sorted(by: { $0.action < $1.action }) { legal.append(outcome.action) }
            do { action = try chanceAgent.act(in: environment, legalActions: legal) } catch {
                throw .agent(player: Chance.player, AgentFailure(agent: chanceAgent.name, reason: (error as? AgentFailure)?.reason ?? "\(error)"))
            }
            guard case .discrete(let a) = action, outcomes.contains(where: { $0.action == a && $0.probability > 0 }) else {
                throw .agent(player: Chance.player, AgentFailure(agent: chanceAgent.name, reason: "chance outcome \(action) is not among \(legal)"))
            }
        }
        try apply(action, player: Chance.player, to: &progress, agents: agents)
    }

    /// Steps the environment with `player`'s action and records the step: returns, checks,
    /// the trajectory hash, agents and observers.
    @inline(__always) @discardableResult
    private func apply(_ action: Action, player: Int, to progress: inout Progress, agents: [any Agent]) throws(EpisodeError) -> Step {
        let step: Step
        do { step = try environment.step(action) } catch { throw .environment(error) }
        progress.length += 1
        for i in 0..<players {
            let reward = step.reward(of: i + 1)
            guard reward.isFinite else {
                throw .environment(violation("step", "returned a reward of \(reward) for player \(i + 1) at step \(progress.length): rewards must be finite"))
            }
            progress.returns[i] += reward
        }
        // The bounds check and the hash in one pass over the observation (the hash of a step
        // that fails the check is never used: the episode ends with the error).
        // The hash is mixed in a local: through `progress` (inout) every word was stored and
        // loaded back, and the store-to-load forwarding doubled the mixing chain's latency.
        let observation = environment.observation
        var hash = progress.hash
        hash.combine(action: action)
        let inside = bounds.contains(observation, visiting: { hash.combine(number: $0) })
        hash.combine(texts: observation.texts, step: step, players: players)
        progress.hash = hash
        if !inside { try reportObservation(observation, function: "step") }
        progress.terminated = step.terminated
        progress.truncated = step.truncated
        for (index, seat) in agents.enumerated() { seat.observe(step, player: index + 1) }
        for observer in observers {
            do {
                try observer.didStep(environment, episode: progress.episode, length: progress.length, player: player, action: action, step: step)
            } catch { throw .observer("\(error)") }
        }
        return step
    }


    /// Ends every agent's episode, tells the observers and builds the result.
    public func finish(_ progress: Progress, agents: [any Agent]) throws(EpisodeError) -> EpisodeResult {
        let result = result(of: progress, outcome: endAgents(progress, agents: agents))
        try tellObservers(result, episode: progress.episode)
        return result
    }

    /// ``finish(_:agents:)`` for loops that keep the progress itself (returns, length, the
    /// hash as a number): the result, with its hash as text, is built only for observers.
    public func end(_ progress: Progress, agents: [any Agent]) throws(EpisodeError) -> Outcome {
        let outcome = endAgents(progress, agents: agents)
        if !observers.isEmpty { try tellObservers(result(of: progress, outcome: outcome), episode: progress.episode) }
        return outcome
    }

    private func endAgents(_ progress: Progress, agents: [any Agent]) -> Outcome {
        let outcome: Outcome = progress.forfeit.map { .forfeit(player: $0.player, reason: $0.reason) }
            ?? Outcome.decide(returns: progress.returns, terminated: progress.terminated, spec: spec)
        for (index, agent) in agents.enumerated() { agent.endEpisode(return: progress.returns[index]) }
        return outcome
    }

    private func result(of progress: Progress, outcome: Outcome) -> EpisodeResult {
        EpisodeResult(seed: progress.seed, returns: progress.returns, length: progress.length, terminated: progress.terminated,
                      truncated: progress.truncated, trajectoryHash: progress.hash.hex, outcome: outcome)
    }

    private func tellObservers(_ result: EpisodeResult, episode: Int) throws(EpisodeError) {
        for observer in observers {
            do { try observer.didEnd(environment, episode: episode, result: result) } catch { throw .observer("\(error)") }
        }
    }

    /// Why an action may not be played, or nil: it must be among the legal actions
    /// when the environment lists them, else inside the action space.
    @inline(__always)
    private func invalid(_ action: Action) -> String? {
        if !legal.isEmpty {
            guard case .discrete(let a) = action else {
                return "an answer of the wrong shape (\(action.kindName) \(action)); expected one of the legal actions \(legal)"
            }
            return Self.sortedContains(legal, a) ? nil : "illegal action \(a) (legal: \(legal))"
        }
        return actionSpace.problem(with: action)
    }

    @inline(__always)
    private static func sortedContains(_ sorted: [Int], _ value: Int) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == value
    }

    private func fail(_ progress: inout Progress, player: Int, _ failure: AgentFailure) throws(EpisodeError) {
        if onAgentFailure == .stop { throw .agent(player: player, failure) }
        // The agent at fault loses; every other seat wins.
        if progress.returns.count > 1 {
            for i in progress.returns.indices { progress.returns[i] = i == player - 1 ? -1 : 1 }
        }
        progress.forfeit = (player, failure.reason)
    }

    @inline(__always)
    private func checkObservation(function: String) throws(EpisodeError) {
        let observation = environment.observation
        if bounds.contains(observation) { return }
        try reportObservation(observation, function: function)
    }

    /// Throws the problem of an observation that failed the fast bounds test.
    private func reportObservation(_ observation: ObservationView, function: String) throws(EpisodeError) {
        if let problem = bounds.problem(with: observation) {
            throw .environment(violation(function, "returned an observation outside \(environment.spec.observationSpace): \(problem)"))
        }
    }

    private func violation(_ function: String, _ message: String) -> EnvironmentError {
        .contract(ContractViolation(function: function, message: message, location: environment.location(of: function),
                                    file: environment.spec.path))
    }
}
