import Foundation
import LudusLua

/// OpenAI-style evolution strategies (Salimans et al. 2017) on the same MLP as PPO.
///
/// A generation draws `population / 2` Gaussian directions `eps_j` (from the student's seed
/// and the generation number) and evaluates `theta + sigma eps_j` and `theta - sigma eps_j`
/// (antithetic pairs), one training episode each. When the population is done the returns are
/// replaced by centred ranks in [-0.5, 0.5] and `g = sum_j (u_j+ - u_j-) eps_j / (population sigma)`
/// is followed by Adam (ascent), with optional weight decay. The policy is deterministic:
/// argmax over legal logits, or for a box the output squashed by tanh into finite bounds
/// (raw where a bound is infinite). With ``isLearning`` false (decided at each episode's start)
/// the student plays `theta` itself and the generation waits.
///
/// With `norm=1` inputs are normalised by running mean and variance (as in Salimans et al.):
/// the statistics are frozen during a generation (every member sees the same normalisation),
/// the observations of its training episodes are accumulated aside and merged in at the update.
public final class ESStudent: Student {
    public struct Settings: Sendable, Equatable {
        public var hidden = [64, 64]
        public var population = 32
        public var sigma = 0.05
        public var learningRate = 0.01
        public var weightDecay = 0.005
        public var seed: UInt64 = 0
        /// Normalise inputs with running statistics, updated once per generation.
        public var normalize = false

        public static let keys: Set<String> = ["hidden", "pop", "sigma", "lr", "wd", "norm", "seed"]

        public init() {}

        public init(_ settings: LearnerSettings) throws(SetupError) {
            hidden = try settings.layers("hidden", hidden)
            population = try settings.int("pop", population, in: 2...100_000)
            guard population % 2 == 0 else { throw .badSpec("es setting pop=\(population): must be even (antithetic pairs)") }
            sigma = try settings.double("sigma", sigma, in: 1e-6...10)
            learningRate = try settings.double("lr", learningRate, in: 0...10)
            weightDecay = try settings.double("wd", weightDecay, in: 0...1)
            normalize = try settings.int("norm", 0, in: 0...1) == 1
            seed = UInt64(try settings.int("seed", 0, in: 0...Int.max))
        }

        public var strings: [String: String] {
            ["hidden": hidden.isEmpty ? "none" : hidden.map(String.init).joined(separator: "x"), "pop": "\(population)",
             "sigma": "\(sigma)", "lr": "\(learningRate)", "wd": "\(weightDecay)", "norm": normalize ? "1" : "0", "seed": "\(seed)"]
        }
    }

    public let name = "es"
    public var isLearning = true
    public let settings: Settings
    public let encoder: ObservationEncoder
    public let head: PolicyHead
    public let observationSpace: Space
    /// The mean parameters theta (gradients hold the last ES gradient, negated for descent).
    public let parameters: ParameterBuffer
    /// The parameters being played (theta, or a perturbation of it).
    let working: ParameterBuffer
    let policy: MLP
    let adam: Adam
    /// Input statistics applied while acting (nil with `norm=0`); changes only at updates.
    public let normalizer: RunningNormalizer?
    /// Observations of the current generation's training episodes, merged into `normalizer` at the update.
    private let pending: RunningNormalizer?
    public private(set) var generation = 0
    /// Index of the next population member to evaluate.
    public private(set) var member = 0
    private var noise: [Double]
    private var fitness: [Double]
    private var playingMember: Int?
    private let observation: UnsafeMutablePointer<Double>
    private let mask: UnsafeMutablePointer<UInt8>
    private let action: UnsafeMutablePointer<Double>
    private var generator = SeededGenerator(seed: 0)
    private let low: [Double]
    private let high: [Double]
    private let actionStart: Int
    /// Mean return of the last generation's population.
    public private(set) var lastGenerationMean = 0.0

    public init(observationSpace: Space, actionSpace: Space, settings: Settings) throws(SetupError) {
        self.settings = settings
        self.observationSpace = observationSpace
        encoder = try ObservationEncoder(space: observationSpace)
        head = try PolicyHead(space: actionSpace)
        if case .gaussian(let lo, let hi) = head.kind { low = lo; high = hi } else { low = []; high = [] }
        if case .discrete(_, let s) = actionSpace { actionStart = s } else { actionStart = 0 }
        let sizes = [encoder.size] + settings.hidden + [head.outputSize]
        let count = MLP.parameterCount(sizes: sizes)
        parameters = ParameterBuffer(count: count)
        working = ParameterBuffer(count: count)
        policy = MLP(sizes: sizes, storage: working, offset: 0, maxBatch: 1)
        let initializer = MLP(sizes: sizes, storage: parameters, offset: 0, maxBatch: 1)
        var initGenerator = SeededGenerator(seed: SeededGenerator.derive(settings.seed, 0xE5))
        initializer.initialize(generator: &initGenerator, hiddenGain: 1, outputGain: 0.1)
        adam = Adam(count: count, learningRate: settings.learningRate)
        adam.weightDecay = settings.weightDecay
        normalizer = settings.normalize ? RunningNormalizer(size: encoder.size) : nil
        pending = settings.normalize ? RunningNormalizer(size: encoder.size) : nil
        pending?.reset()
        noise = []
        fitness = Array(repeating: 0, count: settings.population)
        observation = .allocate(capacity: encoder.size)
        observation.initialize(repeating: 0, count: encoder.size)
        mask = .allocate(capacity: max(1, head.maskSize))
        mask.initialize(repeating: 1, count: max(1, head.maskSize))
        action = .allocate(capacity: head.actionSize)
        action.initialize(repeating: 0, count: head.actionSize)
        working.values.update(from: parameters.values, count: count)
    }

    public convenience init(spec: EnvironmentSpec, settings: String = "") throws(SetupError) {
        let parsed = try LearnerSettings(settings, allowed: Settings.keys, student: "es")
        try self.init(observationSpace: spec.observationSpace, actionSpace: spec.actionSpace, settings: Settings(parsed))
    }

    deinit {
        observation.deallocate(); mask.deallocate(); action.deallocate()
    }

    public var needsObservation: Bool { true }

    /// Draws the generation's directions (deterministic in the seed and the generation number).
    private func drawNoise() {
        var g = SeededGenerator(seed: SeededGenerator.derive(settings.seed, UInt64(generation) &+ 0x0E5_0000))
        let n = parameters.count * settings.population / 2
        if noise.count != n { noise = Array(repeating: 0, count: n) }
        for i in 0..<n { noise[i] = g.nextGaussian() }
    }

    public func beginEpisode(seed: UInt64, player: Int) {
        generator = SeededGenerator(seed: seed)
        let count = parameters.count
        working.values.update(from: parameters.values, count: count)
        guard isLearning else { playingMember = nil; return }
        if member == 0 { drawNoise() }
        playingMember = member
        let pair = member / 2, sign = member % 2 == 0 ? settings.sigma : -settings.sigma
        noise.withUnsafeBufferPointer { eps in
            let base = eps.baseAddress! + pair * count
            for i in 0..<count { working.values[i] += sign * base[i] }
        }
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        encoder.encode(environment.observation.numbers, into: observation)
        if let normalizer {
            if playingMember != nil { pending!.update(observation) }
            normalizer.apply(observation)
        }
        let output = policy.forward(observation, batch: 1)
        if head.isContinuous {
            var vector = [Double](repeating: 0, count: head.outputSize)
            for k in 0..<head.outputSize {
                let o = output[k], lo = low[k], hi = high[k]
                vector[k] = lo.isFinite && hi.isFinite ? lo + (tanh(o) + 1) / 2 * (hi - lo) : min(max(o, lo), hi)
            }
            return .vector(vector)
        }
        var useMask = false
        if head.maskSize > 0 && !legalActions.isEmpty {
            useMask = true
            mask.update(repeating: 0, count: head.maskSize)
            for a in legalActions where a - actionStart >= 0 && a - actionStart < head.maskSize { mask[a - actionStart] = 1 }
        }
        _ = head.choose(output: output, logStd: nil, mask: useMask ? UnsafePointer(mask) : nil, greedy: true,
                        generator: &generator, action: action)
        return head.makeAction(action)
    }

    public func endEpisode(return episodeReturn: Double) {
        guard let index = playingMember else { return }
        playingMember = nil
        fitness[index] = episodeReturn.isFinite ? episodeReturn : -Double.greatestFiniteMagnitude
        member = index + 1
        if member == settings.population {
            update()
            member = 0
            generation += 1
        }
    }

    /// Centred ranks, the antithetic gradient estimate, and an Adam step.
    private func update() {
        let p = settings.population, count = parameters.count
        lastGenerationMean = fitness.reduce(0, +) / Double(p)
        // Centred ranks in [-0.5, 0.5]; ties broken by index (deterministic).
        let ranked = (0..<p).sorted { fitness[$0] != fitness[$1] ? fitness[$0] < fitness[$1] : $0 < $1 }
        var utility = Array(repeating: 0.0, count: p)
        for (rank, index) in ranked.enumerated() { utility[index] = Double(rank) / Double(p - 1) - 0.5 }
        // Descent direction for Adam: minus the ES gradient estimate.
        parameters.zeroGradients()
        let g = parameters.gradients
        noise.withUnsafeBufferPointer { eps in
            for pair in 0..<(p / 2) {
                let weight = -(utility[2 * pair] - utility[2 * pair + 1]) / (Double(p) * settings.sigma)
                let base = eps.baseAddress! + pair * count
                for i in 0..<count { g[i] += weight * base[i] }
            }
        }
        adam.step(parameters)
        if let normalizer, let pending {
            normalizer.merge(pending)
            pending.reset()
        }
    }

    // MARK: Save and load

    var identity: LearnerFile.Identity {
        .init(kind: "es", observationSpace: observationSpace.description, actionSpace: head.space.description,
              observationSize: encoder.size, hidden: settings.hidden, settings: settings.strings)
    }

    public func save(to path: String) throws {
        try LearnerFile.save(identity, parameters: parameters, normalizer: normalizer, to: path)
    }

    public func load(from path: String) throws {
        try LearnerFile.load(identity, parameters: parameters, normalizer: normalizer, from: path)
        working.values.update(from: parameters.values, count: parameters.count)
    }

    public static func open(_ path: String, for spec: EnvironmentSpec) throws -> ESStudent {
        let file = try LearnerFile.read(from: path)
        try file.require("student", equals: "es", path: path)
        let strings = try file.settings(path: path) { try LearnerSettings(values: $0).layers("hidden", []) }
        let student = try ESStudent(observationSpace: spec.observationSpace, actionSpace: spec.actionSpace,
                                    settings: Settings(LearnerSettings(values: strings)))
        try student.load(from: path)
        return student
    }
}

// MARK: Checkpoint

extension ESStudent {
    struct Snapshot: Codable {
        var kind = "es"
        var parameters: PackedDoubles
        var adam: Adam.State
        var normalizer: PackedDoubles?
        var pending: PackedDoubles?
        var generation: Int
        var member: Int
        var fitness: PackedDoubles
        var playingMember: Int?
        var generator: GeneratorState
        var lastGenerationMean: Double
    }

    /// theta, Adam's state, the input statistics and the observations pending for them, the
    /// generation and the next member to play, the fitness of the members played so far and
    /// the last generation's mean. The generation's directions are not stored: they are
    /// drawn again from the seed and the generation number.
    public func checkpoint() throws -> Data {
        try CheckpointCoder.encode(Snapshot(
            parameters: PackedDoubles(parameters.values, count: parameters.count), adam: adam.state,
            normalizer: normalizer.map { PackedDoubles($0.state) }, pending: pending.map { PackedDoubles($0.state) },
            generation: generation, member: member, fitness: PackedDoubles(fitness), playingMember: playingMember,
            generator: GeneratorState(generator), lastGenerationMean: lastGenerationMean))
    }

    /// - Throws: ``CheckpointError`` for another student's checkpoint or another architecture.
    public func restore(from data: Data) throws {
        let snapshot = try CheckpointCoder.decode(Snapshot.self, from: data, kind: "es")
        try CheckpointCoder.require(snapshot.kind, equals: "es", "the student", kind: "es")
        try CheckpointCoder.require(snapshot.fitness.count, equals: settings.population, "the population", kind: "es")
        try CheckpointCoder.require(snapshot.normalizer?.count, equals: normalizer.map { 1 + 2 * $0.size }, "the input statistics' size", kind: "es")
        try snapshot.parameters.copy(into: parameters.values, count: parameters.count, "the parameters", kind: "es")
        try adam.restore(snapshot.adam)
        if let normalizer, let state = snapshot.normalizer { normalizer.restore(state.values[...]) }
        if let pending, let state = snapshot.pending { pending.restore(state.values[...]) }
        generation = snapshot.generation
        member = snapshot.member
        fitness = snapshot.fitness.values
        playingMember = snapshot.playingMember
        generator = try snapshot.generator.generator(kind: "es")
        lastGenerationMean = snapshot.lastGenerationMean
        working.values.update(from: parameters.values, count: parameters.count)
        noise = []
        if member > 0 { drawNoise() }  // the current generation's directions, as first drawn
    }
}
