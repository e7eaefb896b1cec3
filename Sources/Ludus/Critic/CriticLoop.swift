import Foundation
import LudusLua

/// One round's figures for the generator/critic game.
public struct CriticRound: Hashable, Sendable, Codable {
    public var round: Int
    /// Critic accuracy on the held-out correct steps and erroneous steps.
    public var accuracyOnCorrect: Double
    public var accuracyOnErroneous: Double
    public var meanAccuracy: Double { (accuracyOnCorrect + accuracyOnErroneous) / 2 }
    public var harmonicAccuracy: Double {
        accuracyOnCorrect + accuracyOnErroneous == 0 ? 0
            : 2 * accuracyOnCorrect * accuracyOnErroneous / (accuracyOnCorrect + accuracyOnErroneous)
    }
    /// Fraction of the generator's sneaky steps in this round's games that the critic called correct.
    public var deceptionRate: Double
    /// The generator's probability per error type after this round's update.
    public var generatorPolicy: [Double]
    public var games: Int
    /// Answers of external or LLM seats that were not a legal action (each played as the fallback: arm 0, verdict "correct").
    public var answerFailures = 0
}

/// SPC-style self-play on a two-role environment (`roles = {"generator", "critic"}`):
/// each round the sneaky generator (a bandit over the environment's error types) and
/// the critic (logistic regression over the step's features) play games with frozen
/// policies; the environment's verifier decides who was right; then each role trains
/// on the outcomes (the critic on every labelled step so far). After each round the
/// critic is evaluated on a fixed held-out set of correct and sneaky steps.
///
/// Either side may instead be any agent (``generatorAgent``, ``criticAgent``: an LLM, an
/// `exec:` program, MCTS...): it plays its seat from the observation (its `text` says what
/// the role is asked), does not train here, and an external critic is scored on the same
/// held-out games. A server that fails (``LLMAgent/serverError``) stops the run; committed
/// rounds are kept and `--resume` goes on from them.
public final class CriticLoop {
    public let environment: any Environment
    public let errorTypes: [String]
    public let featureCount: Int
    public var gamesPerRound = 200
    public var heldOutSize = 400
    public var params: [String: Value]
    /// Plays the generator's seat instead of the bandit (nil: the built-in bandit).
    public var generatorAgent: (any Agent)? { didSet { generatorSeat.agent = generatorAgent } }
    /// Plays the critic's seat instead of the logistic regression (nil: the built-in critic).
    public var criticAgent: (any Agent)? { didSet { criticSeat.agent = criticAgent } }

    public private(set) var generator: GeneratorBandit
    public private(set) var critic: CriticModel
    private var examples: [(features: [Double], wrong: Bool)] = []
    /// Receives a checkpoint after each round's report (round 0 included); pass it to
    /// ``run(rounds:seed:from:report:)`` to resume.
    public var onCheckpoint: ((Checkpoint) throws -> Void)?

    public init(environment: any Environment, params: [String: Value]) throws(SetupError) {
        let spec = environment.spec
        guard spec.players == 2, spec.roles == ["generator", "critic"] else {
            throw .unsuitable("\(spec.id) is not a generator/critic game (roles must be {\"generator\", \"critic\"})")
        }
        guard case .dict(let parts) = spec.observationSpace, let features = parts.first(where: { $0.name == "features" }),
            case .box(_, _, let shape) = features.space, parts.first?.name == "features"
        else { throw .unsuitable("\(spec.id): the observation must be a dict with a `features` box") }
        let names = spec.facts["error_types"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard !names.isEmpty else { throw .unsuitable("\(spec.id) must declare E.error_types") }
        guard spec.parameters["correct_rate"] != nil else { throw .unsuitable("\(spec.id) must have a correct_rate param") }
        self.environment = environment
        self.params = params
        errorTypes = names
        featureCount = shape.reduce(1, *)
        generator = GeneratorBandit(arms: names.count)
        critic = CriticModel(features: featureCount)
    }

    /// A step as the critic sees it, with the verifier's truth.
    struct Judged {
        var features: [Double]
        var wrong: Bool
        var errorType: Int?
        /// The external critic's verdict (true: incorrect), when it judged the step.
        var verdict: Bool?
    }

    /// The generator's seat: plays the error type it is told to (when it moves at all).
    final class GeneratorSeat: Agent {
        let name = "generator"
        var needsObservation: Bool { agent != nil }
        var needsObservationValue: Bool { agent?.needsObservationValue ?? false }
        var choose: () -> Int = { 0 }
        var played: Int?
        /// With an agent set and `usesAgent` on, the agent picks the error type.
        var agent: (any Agent)?
        var usesAgent = false
        var failures = 0
        func beginEpisode(seed: UInt64, player: Int) {
            played = nil
            if usesAgent { agent?.beginEpisode(seed: seed, player: player) }
        }
        func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
            var arm = 0
            if usesAgent, let agent {
                arm = try CriticLoop.answer(of: agent, in: environment, legalActions: legalActions, fallback: 0, failures: &failures)
            } else {
                arm = choose()
            }
            played = arm
            return .discrete(arm)
        }
        func observe(_ step: Step, player: Int) { if usesAgent { agent?.observe(step, player: player) } }
        func endEpisode(return episodeReturn: Double) { if usesAgent { agent?.endEpisode(return: episodeReturn) } }
    }

    /// An agent's discrete answer; an answer that is no legal action counts as a failure and plays
    /// `fallback`, but a server that cannot answer at all stops the run (rethrown).
    static func answer(of agent: any Agent, in environment: any Environment, legalActions: [Int], fallback: Int, failures: inout Int) throws -> Int {
        do {
            if case .discrete(let a) = try agent.act(in: environment, legalActions: legalActions), legalActions.isEmpty || legalActions.contains(a) { return a }
        } catch {
            if (agent as? LLMAgent)?.serverError != nil { throw error }
        }
        failures += 1
        return fallback
    }

    /// The critic's seat: reads the step's features and gives the verdict it is told to.
    final class CriticSeat: Agent {
        let name = "critic"
        let featureCount: Int
        var judge: ([Double]) -> Bool = { _ in true }
        var features: [Double] = []
        var verdict = false
        /// With an agent set and `usesAgent` on, the agent gives the verdict (1 = incorrect).
        var agent: (any Agent)?
        var usesAgent = false
        var failures = 0
        var needsObservationValue: Bool { agent?.needsObservationValue ?? false }
        init(featureCount: Int) { self.featureCount = featureCount }
        func beginEpisode(seed: UInt64, player: Int) { if usesAgent { agent?.beginEpisode(seed: seed, player: player) } }
        func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
            features = Array(environment.observation.numbers[0..<featureCount])
            if usesAgent, let agent {
                verdict = try CriticLoop.answer(of: agent, in: environment, legalActions: legalActions, fallback: 0, failures: &failures) == 1
            } else {
                verdict = judge(features)
            }
            return .discrete(verdict ? 1 : 0)
        }
        func observe(_ step: Step, player: Int) { if usesAgent { agent?.observe(step, player: player) } }
        func endEpisode(return episodeReturn: Double) { if usesAgent { agent?.endEpisode(return: episodeReturn) } }
    }

    /// Reads the verifier's truth from the final info.
    final class TruthReader: EpisodeObserver {
        var needsDetail: Bool { true }
        var truth: String?
        func didReset(_ environment: any Environment, episode: Int, seed: UInt64, params: [String: Value]) throws { truth = nil }
        func didStep(_ environment: any Environment, episode: Int, length: Int, player: Int, action: Action, step: Step) throws {
            if step.isDone { truth = environment.lastInfo["truth"].stringValue }
        }
    }

    private lazy var generatorSeat = GeneratorSeat()
    private lazy var criticSeat = CriticSeat(featureCount: featureCount)
    private let truthReader = TruthReader()
    private lazy var driver: EpisodeDriver = {
        let driver = EpisodeDriver(environment: environment)
        driver.observers = [truthReader]
        driver.onAgentFailure = .stop
        return driver
    }()

    /// One game through the episode driver: the generator (if it moves) plays
    /// `errorType`, the critic judges with `judge`, the environment's info gives the truth.
    private func playGame(seed: UInt64, params: [String: Value], errorType: @escaping () -> Int,
                          judge: @escaping ([Double]) -> Bool, agents: (generator: Bool, critic: Bool) = (false, false)) throws(EpisodeError) -> (judged: Judged, verdict: Bool, generatorReward: Double) {
        generatorSeat.choose = errorType
        criticSeat.judge = judge
        generatorSeat.usesAgent = agents.generator && generatorAgent != nil
        criticSeat.usesAgent = agents.critic && criticAgent != nil
        let result = try driver.play(seed: seed, params: params, agents: [generatorSeat, criticSeat])
        guard let truth = truthReader.truth, truth == "correct" || truth == "incorrect" else {
            throw .environment(.contract(ContractViolation(
                function: "step", message: "must say truth = \"correct\" or \"incorrect\" in the final info of a generator/critic game",
                location: environment.location(of: "step"), file: environment.spec.path)))
        }
        return (Judged(features: criticSeat.features, wrong: truth == "incorrect", errorType: generatorSeat.played),
                criticSeat.verdict, result.returns[0])
    }

    /// The fixed held-out set: half correct steps, half sneaky ones with error types in turn.
    func heldOut(seed: UInt64, critic: Bool = false) throws(EpisodeError) -> [Judged] {
        var set: [Judged] = []
        let seeds = SeedStreams(root: seed)
        for i in 0..<max(0, heldOutSize) {
            var p = params
            let erroneous = i % 2 == 1
            p["correct_rate"] = .number(erroneous ? 0 : 1)
            let arm = (i / 2) % errorTypes.count
            let game = try playGame(seed: seeds.seed(.evaluation, i), params: p, errorType: { arm }, judge: { _ in true }, agents: (false, critic))
            var judged = game.judged
            if critic { judged.verdict = game.verdict }
            set.append(judged)
        }
        return set
    }

    /// The external critic's accuracy on the held-out games (played again: it may have changed).
    func evaluateAgent(seed: UInt64) throws(EpisodeError) -> (correct: Double, erroneous: Double) {
        let set = try heldOut(seed: seed, critic: true)
        let right = set.filter { !$0.wrong }, wrong = set.filter { $0.wrong }
        return (right.isEmpty ? 0 : Double(right.filter { $0.verdict == false }.count) / Double(right.count),
                wrong.isEmpty ? 0 : Double(wrong.filter { $0.verdict == true }.count) / Double(wrong.count))
    }

    func evaluate(_ set: [Judged]) -> (correct: Double, erroneous: Double) {
        let right = set.filter { !$0.wrong }, wrong = set.filter { $0.wrong }
        let onCorrect = right.isEmpty ? 0 : Double(right.filter { !critic.judgesWrong($0.features) }.count) / Double(right.count)
        let onWrong = wrong.isEmpty ? 0 : Double(wrong.filter { critic.judgesWrong($0.features) }.count) / Double(wrong.count)
        return (onCorrect, onWrong)
    }

    /// Runs `rounds` rounds; round 0 is the untrained critic. Calls `report` after each.
    /// `from` a checkpoint of the same configuration, plays only the rounds after it, with
    /// the same reports as an uninterrupted run.
    /// - Throws: what `report` and ``onCheckpoint`` throw, ``EpisodeError``, ``CheckpointError``.
    public func run(rounds: Int, seed: UInt64, from checkpoint: Checkpoint? = nil, report: (CriticRound) throws -> Void) throws {
        let seeds = SeedStreams(root: seed)
        let held = try heldOut(seed: seeds.seed(.evaluation))
        func score() throws -> (correct: Double, erroneous: Double) {
            criticAgent == nil ? evaluate(held) : try evaluateAgent(seed: seeds.seed(.evaluation))
        }
        var policy: [Double] { generatorAgent == nil ? generator.probabilities : [] }
        var initial = try score()
        var random = seeds.generator(.loop)
        func save(after round: Int) throws {
            try onCheckpoint?(Checkpoint(round: round, generator: generator, critic: critic, random: GeneratorState(random),
                                         features: PackedDoubles(examples.flatMap(\.features)), wrong: examples.map(\.wrong)))
        }
        var first = 1
        if let checkpoint {
            try CheckpointCoder.require(checkpoint.features.count, equals: checkpoint.wrong.count * featureCount, "the examples' size", kind: "critic")
            try CheckpointCoder.require(checkpoint.generator.preferences.count, equals: max(1, errorTypes.count), "the number of error types", kind: "critic")
            generator = checkpoint.generator
            critic = checkpoint.critic
            random = try checkpoint.random.generator(kind: "critic")
            let features = checkpoint.features.values
            examples = checkpoint.wrong.enumerated().map { (Array(features[($0.offset * featureCount)..<(($0.offset + 1) * featureCount)]), $0.element) }
            first = checkpoint.round + 1
        } else {
            try report(CriticRound(round: 0, accuracyOnCorrect: initial.correct, accuracyOnErroneous: initial.erroneous,
                                   deceptionRate: 0, generatorPolicy: policy, games: 0, answerFailures: criticSeat.failures))
            try save(after: 0)
        }
        for round in stride(from: first, through: max(1, rounds), by: 1) {
            var outcomes: [(arm: Int, reward: Double)] = []
            var sneaky = 0, fooled = 0
            let bandit = generator
            let critic = self.critic
            generatorSeat.failures = 0
            criticSeat.failures = 0
            for game in 0..<max(0, gamesPerRound) {
                let gameSeed = seeds.seed(.episode, UInt64(round) << 32 | UInt64(game))
                let (judged, verdict, generatorReward) = try playGame(
                    seed: gameSeed, params: params, errorType: { bandit.sample(using: &random) }, judge: { critic.judgesWrong($0) },
                    agents: (true, true))
                examples.append((judged.features, judged.wrong))
                if let played = judged.errorType {
                    outcomes.append((played, generatorReward))
                    if judged.wrong {
                        sneaky += 1
                        if !verdict { fooled += 1 }
                    }
                }
            }
            let failures = generatorSeat.failures + criticSeat.failures
            if generatorAgent == nil { for outcome in outcomes { generator.update(arm: outcome.arm, reward: outcome.reward) } }
            if criticAgent == nil { self.critic.fit(examples) }
            initial = try score()
            try report(CriticRound(round: round, accuracyOnCorrect: initial.correct, accuracyOnErroneous: initial.erroneous,
                                   deceptionRate: sneaky == 0 ? 0 : Double(fooled) / Double(sneaky),
                                   generatorPolicy: policy, games: gamesPerRound, answerFailures: failures))
            try save(after: round)
        }
    }
}

extension CriticLoop {
    /// The complete state of a critic run after `round` rounds: the generator's bandit, the
    /// critic's model, the loop's generator and every labelled example so far (the critic
    /// refits on all of them). The held-out set follows from the run seed.
    public struct Checkpoint: Codable, Sendable {
        public var round: Int
        var generator: GeneratorBandit
        var critic: CriticModel
        var random: GeneratorState
        /// The examples' features, flattened (`featureCount` per example).
        var features: PackedDoubles
        var wrong: [Bool]

        public func encoded() throws -> Data { try CheckpointCoder.encode(self) }

        /// - Throws: ``CheckpointError/corrupt(kind:reason:)`` for bytes that are not a critic checkpoint.
        public static func decode(_ data: Data) throws -> Checkpoint {
            try CheckpointCoder.decode(Checkpoint.self, from: data, kind: "critic")
        }
    }
}
