import Foundation

/// jaxued's `LevelSampler` (`src/jaxued/level_sampler.py`) over a buffer of levels, one
/// decision at a time: the replay decision, the replay distribution, insertion by score
/// and score updates. Pure bookkeeping (no environment, no generator of its own), so the
/// weights can be checked against the formulas by hand.
///
/// - **Clock.** `episodeCount` grows by one on every replay sample and every insertion
///   attempt; a level's `timestamp` is the clock when it was last sampled or inserted.
/// - **Weights.** P = (1 - staleness) P_S + staleness P_C over the filled slots, with
///   rank prioritisation P_S ∝ (1 / rank)^(1 / temperature) (rank 1 = highest score,
///   ties by slot; the temperature is a *power*, never a divisor of the weights) or
///   top-k (P_S uniform over the k highest), and P_C ∝ episodeCount - timestamp (uniform
///   when every level was just touched). Ranks start at 1, so nothing divides by zero
///   (minimax #7's `1 / arange(n)`).
/// - **Replay decision.** Replay with probability `replayProbability` once the buffer is
///   at least `minimumFillRatio` full (and holds `minimumSize` levels); otherwise never.
/// - **Insertion.** A level already in the buffer (same hash) has its score updated; a new
///   one takes the next free slot, or, when the buffer is full, the lowest-scoring slot
///   if and only if its score is higher.
public struct LevelSampler: Sendable {
    public enum Prioritization: Hashable, Sendable, Codable {
        case rank
        case topK(Int)
    }

    public struct Entry: Hashable, Sendable {
        public var level: Level
        public var score: Double
        public var timestamp: Int
        /// The highest return seen on the level (MaxMC's R_max).
        public var maxReturn: Double
        /// The hash of the level it was mutated from, if any.
        public var parent: String?
    }

    /// What an insertion did.
    public enum Insertion: Hashable, Sendable {
        /// Entered a free slot.
        case added(slot: Int)
        /// Replaced the lowest-scoring level (its hash given).
        case replaced(slot: Int, evicted: String)
        /// Already in the buffer: its score was updated.
        case updated(slot: Int)
        /// The buffer is full and the score does not beat its minimum.
        case rejected

        public var slot: Int? {
            switch self {
            case .added(let s), .replaced(let s, _), .updated(let s): return s
            case .rejected: return nil
            }
        }
    }

    public var capacity: Int
    public var replayProbability: Double
    public var stalenessCoefficient: Double
    public var minimumFillRatio: Double
    /// Replays also wait until the buffer holds this many levels (Ludus's small budgets).
    public var minimumSize: Int
    public var prioritization: Prioritization
    public var temperature: Double

    public private(set) var entries: [Entry] = []
    public private(set) var episodeCount = 0
    private var slots: [String: Int] = [:]

    public init(capacity: Int = 4000, replayProbability: Double = 0.95, stalenessCoefficient: Double = 0.5,
                minimumFillRatio: Double = 1.0, minimumSize: Int = 1, prioritization: Prioritization = .rank, temperature: Double = 1.0) {
        precondition(capacity >= 1 && temperature > 0, "capacity >= 1 and temperature > 0")
        self.capacity = capacity
        self.replayProbability = replayProbability
        self.stalenessCoefficient = stalenessCoefficient
        self.minimumFillRatio = minimumFillRatio
        self.minimumSize = minimumSize
        self.prioritization = prioritization
        self.temperature = temperature
    }

    public var count: Int { entries.count }

    public func slot(of hash: String) -> Int? { slots[hash] }

    /// The probability of replaying now (0 until the buffer is full enough).
    public var replayChance: Double {
        let filled = Double(entries.count) / Double(capacity)
        return filled >= minimumFillRatio && entries.count >= max(1, minimumSize) ? replayProbability : 0
    }

    /// Replay iff `u` (uniform in [0, 1)) falls below ``replayChance``.
    public func replayDecision(_ u: Double) -> Bool { u < replayChance }

    /// P_S over the filled slots.
    public var scoreWeights: [Double] {
        let n = entries.count
        guard n > 0 else { return [] }
        // Descending score, ties by slot; NaN scores rank last.
        let order = entries.indices.sorted { a, b in
            let x = entries[a].score.isNaN ? -Double.infinity : entries[a].score
            let y = entries[b].score.isNaN ? -Double.infinity : entries[b].score
            return x != y ? x > y : a < b
        }
        var weights = Array(repeating: 0.0, count: n)
        switch prioritization {
        case .rank:
            for (position, slot) in order.enumerated() { weights[slot] = pow(1 / Double(position + 1), 1 / temperature) }
        case .topK(let k):
            for slot in order.prefix(max(1, k)) { weights[slot] = 1 }
        }
        let total = weights.reduce(0, +)
        return total > 0 ? weights.map { $0 / total } : Array(repeating: 1 / Double(n), count: n)
    }

    /// P_C over the filled slots.
    public var stalenessWeights: [Double] {
        let n = entries.count
        guard n > 0 else { return [] }
        let staleness = entries.map { Double(episodeCount - $0.timestamp) }
        let total = staleness.reduce(0, +)
        return total > 0 ? staleness.map { $0 / total } : Array(repeating: 1 / Double(n), count: n)
    }

    /// The replay distribution (sums to 1; empty for an empty buffer).
    public var weights: [Double] {
        let s = scoreWeights, c = stalenessWeights
        return zip(s, c).map { (1 - stalenessCoefficient) * $0 + stalenessCoefficient * $1 }
    }

    /// Draws a slot from ``weights`` with `u` uniform in [0, 1), ticks the clock and stamps it.
    public mutating func sample(_ u: Double) -> Int {
        precondition(!entries.isEmpty, "sample from an empty buffer")
        var rest = u
        var pick = entries.count - 1
        for (slot, w) in weights.enumerated() {
            rest -= w
            if rest < 0 { pick = slot; break }
        }
        episodeCount += 1
        entries[pick].timestamp = episodeCount
        return pick
    }

    /// A replayed level's new score (and highest return).
    public mutating func update(slot: Int, score: Double, return value: Double) {
        entries[slot].score = score
        entries[slot].maxReturn = max(entries[slot].maxReturn, value)
    }

    /// Inserts a level played for the first time (or updates it if already held); ticks the clock.
    public mutating func insert(_ level: Level, score: Double, return value: Double, parent: String? = nil) -> Insertion {
        if let slot = slots[level.hash] {
            update(slot: slot, score: score, return: value)
            return .updated(slot: slot)
        }
        episodeCount += 1
        let entry = Entry(level: level, score: score, timestamp: episodeCount, maxReturn: value, parent: parent)
        if entries.count < capacity {
            slots[level.hash] = entries.count
            entries.append(entry)
            return .added(slot: entries.count - 1)
        }
        var lowest = 0
        for i in entries.indices where entries[i].score < entries[lowest].score { lowest = i }
        guard score > entries[lowest].score else { return .rejected }
        let evicted = entries[lowest].level.hash
        slots[evicted] = nil
        entries[lowest] = entry
        slots[level.hash] = lowest
        return .replaced(slot: lowest, evicted: evicted)
    }

    /// Puts back a buffer saved with ``entries`` and ``episodeCount`` (checkpoints).
    public mutating func restore(entries: [Entry], episodeCount: Int) {
        self.entries = entries
        self.episodeCount = episodeCount
        slots = [:]
        for (i, entry) in entries.enumerated() { slots[entry.level.hash] = i }
    }
}
