import LudusLua

/// A plug-in of the ``EpisodeDriver``: sees every reset and step of the episodes it
/// drives, without changing them. Tracing, rendering, progress and the checker's
/// invariants are observers; the step loop itself is written once, in the driver.
///
/// Observers are called on the driver's thread, in the order they were added.
/// A throwing observer stops the episode with ``EpisodeError/observer(_:)``
/// (a trace file that cannot be written, an invariant the checker stops at).
public protocol EpisodeObserver: AnyObject {
    /// Whether the observer reads ``Environment/lastObservation`` and ``Environment/lastInfo``
    /// (full values, one copy per step); the driver captures them only when some
    /// agent or observer needs them.
    var needsDetail: Bool { get }

    /// After the reset of episode `episode`: the observation is in the environment.
    /// - Throws: to stop the episode before its first move.
    func didReset(_ environment: any Environment, episode: Int, seed: UInt64, params: [String: Value]) throws

    /// After each step: `player` moved `action`, `step` is the result, the new
    /// observation is in the environment. `length` counts steps so far, this one included.
    /// - Throws: to stop the episode.
    func didStep(_ environment: any Environment, episode: Int, length: Int, player: Int, action: Action, step: Step) throws

    /// Once the episode is over (ended, cut by the step cap or forfeited).
    /// - Throws: to report a failure after the fact (the result is then lost).
    func didEnd(_ environment: any Environment, episode: Int, result: EpisodeResult) throws
}

extension EpisodeObserver {
    public var needsDetail: Bool { false }
    public func didReset(_ environment: any Environment, episode: Int, seed: UInt64, params: [String: Value]) throws {}
    public func didStep(_ environment: any Environment, episode: Int, length: Int, player: Int, action: Action, step: Step) throws {}
    public func didEnd(_ environment: any Environment, episode: Int, result: EpisodeResult) throws {}
}

/// Calls a closure with the rendering after the reset and after every step (`--render`).
public final class RenderObserver: EpisodeObserver {
    private let show: (String) -> Void
    public init(_ show: @escaping (String) -> Void) { self.show = show }
    public func didReset(_ environment: any Environment, episode: Int, seed: UInt64, params: [String: Value]) throws {
        if let text = try environment.render() { show(text) }
    }
    public func didStep(_ environment: any Environment, episode: Int, length: Int, player: Int, action: Action, step: Step) throws {
        if let text = try environment.render() { show(text) }
    }
}

/// Writes every step as JSON lines (`--trace`): the observer face of ``TraceWriter``.
extension TraceWriter: EpisodeObserver {
    public var needsDetail: Bool { true }
    public func didReset(_ environment: any Environment, episode: Int, seed: UInt64, params: [String: Value]) throws {
        try writeReset(episode: episode, seed: seed, params: params, observation: environment.lastObservation, info: environment.lastInfo,
                       views: Self.views(of: environment))
    }
    public func didStep(_ environment: any Environment, episode: Int, length: Int, player: Int, action: Action, step: Step) throws {
        try writeStep(episode: episode, step: length, player: player, action: action, result: step,
                      observation: environment.lastObservation, info: environment.lastInfo, views: Self.views(of: environment))
    }
    public func didEnd(_ environment: any Environment, episode: Int, result: EpisodeResult) throws {
        try flush()
    }
}
