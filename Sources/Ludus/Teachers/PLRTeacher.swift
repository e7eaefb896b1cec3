import Foundation
import LudusLua

/// Prioritised Level Replay (Jiang et al. 2021), robust by default (PLR-perp, as in
/// dcd's `level_sampler.py` with `sample_full_distribution`).
///
/// A *level* is a parameter assignment plus an episode seed (procedural environments
/// such as `gridworld/maze` build the layout from both). The buffer holds up to
/// `capacity` (4000) levels with a score, the episode counter at their last sampling,
/// and the mean of their returns.
///
/// - **Replay decision.** Once the buffer holds `minimumBuffer` levels, replay with
///   probability `replayProbability` (0.5); otherwise play a new level: parameters
///   uniform over the space, seed left to the loop (derived from the run seed and the
///   episode, so new levels are exactly the random teacher's). dcd waits until the
///   buffer is half full (rho = 0.5 of 4000); at Ludus's budgets of a few thousand
///   episodes that would mean never replaying, hence `minimumBuffer` (default 50,
///   option `plr:warmup=N`).
/// - **Replay distribution.** P = (1 - rho) P_S + rho P_C with rank prioritisation
///   P_S ∝ (1 / rank)^(1 / beta) (rank 1 = highest score, ties by age) and staleness
///   P_C ∝ episode counter - last sampled (uniform if all zero); beta = 0.1, rho = 0.3.
/// - **Scores.** The student's ``Student/lastEpisodeScore`` (mean |GAE advantage|,
///   PLR's `value_l1`) when it has one. Otherwise *return variation*: |r - b| with r the
///   normalised return and b the level's mean normalised return over its earlier plays,
///   or, on a level's first play, the running mean return over all episodes
///   (exponential, rate max(1/n, 0.02)): a Monte-Carlo stand-in for value_l1, where
///   the baseline plays the value estimate. Levels the student always solves or always
///   fails drift to 0; levels whose outcome still changes stay high. A replayed level's
///   score is replaced by the new one (dcd's alpha = 1).
/// - **Robust PLR** (`robust`, default on): new levels are played with `learn = false`
///   (evaluation only, the student acts greedily); only replays train. Non-robust PLR
///   learns on both.
/// - **Insertion** (both variants, as dcd): a new level fills a free slot; once the
///   buffer is full it replaces the lowest-scoring level only if its score is higher.
public final class PLRTeacher: Teacher {
    public let name = "plr"
    public var capacity = 4000
    /// beta, the rank temperature.
    public var temperature = 0.1
    /// rho, the staleness weight.
    public var stalenessWeight = 0.3
    public var replayProbability = 0.5
    public var robust = true
    public var minimumBuffer = 50

    public struct Level: Hashable, Sendable {
        public var params: [String: Value]
        public var seed: UInt64
        public var score: Double
        public var lastSampled: Int
        public var meanReturn: Double
        public var plays: Int
    }

    struct Key: Hashable { var params: [String: Value]; var seed: UInt64 }

    public private(set) var buffer: [Level] = []
    private var index: [Key: Int] = [:]
    /// Episodes sampled so far (the staleness clock).
    public private(set) var counter = 0
    public private(set) var replays = 0
    private var runningMean = 0.0
    private var episodes = 0
    private let space: ParameterSpace

    public init(space: ParameterSpace) { self.space = space }

    /// The replay distribution over `buffer` (empty when the buffer is).
    public var replayDistribution: [Double] {
        let n = buffer.count
        guard n > 0 else { return [] }
        let order = buffer.indices.sorted { buffer[$0].score != buffer[$1].score ? buffer[$0].score > buffer[$1].score : $0 < $1 }
        var scoreWeights = Array(repeating: 0.0, count: n)
        for (rank, i) in order.enumerated() { scoreWeights[i] = pow(1 / Double(rank + 1), 1 / temperature) }
        let scoreTotal = scoreWeights.reduce(0, +)
        let staleness = buffer.map { Double(counter - $0.lastSampled) }
        let staleTotal = staleness.reduce(0, +)
        return (0..<n).map { i in
            let ps = scoreWeights[i] / scoreTotal
            let pc = staleTotal > 0 ? staleness[i] / staleTotal : 1 / Double(n)
            return (1 - stalenessWeight) * ps + stalenessWeight * pc
        }
    }

    public func sample(using generator: inout SeededGenerator) -> TeacherTask {
        counter += 1
        let replay = generator.nextDouble() < replayProbability
        if replay && buffer.count >= max(1, minimumBuffer) {
            let p = replayDistribution
            var u = generator.nextDouble()
            var pick = p.count - 1
            for (i, w) in p.enumerated() { u -= w; if u < 0 { pick = i; break } }
            buffer[pick].lastSampled = counter
            replays += 1
            return TeacherTask(params: buffer[pick].params, seed: buffer[pick].seed, learn: true, isReplay: true)
        }
        return TeacherTask(params: space.sample(using: &generator), seed: nil, learn: !robust, isReplay: false)
    }

    public func update(_ task: TeacherTask, outcome: TeacherOutcome) {
        guard let seed = task.seed else { return }
        let r = outcome.normalizedReturn
        let key = Key(params: task.params, seed: seed)
        let existing = index[key]
        let baseline = existing.map { buffer[$0].meanReturn } ?? (episodes > 0 ? runningMean : r)
        let score = outcome.studentScore ?? abs(r - baseline)
        episodes += 1
        runningMean += (r - runningMean) * max(1 / Double(episodes), 0.02)
        if let i = existing {
            buffer[i].score = score
            buffer[i].plays += 1
            buffer[i].meanReturn += (r - buffer[i].meanReturn) / Double(buffer[i].plays)
            return
        }
        let level = Level(params: task.params, seed: seed, score: score, lastSampled: counter, meanReturn: r, plays: 1)
        if buffer.count < capacity {
            index[key] = buffer.count
            buffer.append(level)
            return
        }
        var lowest = 0
        for i in buffer.indices where buffer[i].score < buffer[lowest].score { lowest = i }
        guard score > buffer[lowest].score else { return }
        index[Key(params: buffer[lowest].params, seed: buffer[lowest].seed)] = nil
        buffer[lowest] = level
        index[key] = lowest
    }

    public var summary: String {
        let top = buffer.map(\.score).max() ?? 0
        let share = counter > 0 ? 100 * Double(replays) / Double(counter) : 0
        return "buffer=\(buffer.count) replay=\(String(format: "%.0f", share))% top=\(String(format: "%.3f", top))\(robust ? "" : " (plain)")"
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation

// MARK: Checkpoint

extension PLRTeacher {
    struct StoredLevel: Codable {
        var params: [String: StoredValue]
        var seed: UInt64
        var score: Double
        var lastSampled: Int
        var meanReturn: Double
        var plays: Int
    }

    struct Snapshot: Codable {
        var kind = "plr"
        var buffer: [StoredLevel]
        var counter: Int
        var replays: Int
        var runningMean: Double
        var episodes: Int
    }

    /// The level buffer in order (scores, staleness clocks, mean returns), the episode
    /// counter, the replay count and the running mean return. The index is rebuilt.
    public func checkpoint() throws -> Data {
        try CheckpointCoder.encode(Snapshot(
            buffer: buffer.map { StoredLevel(params: $0.params.stored, seed: $0.seed, score: $0.score, lastSampled: $0.lastSampled,
                                             meanReturn: $0.meanReturn, plays: $0.plays) },
            counter: counter, replays: replays, runningMean: runningMean, episodes: episodes))
    }

    /// - Throws: ``CheckpointError`` for another teacher's checkpoint.
    public func restore(from data: Data) throws {
        let snapshot = try CheckpointCoder.decode(Snapshot.self, from: data, kind: name)
        try CheckpointCoder.require(snapshot.kind, equals: name, "the teacher", kind: name)
        buffer = snapshot.buffer.map { Level(params: $0.params.values, seed: $0.seed, score: $0.score, lastSampled: $0.lastSampled,
                                             meanReturn: $0.meanReturn, plays: $0.plays) }
        index = [:]
        for (i, level) in buffer.enumerated() { index[Key(params: level.params, seed: level.seed)] = i }
        counter = snapshot.counter
        replays = snapshot.replays
        runningMean = snapshot.runningMean
        episodes = snapshot.episodes
    }
}
