import Foundation
import LudusLua

/// Trains a student on a game of two or more players against a pool of opponents: fixed agents
/// (`random`, `mcts:50`, `lua:PATH`...) and, with `self` in the pool, a frozen copy
/// of the student refreshed every `snapshotEvery` episodes (fictitious self-play).
/// Episode `i` meets opponent `i mod k` and the student changes seats every round of
/// the pool, so each opponent is met as often from both seats. Every `evaluateEvery`
/// episodes the student plays `evaluationGames` games against each fixed opponent
/// without learning; the result of a trained student is a file that `ppo:PATH` (or
/// `q:PATH`, `es:PATH`) enters in tournaments.
public final class SelfPlayLoop {
    /// The student's record against one opponent at one evaluation.
    public struct Evaluation: Hashable, Sendable, Codable {
        public var episode: Int
        public var opponent: String
        public var games: Int
        public var wins: Int
        public var draws: Int
        public var losses: Int
        /// Wins count 1 and draws 0.5.
        public var score: Double { games == 0 ? 0 : (Double(wins) + 0.5 * Double(draws)) / Double(games) }
    }

    public let environment: any Environment
    public let student: any Student
    /// The student's spec (`ppo`, `ppo:hidden=32`): its kind names the agent that loads snapshots.
    public let studentSpec: String
    public let opponentSpecs: [String]
    public var snapshotEvery = 500
    public var evaluateEvery = 500
    public var evaluationGames = 20
    public var params: [String: Value] = [:]
    /// Folder for snapshot files (`self` opponents).
    public var workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ludus-selfplay-\(UUID())").path
    public var onEpisode: ((_ episode: Int, _ opponent: String, _ seat: Int, EpisodeResult) throws -> Void)?
    public var onEvaluation: ((Evaluation) throws -> Void)?
    /// Called when a game could not be played (the environment failed); training goes on.
    /// `evaluationGame` is the evaluation game's index (nil for a training episode).
    public var onFailure: ((_ episode: Int, _ opponent: String, _ evaluationGame: Int?, EpisodeError) throws -> Void)?
    /// With ``onCheckpoint`` set: a checkpoint after every `checkpointEvery` episodes, after
    /// each evaluation and after the last episode.
    public var checkpointEvery = 100
    /// Receives each checkpoint (after the episode's reports); pass it to ``run(episodes:seed:from:)`` to resume.
    public var onCheckpoint: ((Checkpoint) throws -> Void)?
    /// The last snapshot file's bytes (what `self` opponents play), nil before the first.
    private var snapshot: Data?

    /// Per opponent slot, one instance per other seat (an agent keeps its seat for the episode).
    private var opponents: [[any Agent]]
    /// Seats per game; the student's seat rotates through them.
    private let seats: Int
    /// Students whose saved file loads back as an agent (`KIND:PATH`).
    static let snapshotKinds = ["ppo", "es", "q"]

    public init(environment: any Environment, student: any Student, studentSpec: String, opponents: [String],
                limits: LuaLimits = .default) throws(SetupError) {
        guard environment.spec.players >= 2 else {
            throw .unsuitable("self-play needs an environment of two or more players; \(environment.spec.id) has \(environment.spec.players)")
        }
        seats = environment.spec.players
        guard !opponents.isEmpty else { throw .badSpec("give at least one opponent (random, mcts:N, self, ...)") }
        let kind = studentSpec.split(separator: ":", maxSplits: 1).first.map(String.init) ?? studentSpec
        if opponents.contains("self"), !Self.snapshotKinds.contains(kind) {
            throw .unsuitable("`self` opponents are snapshots loaded as \(Self.snapshotKinds.joined(separator: "|")):PATH; the \(kind) student has none")
        }
        self.environment = environment
        self.student = student
        self.studentSpec = studentSpec
        opponentSpecs = opponents
        self.opponents = []
        for spec in opponents {
            // `self` starts as a copy of the untrained student's policy: random play until the first snapshot.
            var copies: [any Agent] = []
            for _ in 1..<seats {
                copies.append(spec == "self" ? RandomAgent(actionSpace: environment.spec.actionSpace)
                                             : try AgentFactory.make(spec, for: environment.spec, limits: limits))
            }
            self.opponents.append(copies)
        }
    }

    /// Plays `episodes` training episodes with evaluations, or, `from` a checkpoint of the same
    /// configuration, the episodes after it, with the same reports and final student as an
    /// uninterrupted run. (Fixed opponents must keep no state between games: `random`,
    /// `mcts:N` and saved students do not; `lua:` and `exec:` agents might.)
    /// - Throws: what the callbacks throw, I/O errors for snapshot files, ``CheckpointError``.
    public func run(episodes: Int, seed: UInt64, from checkpoint: Checkpoint? = nil) throws -> [Evaluation] {
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let seeds = SeedStreams(root: seed)
        var evaluations: [Evaluation] = []
        var first = 1
        if let checkpoint {
            try student.restore(from: checkpoint.student)
            if let data = checkpoint.snapshot { try installSnapshot(data) }
            evaluations = checkpoint.evaluations
            first = checkpoint.episode + 1
        }
        for episode in stride(from: first, through: max(1, episodes), by: 1) {
            let slot = (episode - 1) % opponents.count
            let seat = ((episode - 1) / opponents.count) % seats + 1
            do {
                let result = try play(student: student, opponent: opponents[slot], seat: seat, episode: episode,
                                      seed: seeds.seed(.episode, episode))
                try onEpisode?(episode, opponentSpecs[slot], seat, result)
            } catch let error as EpisodeError {
                // One failed game is recorded, not the end of training.
                try onFailure?(episode, opponentSpecs[slot], nil, error)
            }
            if episode % max(1, snapshotEvery) == 0 { try refreshSnapshots() }
            let evaluates = episode % max(1, evaluateEvery) == 0 || episode == episodes
            if evaluates {
                for evaluation in try evaluate(after: episode, seed: seed) {
                    evaluations.append(evaluation)
                    try onEvaluation?(evaluation)
                }
            }
            if let onCheckpoint, evaluates || episode % max(1, checkpointEvery) == 0 {
                try onCheckpoint(Checkpoint(episode: episode, evaluations: evaluations, student: student.checkpoint(), snapshot: snapshot))
            }
        }
        return evaluations
    }

    private lazy var driver = EpisodeDriver(environment: environment)

    /// The student in `seat`, the opponent's instances in the other seats, in order.
    private func play(student: any Agent, opponent: [any Agent], seat: Int, episode: Int, seed: UInt64) throws(EpisodeError) -> EpisodeResult {
        var agents = opponent
        agents.insert(student, at: seat - 1)
        return try driver.play(episode: episode, seed: seed, params: params, agents: agents)
    }

    /// Replaces every `self` opponent with the student as it is now, frozen.
    private func refreshSnapshots() throws {
        guard opponentSpecs.contains("self") else { return }
        let kind = studentSpec.split(separator: ":", maxSplits: 1).first.map(String.init) ?? studentSpec
        let path = workDirectory + "/snapshot.\(kind)"
        try student.save(to: path)
        try installSnapshot(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Makes every `self` opponent the student saved in `data` (a snapshot file's bytes).
    private func installSnapshot(_ data: Data) throws {
        let kind = studentSpec.split(separator: ":", maxSplits: 1).first.map(String.init) ?? studentSpec
        let path = workDirectory + "/snapshot.\(kind)"
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        for (index, spec) in opponentSpecs.enumerated() where spec == "self" {
            opponents[index] = try (1..<seats).map { _ in try AgentFactory.make("\(kind):\(path)", for: environment.spec) }
        }
        snapshot = data
    }

    /// Games against each fixed opponent from both seats, without learning, on seeds of their own.
    private func evaluate(after episode: Int, seed: UInt64) throws -> [Evaluation] {
        student.isLearning = false
        defer { student.isLearning = true }
        var results: [Evaluation] = []
        let seeds = SeedStreams(root: seed)
        for (slot, spec) in opponentSpecs.enumerated() where spec != "self" {
            var evaluation = Evaluation(episode: episode, opponent: spec, games: 0, wins: 0, draws: 0, losses: 0)
            for game in 0..<evaluationGames {
                let seat = game % seats + 1
                let gameSeed = seeds.seed(.evaluation, slot * 1_000_003 + game)
                let result: EpisodeResult
                do {
                    result = try play(student: student, opponent: opponents[slot], seat: seat, episode: game, seed: gameSeed)
                } catch {
                    try onFailure?(episode, spec, game, error)
                    continue
                }
                // A win is the best return alone, a draw the best return shared, else a loss.
                let mine = result.returns[seat - 1]
                let best = result.returns.enumerated().filter { $0.offset != seat - 1 }.map(\.element).max() ?? mine
                evaluation.games += 1
                if mine > best { evaluation.wins += 1 } else if mine < best { evaluation.losses += 1 } else { evaluation.draws += 1 }
            }
            results.append(evaluation)
        }
        return results
    }
}

extension SelfPlayLoop {
    /// The complete state of a self-play run after `episode` episodes: the student's
    /// checkpoint, the bytes of the snapshot `self` opponents play (nil before the first
    /// refresh) and the evaluations so far. Seeds follow from the run seed and the episode.
    public struct Checkpoint: Codable, Sendable {
        public var episode: Int
        public var evaluations: [Evaluation]
        var student: Data
        var snapshot: Data?

        public func encoded() throws -> Data { try CheckpointCoder.encode(self) }

        /// - Throws: ``CheckpointError/corrupt(kind:reason:)`` for bytes that are not a self-play checkpoint.
        public static func decode(_ data: Data) throws -> Checkpoint {
            try CheckpointCoder.decode(Checkpoint.self, from: data, kind: "selfplay")
        }
    }
}
