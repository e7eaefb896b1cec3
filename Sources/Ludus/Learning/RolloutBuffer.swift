import Foundation

/// Transitions collected across episodes for one PPO update, in preallocated raw storage,
/// and the GAE(lambda) advantages computed from them.
///
/// A transition is stored when the agent acts; its reward accumulates until the next action
/// or the end of the episode, and its `nextValue` is the value of the following state (0 after
/// a terminal step, the value of the final observation after a time-limit cut).
public final class RolloutBuffer {
    public let capacity: Int
    public let observationSize: Int
    public let actionSize: Int
    public let maskSize: Int
    public internal(set) var count = 0
    public let observations: UnsafeMutablePointer<Double>
    public let actions: UnsafeMutablePointer<Double>
    public let masks: UnsafeMutablePointer<UInt8>
    public let logProbs: UnsafeMutablePointer<Double>
    public let values: UnsafeMutablePointer<Double>
    public let rewards: UnsafeMutablePointer<Double>
    public let nextValues: UnsafeMutablePointer<Double>
    /// 1 when the transition ends its episode (terminated or cut): GAE does not look past it.
    public let episodeEnds: UnsafeMutablePointer<UInt8>
    public let advantages: UnsafeMutablePointer<Double>
    public let returns: UnsafeMutablePointer<Double>

    public init(capacity: Int, observationSize: Int, actionSize: Int, maskSize: Int) {
        self.capacity = capacity
        self.observationSize = observationSize
        self.actionSize = actionSize
        self.maskSize = maskSize
        func doubles(_ n: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n)); p.initialize(repeating: 0, count: max(1, n)); return p
        }
        func bytes(_ n: Int) -> UnsafeMutablePointer<UInt8> {
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, n)); p.initialize(repeating: 0, count: max(1, n)); return p
        }
        observations = doubles(capacity * observationSize)
        actions = doubles(capacity * actionSize)
        masks = bytes(capacity * maskSize)
        logProbs = doubles(capacity)
        values = doubles(capacity)
        rewards = doubles(capacity)
        nextValues = doubles(capacity)
        episodeEnds = bytes(capacity)
        advantages = doubles(capacity)
        returns = doubles(capacity)
    }

    deinit {
        for p in [observations, actions, logProbs, values, rewards, nextValues, advantages, returns] { p.deallocate() }
        masks.deallocate()
        episodeEnds.deallocate()
    }

    public var isFull: Bool { count >= capacity }

    /// The stored transitions for a checkpoint (advantages and returns are recomputed at each update).
    public struct State: Codable, Equatable, Sendable {
        public var count: Int
        public var observations, actions, logProbs, values, rewards, nextValues: PackedDoubles
        public var masks, episodeEnds: Data
    }

    public var state: State {
        State(count: count, observations: PackedDoubles(observations, count: count * observationSize),
              actions: PackedDoubles(actions, count: count * actionSize), logProbs: PackedDoubles(logProbs, count: count),
              values: PackedDoubles(values, count: count), rewards: PackedDoubles(rewards, count: count),
              nextValues: PackedDoubles(nextValues, count: count),
              masks: Data(UnsafeBufferPointer(start: masks, count: count * maskSize)),
              episodeEnds: Data(UnsafeBufferPointer(start: episodeEnds, count: count)))
    }

    /// - Throws: ``CheckpointError/mismatch(kind:reason:)`` when the state does not fit this buffer.
    public func restore(_ state: State) throws {
        let kind = "rollout buffer"
        guard (0...capacity).contains(state.count) else {
            throw CheckpointError.mismatch(kind: kind, reason: "\(state.count) transitions for a capacity of \(capacity)")
        }
        let n = state.count
        try state.observations.copy(into: observations, count: n * observationSize, "observations", kind: kind)
        try state.actions.copy(into: actions, count: n * actionSize, "actions", kind: kind)
        try state.logProbs.copy(into: logProbs, count: n, "log-probabilities", kind: kind)
        try state.values.copy(into: values, count: n, "values", kind: kind)
        try state.rewards.copy(into: rewards, count: n, "rewards", kind: kind)
        try state.nextValues.copy(into: nextValues, count: n, "next values", kind: kind)
        try CheckpointCoder.require(state.masks.count, equals: n * maskSize, "the size of the masks", kind: kind)
        try CheckpointCoder.require(state.episodeEnds.count, equals: n, "the size of the episode ends", kind: kind)
        state.masks.copyBytes(to: masks, count: n * maskSize)
        state.episodeEnds.copyBytes(to: episodeEnds, count: n)
        count = n
    }

    /// Fills ``advantages`` and ``returns`` (advantage + value) for the stored transitions.
    public func computeAdvantages(gamma: Double, lambda: Double) {
        Self.gae(count: count, rewards: rewards, values: values, nextValues: nextValues, episodeEnds: episodeEnds,
                 gamma: gamma, lambda: lambda, advantages: advantages)
        for t in 0..<count { returns[t] = advantages[t] + values[t] }
    }

    /// GAE(lambda): `delta_t = r_t + gamma nextValue_t - V_t`, `A_t = delta_t + gamma lambda A_{t+1}`
    /// within an episode (the last stored transition bootstraps from its `nextValue` alone).
    public static func gae(count: Int, rewards: UnsafePointer<Double>, values: UnsafePointer<Double>,
                           nextValues: UnsafePointer<Double>, episodeEnds: UnsafePointer<UInt8>?,
                           gamma: Double, lambda: Double, advantages: UnsafeMutablePointer<Double>) {
        var next = 0.0
        var t = count - 1
        while t >= 0 {
            let continues = t + 1 < count && (episodeEnds == nil || episodeEnds![t] == 0)
            let delta = rewards[t] + gamma * nextValues[t] - values[t]
            next = delta + (continues ? gamma * lambda * next : 0)
            advantages[t] = next
            t -= 1
        }
    }
}
