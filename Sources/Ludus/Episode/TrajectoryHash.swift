import LudusLua

/// The one definition of an episode's fingerprint, used by every loop, trace and
/// database: FNV-1a over the first observation, then per step the action, the new
/// observation (numbers and texts), every player's reward and both flags.
public struct TrajectoryHash: Sendable {
    private var hash = StableHash()

    public init() {}

    @inline(__always)
    mutating func combine(observation: ObservationView) {
        for x in observation.numbers { hash.combine(x) }
        for text in observation.texts { hash.combine(text) }
    }

    @inline(__always)
    mutating func combine(step: Step, action: Action, observation: ObservationView, players: Int) {
        hash.combine(action)
        combine(observation: observation)
        for i in 0..<players { hash.combine(step.reward(of: i + 1)) }
        hash.combine(step.terminated)
        hash.combine(step.truncated)
    }

    public var value: UInt64 { hash.value }
    /// Sixteen hex digits.
    public var hex: String { hash.hex }
}
