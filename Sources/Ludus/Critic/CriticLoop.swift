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
}

/// SPC-style self-play on a two-role environment (`roles = {"generator", "critic"}`):
/// each round the sneaky generator (a bandit over the environment's error types) and
/// the critic (logistic regression over the step's features) play games with frozen
/// policies; the environment's verifier decides who was right; then each role trains
/// on the outcomes (the critic on every labelled step so far). After each round the
/// critic is evaluated on a fixed held-out set of correct and sneaky steps.
public final class CriticLoop {
    public let environment: LuaEnvironment
    public let errorTypes: [String]
    public let featureCount: Int
    public var gamesPerRound = 200
    public var heldOutSize = 400
    public var params: [String: LuaValue]

    public private(set) var generator: GeneratorBandit
    public private(set) var critic: CriticModel
    private var examples: [(features: [Double], wrong: Bool)] = []

    public init(environment: LuaEnvironment, params: [String: LuaValue]) throws(EnvironmentError) {
        let spec = environment.spec
        guard spec.players == 2, spec.roles == ["generator", "critic"] else {
            throw .unsupported("\(spec.id) is not a generator/critic game (roles must be {\"generator\", \"critic\"})")
        }
        guard case .dict(let parts) = spec.observationSpace, let features = parts.first(where: { $0.name == "features" }),
            case .box(_, _, let shape) = features.space, parts.first?.name == "features"
        else { throw .unsupported("\(spec.id): the observation must be a dict with a `features` box") }
        let names = environment.script.module.definition["error_types"].arrayValue?.compactMap(\.stringValue) ?? []
        guard !names.isEmpty else { throw .unsupported("\(spec.id) must declare E.error_types") }
        guard spec.parameters["correct_rate"] != nil else { throw .unsupported("\(spec.id) must have a correct_rate param") }
        self.environment = environment
        self.params = params
        errorTypes = names
        featureCount = shape.reduce(1, *)
        generator = GeneratorBandit(arms: names.count)
        critic = CriticModel(features: featureCount)
        environment.capturesDetail = true
    }

    /// A step as the critic sees it, with the verifier's truth.
    struct Judged {
        var features: [Double]
        var wrong: Bool
        var errorType: Int?
    }

    /// Plays to the critic's turn: the generator (if it moves) plays `errorType`.
    private func stepForCritic(seed: UInt64, params: [String: LuaValue], errorType: (inout SeededGenerator) -> Int,
                               generatorRandom: inout SeededGenerator) throws(EnvironmentError) -> (features: [Double], played: Int?) {
        try environment.reset(seed: seed, params: params)
        var played: Int? = nil
        if try environment.currentPlayer() == 1 {
            let arm = errorType(&generatorRandom)
            _ = try environment.stepOutcome(.discrete(arm))
            played = arm
        }
        guard try environment.currentPlayer() == 2 else { throw .unsupported("expected the critic's turn") }
        return (Array(environment.observation.numbers[0..<featureCount]), played)
    }

    /// The critic's verdict is stepped; the truth comes from the environment's info.
    private func judge(_ verdictWrong: Bool) throws(EnvironmentError) -> (truthWrong: Bool, rewards: (Double, Double)) {
        _ = try environment.stepOutcome(.discrete(verdictWrong ? 1 : 0))
        let rewards = environment.rewards
        let truth = environment.lastInfo["truth"].stringValue
        guard truth == "correct" || truth == "incorrect" else {
            throw .unsupported("\(environment.spec.id): the final info must say truth = \"correct\" or \"incorrect\"")
        }
        return (truth == "incorrect", (rewards[0], rewards[1]))
    }

    /// The fixed held-out set: half correct steps, half sneaky ones with error types in turn.
    func heldOut(seed: UInt64) throws(EnvironmentError) -> [Judged] {
        var set: [Judged] = []
        var unused = SeededGenerator(seed: seed)
        for i in 0..<max(0, heldOutSize) {
            var p = params
            let erroneous = i % 2 == 1
            p["correct_rate"] = .number(erroneous ? 0 : 1)
            let arm = (i / 2) % errorTypes.count
            let (features, played) = try stepForCritic(seed: SeededGenerator.derive(seed, UInt64(i)), params: p,
                                                       errorType: { _ in arm }, generatorRandom: &unused)
            let (truth, _) = try judge(true)
            set.append(Judged(features: features, wrong: truth, errorType: played))
        }
        return set
    }

    func evaluate(_ set: [Judged]) -> (correct: Double, erroneous: Double) {
        let right = set.filter { !$0.wrong }, wrong = set.filter { $0.wrong }
        let onCorrect = right.isEmpty ? 0 : Double(right.filter { !critic.judgesWrong($0.features) }.count) / Double(right.count)
        let onWrong = wrong.isEmpty ? 0 : Double(wrong.filter { critic.judgesWrong($0.features) }.count) / Double(wrong.count)
        return (onCorrect, onWrong)
    }

    /// Runs `rounds` rounds; round 0 is the untrained critic. Calls `report` after each.
    public func run(rounds: Int, seed: UInt64, report: (CriticRound) throws -> Void) throws {
        let held = try heldOut(seed: SeededGenerator.derive(seed, 0xC817))
        var initial = evaluate(held)
        try report(CriticRound(round: 0, accuracyOnCorrect: initial.correct, accuracyOnErroneous: initial.erroneous,
                               deceptionRate: 0, generatorPolicy: generator.probabilities, games: 0))
        var random = SeededGenerator(seed: SeededGenerator.derive(seed, 0x9E4))
        for round in 1...max(1, rounds) {
            var outcomes: [(arm: Int, reward: Double)] = []
            var sneaky = 0, fooled = 0
            let policy = generator
            for game in 0..<max(0, gamesPerRound) {
                let gameSeed = SeededGenerator.derive(seed, UInt64(round) << 32 | UInt64(game))
                let (features, played) = try stepForCritic(seed: gameSeed, params: params, errorType: { policy.sample(using: &$0) },
                                                           generatorRandom: &random)
                let verdict = critic.judgesWrong(features)
                let (truth, rewards) = try judge(verdict)
                examples.append((features, truth))
                if let played {
                    outcomes.append((played, rewards.0))
                    if truth {
                        sneaky += 1
                        if !verdict { fooled += 1 }
                    }
                }
            }
            for outcome in outcomes { generator.update(arm: outcome.arm, reward: outcome.reward) }
            critic.fit(examples)
            initial = evaluate(held)
            try report(CriticRound(round: round, accuracyOnCorrect: initial.correct, accuracyOnErroneous: initial.erroneous,
                                   deceptionRate: sneaky == 0 ? 0 : Double(fooled) / Double(sneaky),
                                   generatorPolicy: generator.probabilities, games: gamesPerRound))
        }
    }
}
