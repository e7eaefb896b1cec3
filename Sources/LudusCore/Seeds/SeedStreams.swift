
/// The purposes a run draws seeds for. Each purpose is its own stream, so no two
/// purposes can ever hand out the same seed (before, `derive(seed, 0x7E57)` for the
/// test set equalled training episode 32343's seed).
public enum SeedPurpose: UInt64, CaseIterable, Sendable {
    /// Episode `i` of a run, a tournament game, a training episode.
    case episode = 1
    /// An agent's own randomness: index = seat (1-based), from the episode's seed.
    case agent
    /// The teacher's sampling.
    case teacher
    /// Held-out test tasks and the seeds they are played with.
    case testSet
    /// Bootstrap resamples for intervals.
    case bootstrap
    /// Evaluation games (self-play, critic held-out steps).
    case evaluation
    /// Anything a loop samples for itself (the critic's generator, mutations).
    case loop
    /// Chance events the host samples (`E.chance_outcomes`): index 0, from the episode's seed.
    case chance
    /// Determinizations and reseeded clones of search agents: index = seat, from the agent's seed.
    case search
}

/// Named, non-overlapping seed streams from one root seed.
///
/// Every seed handed out is a non-negative integer below 2^63, so the same number
/// is valid in JSON, in SQLite, in traces, in the agent protocol and for
/// `numpy.random.default_rng`.
public struct SeedStreams: Hashable, Sendable {
    public let root: UInt64

    public init(root: UInt64) { self.root = root }

    /// The largest seed handed out: seeds are 63-bit so no consumer sees a negative number.
    public static let mask: UInt64 = 0x7FFF_FFFF_FFFF_FFFF

    /// Seed `index` of a purpose's stream.
    @inline(__always)
    public func seed(_ purpose: SeedPurpose, _ index: UInt64 = 0) -> UInt64 {
        SeededGenerator.derive(SeededGenerator.derive(root, purpose.rawValue << 56), index) & Self.mask
    }

    public func seed(_ purpose: SeedPurpose, _ index: Int) -> UInt64 { seed(purpose, UInt64(index)) }

    /// A generator over a purpose's stream.
    public func generator(_ purpose: SeedPurpose, _ index: Int = 0) -> SeededGenerator {
        SeededGenerator(seed: seed(purpose, index))
    }

    /// The seed of seat `seat` (1-based) in an episode seeded `episodeSeed`.
    @inline(__always)
    public static func agentSeed(episode episodeSeed: UInt64, seat: Int) -> UInt64 {
        SeedStreams(root: episodeSeed).seed(.agent, UInt64(seat))
    }
}
