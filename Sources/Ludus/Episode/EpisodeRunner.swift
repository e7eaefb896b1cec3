import LudusLua

/// A driver with its agents seated: plays episode after episode with the same
/// agents in the same seats (`ludus run`, teach and self-play evaluations, tests).
public final class EpisodeRunner {
    public let driver: EpisodeDriver
    public let agents: [any Agent]
    public var environment: any Environment { driver.environment }

    public init(environment: any Environment, agents: [any Agent]) {
        precondition(agents.count == environment.spec.players, "one agent per player")
        driver = EpisodeDriver(environment: environment)
        self.agents = agents
    }

    /// Adds a plug-in (a trace, a renderer, an invariant).
    public func observe(with observer: any EpisodeObserver) { driver.observers.append(observer) }

    /// Plays one episode: the environment gets `seed`, seat `i` gets
    /// ``SeedStreams/agentSeed(episode:seat:)``.
    public func run(episode: Int, seed: UInt64, params: [String: Value]) throws(EpisodeError) -> EpisodeResult {
        try driver.play(episode: episode, seed: seed, params: params, agents: agents)
    }
}
