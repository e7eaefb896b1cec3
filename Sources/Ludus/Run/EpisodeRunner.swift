import LudusLua

/// How one episode went.
public struct EpisodeResult: Hashable, Sendable {
    public var seed: UInt64
    /// Return of each player.
    public var returns: [Double]
    public var length: Int
    public var terminated: Bool
    public var truncated: Bool
    /// FNV-1a over every observation, action, reward and flag: equal hashes, equal episodes.
    public var trajectoryHash: String
    /// `success`/`failure`/`truncated` for one player; `player1`, `draw`... for games.
    public var outcome: String
}

/// Plays episodes of one environment with one agent per seat.
public final class EpisodeRunner {
    public let environment: any Environment
    public let agents: [any Agent]
    /// The host's own cap when the script declares no `max_steps`.
    public static let stepCapWithoutMaxSteps = 100_000
    public var trace: TraceWriter?
    /// Called after reset and after each step with the rendering (for `--render`).
    public var onRender: ((String) -> Void)?
    private var legal: [Int] = []

    public init(environment: any Environment, agents: [any Agent]) {
        precondition(agents.count == environment.spec.players, "one agent per player")
        self.environment = environment
        self.agents = agents
        legal.reserveCapacity(64)
    }

    /// Plays one episode. Agent `i` gets seed `derive(seed, i + 1)`; the environment gets `seed`.
    /// - Throws: ``EnvironmentError`` when the script fails; agent errors propagate as they are.
    public func run(episode: Int, seed: UInt64, params: [String: LuaValue]) throws -> EpisodeResult {
        let spec = environment.spec
        environment.capturesDetail = trace != nil
        try environment.reset(seed: seed, params: params)
        var hash = StableHash()
        hashObservation(&hash)
        try trace?.writeReset(episode: episode, seed: seed, params: params, observation: environment.lastObservation, info: environment.lastInfo)
        if let onRender, let text = try environment.render() { onRender(text) }
        for (index, agent) in agents.enumerated() {
            agent.beginEpisode(seed: SeededGenerator.derive(seed, UInt64(index + 1)), player: index + 1)
        }
        var returns = Array(repeating: 0.0, count: spec.players)
        var length = 0
        var last = Step(rewards: returns, terminated: false, truncated: false)
        let cap = spec.maxSteps ?? Self.stepCapWithoutMaxSteps
        while !last.isDone && length < cap {
            let player = try environment.turn(legal: &legal)
            if player == 0 { break }
            guard (1...spec.players).contains(player) else {
                throw EnvironmentError.unsupported("\(spec.id): current_player returned \(player), outside 0...\(spec.players)")
            }
            let action = try agents[player - 1].act(in: environment, legalActions: legal)
            last = try environment.step(action)
            length += 1
            for i in 0..<returns.count { returns[i] += last.reward(of: i + 1) }
            hash.combine(action)
            hashObservation(&hash)
            for i in 0..<returns.count { hash.combine(last.reward(of: i + 1)) }
            hash.combine(last.terminated)
            hash.combine(last.truncated)
            for (index, agent) in agents.enumerated() { agent.observe(last, player: index + 1) }
            try trace?.writeStep(episode: episode, step: length, player: player, action: action, result: last,
                                 observation: environment.lastObservation, info: environment.lastInfo)
            if let onRender, let text = try environment.render() { onRender(text) }
        }
        for (index, agent) in agents.enumerated() { agent.endEpisode(return: returns[index]) }
        let truncated = last.truncated || (!last.terminated && length >= cap)
        return EpisodeResult(seed: seed, returns: returns, length: length, terminated: last.terminated,
                             truncated: truncated, trajectoryHash: hash.hex,
                             outcome: Self.outcome(returns: returns, terminated: last.terminated, spec: spec))
    }

    private func hashObservation(_ hash: inout StableHash) {
        let observation = environment.observation
        for x in observation.numbers { hash.combine(x) }
        for text in observation.texts { hash.combine(text) }
    }

    static func outcome(returns: [Double], terminated: Bool, spec: EnvironmentSpec) -> String {
        if spec.players > 1 {
            let best = returns.max() ?? 0
            let winners = returns.indices.filter { returns[$0] == best }
            return winners.count == 1 ? "\(spec.roles[winners[0]]) wins" : "draw"
        }
        if let threshold = spec.successThreshold { return returns[0] >= threshold ? "success" : (terminated ? "failure" : "truncated") }
        return terminated ? "terminated" : "truncated"
    }
}
