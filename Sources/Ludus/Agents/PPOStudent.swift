import Foundation
import LudusLua

/// PPO-clip with GAE on MLP policy and value networks (separate, tanh hidden layers),
/// learning inside the ``Agent`` callbacks while ``isLearning``.
///
/// Acting samples from the policy (categorical over logits with illegal actions masked, or a
/// diagonal Gaussian with a state-independent log-std, clipped to the box) and stores the
/// transition; every `steps` transitions (collected across episodes) the student runs
/// `epochs` passes of shuffled minibatches over them: clipped surrogate, entropy bonus,
/// squared value error, advantages normalised per minibatch, global gradient norm clipped,
/// Adam. With ``isLearning`` false it takes the most likely action (the mean) and changes
/// nothing. Defaults follow CleanRL's `ppo.py` (discrete) and `ppo_continuous_action.py` (box).
public final class PPOStudent: Student {
    public struct Settings: Sendable, Equatable {
        public var hidden = [64, 64]
        public var steps = 512
        public var epochs = 4
        public var minibatches = 4
        public var learningRate = 2.5e-4
        public var gamma = 0.99
        public var lambda = 0.95
        public var clip = 0.2
        public var entropy = 0.01
        public var valueCoefficient = 0.5
        public var maxGradNorm = 0.5
        public var initialLogStd = 0.0
        /// Normalise inputs with running statistics (see ``RunningNormalizer``).
        public var normalize = true
        /// With `isLearning` false, sample from the policy (seeded by the episode) instead of
        /// taking the most likely action: better on partially observed tasks (MiniGrid),
        /// where a deterministic policy can loop forever.
        public var sampleWhenEvaluating = false
        public var seed: UInt64 = 0

        /// The published defaults for the action space (continuous control: longer rollouts,
        /// more epochs and minibatches, no entropy bonus, lr 3e-4).
        public static func defaults(continuous: Bool) -> Settings {
            var s = Settings()
            if continuous { s.steps = 2048; s.epochs = 10; s.minibatches = 32; s.learningRate = 3e-4; s.entropy = 0 }
            return s
        }

        public static let keys: Set<String> = ["hidden", "steps", "epochs", "minibatches", "lr", "gamma", "lambda", "clip",
                                               "ent", "vf", "maxgrad", "logstd", "norm", "eval", "seed"]

        public init() {}

        public init(_ settings: LearnerSettings, continuous: Bool) throws(SetupError) {
            let d = Settings.defaults(continuous: continuous)
            hidden = try settings.layers("hidden", d.hidden)
            steps = try settings.int("steps", d.steps, in: 8...1_000_000)
            epochs = try settings.int("epochs", d.epochs, in: 1...1000)
            minibatches = try settings.int("minibatches", d.minibatches, in: 1...steps)
            learningRate = try settings.double("lr", d.learningRate, in: 0...1)
            gamma = try settings.double("gamma", d.gamma, in: 0...1)
            lambda = try settings.double("lambda", d.lambda, in: 0...1)
            clip = try settings.double("clip", d.clip, in: 0...10)
            entropy = try settings.double("ent", d.entropy, in: 0...10)
            valueCoefficient = try settings.double("vf", d.valueCoefficient, in: 0...100)
            maxGradNorm = try settings.double("maxgrad", d.maxGradNorm, in: 0...1e9)
            initialLogStd = try settings.double("logstd", d.initialLogStd, in: -10...5)
            normalize = try settings.int("norm", d.normalize ? 1 : 0, in: 0...1) == 1
            switch settings.values["eval"] ?? "greedy" {
            case "greedy": sampleWhenEvaluating = false
            case "sample": sampleWhenEvaluating = true
            case let other: throw .badSpec("ppo setting eval=\(other): expected greedy or sample")
            }
            seed = UInt64(try settings.int("seed", 0, in: 0...Int.max))
        }

        /// The settings as `key=value` strings (saved in the student's file).
        public var strings: [String: String] {
            ["hidden": hidden.isEmpty ? "none" : hidden.map(String.init).joined(separator: "x"), "steps": "\(steps)",
             "epochs": "\(epochs)", "minibatches": "\(minibatches)", "lr": "\(learningRate)", "gamma": "\(gamma)",
             "lambda": "\(lambda)", "clip": "\(clip)", "ent": "\(entropy)", "vf": "\(valueCoefficient)",
             "maxgrad": "\(maxGradNorm)", "logstd": "\(initialLogStd)", "norm": normalize ? "1" : "0",
             "eval": sampleWhenEvaluating ? "sample" : "greedy", "seed": "\(seed)"]
        }
    }

    /// Where the time goes (seconds), for the throughput benchmark.
    public struct Profile: Sendable {
        public var act = 0.0
        public var updateForward = 0.0
        public var updateBackward = 0.0
        public var updateOther = 0.0
        public var updates = 0
        public var steps = 0
    }

    public let name = "ppo"
    public var isLearning = true
    public let settings: Settings
    public let encoder: ObservationEncoder
    public let head: PolicyHead
    public let observationSpace: Space
    /// Policy weights, then value weights, then the Gaussian log-std (box actions).
    public let parameters: ParameterBuffer
    public let policy: MLP
    public let value: MLP
    /// Input statistics (nil with `norm=0`).
    public let normalizer: RunningNormalizer?
    public private(set) var lastEpisodeScore: Double?
    /// Read by the loop right after the episode, so not part of the checkpoint.
    public private(set) var lastEpisodeScores: EpisodeScores?
    public private(set) var profile = Profile()
    /// Mean clipped-surrogate loss, value loss and approximate KL of the last update.
    public private(set) var lastLosses: (policy: Double, value: Double, kl: Double) = (0, 0, 0)
    let buffer: RolloutBuffer
    let adam: Adam
    let logStdOffset: Int
    let minibatchSize: Int
    private var generator = SeededGenerator(seed: 0)
    private var updateGenerator: SeededGenerator
    private weak var environment: (any Environment)?
    private var learningThisEpisode = true
    private var skipNormalizerUpdate = false
    private var open = false
    private var closed = false
    private var episodeRewards: [Double] = []
    private var episodeValues: [Double] = []
    // Scratch (allocated once).
    private let observation: UnsafeMutablePointer<Double>
    private let action: UnsafeMutablePointer<Double>
    private let mask: UnsafeMutablePointer<UInt8>
    private let batchObservations: UnsafeMutablePointer<Double>
    private let policyGradient: UnsafeMutablePointer<Double>
    private let valueGradient: UnsafeMutablePointer<Double>
    private let batchAdvantages: UnsafeMutablePointer<Double>
    private var order: [Int]

    public init(observationSpace: Space, actionSpace: Space, settings: Settings) throws(SetupError) {
        self.settings = settings
        self.observationSpace = observationSpace
        encoder = try ObservationEncoder(space: observationSpace)
        head = try PolicyHead(space: actionSpace)
        minibatchSize = max(1, settings.steps / settings.minibatches)
        let policySizes = [encoder.size] + settings.hidden + [head.outputSize]
        let valueSizes = [encoder.size] + settings.hidden + [1]
        let policyCount = MLP.parameterCount(sizes: policySizes), valueCount = MLP.parameterCount(sizes: valueSizes)
        logStdOffset = policyCount + valueCount
        parameters = ParameterBuffer(count: logStdOffset + (head.isContinuous ? head.outputSize : 0))
        policy = MLP(sizes: policySizes, storage: parameters, offset: 0, maxBatch: minibatchSize)
        value = MLP(sizes: valueSizes, storage: parameters, offset: policyCount, maxBatch: minibatchSize)
        var initGenerator = SeededGenerator(seed: SeededGenerator.derive(settings.seed, 0x1417))
        policy.initialize(generator: &initGenerator, outputGain: 0.01)
        value.initialize(generator: &initGenerator, outputGain: 1)
        for k in logStdOffset..<parameters.count { parameters.values[k] = settings.initialLogStd }
        adam = Adam(count: parameters.count, learningRate: settings.learningRate)
        normalizer = settings.normalize ? RunningNormalizer(size: encoder.size) : nil
        buffer = RolloutBuffer(capacity: settings.steps, observationSize: encoder.size, actionSize: head.actionSize,
                               maskSize: head.maskSize)
        updateGenerator = SeededGenerator(seed: SeededGenerator.derive(settings.seed, 0x5EED))
        observation = .allocate(capacity: encoder.size)
        observation.initialize(repeating: 0, count: encoder.size)
        action = .allocate(capacity: head.actionSize)
        action.initialize(repeating: 0, count: head.actionSize)
        mask = .allocate(capacity: max(1, head.maskSize))
        mask.initialize(repeating: 1, count: max(1, head.maskSize))
        batchObservations = .allocate(capacity: minibatchSize * encoder.size)
        batchObservations.initialize(repeating: 0, count: minibatchSize * encoder.size)
        policyGradient = .allocate(capacity: minibatchSize * head.outputSize)
        policyGradient.initialize(repeating: 0, count: minibatchSize * head.outputSize)
        valueGradient = .allocate(capacity: minibatchSize)
        valueGradient.initialize(repeating: 0, count: minibatchSize)
        batchAdvantages = .allocate(capacity: minibatchSize)
        batchAdvantages.initialize(repeating: 0, count: minibatchSize)
        order = Array(0..<settings.steps)
        episodeRewards.reserveCapacity(1024)
        episodeValues.reserveCapacity(1024)
    }

    public convenience init(spec: EnvironmentSpec, settings: String = "") throws(SetupError) {
        let parsed = try LearnerSettings(settings, allowed: Settings.keys, student: "ppo")
        let continuous = (try? PolicyHead(space: spec.actionSpace))?.isContinuous ?? false
        try self.init(observationSpace: spec.observationSpace, actionSpace: spec.actionSpace,
                      settings: Settings(parsed, continuous: continuous))
    }

    deinit {
        if Self.profiling {
            let p = profile
            let line = String(format: "ppo profile (thread CPU time): %d learning steps, %d updates; act %.2f s (%.1f us/step), update forward %.2f s, backward %.2f s, other (loss, Adam, GAE, gather) %.2f s\n",
                              p.steps, p.updates, p.act, 1e6 * p.act / Double(max(1, p.steps)), p.updateForward, p.updateBackward, p.updateOther)
            FileHandle.standardError.write(Data(line.utf8))
        }
        observation.deallocate(); action.deallocate(); mask.deallocate(); batchObservations.deallocate()
        policyGradient.deallocate(); valueGradient.deallocate(); batchAdvantages.deallocate()
    }

    public var needsObservation: Bool { true }
    private var logStd: UnsafeMutablePointer<Double>? { head.isContinuous ? parameters.values + logStdOffset : nil }

    // MARK: Agent

    public func beginEpisode(seed: UInt64, player: Int) {
        generator = SeededGenerator(seed: seed)
        if open { closeOpen(nextValue: buffer.values[buffer.count - 1]) }  // an episode that ended in an error
        learningThisEpisode = isLearning
        closed = false
        episodeRewards.removeAll(keepingCapacity: true)
        episodeValues.removeAll(keepingCapacity: true)
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        let start = Self.now()
        self.environment = environment
        encoder.encode(environment.observation.numbers, into: observation)
        if let normalizer {
            if learningThisEpisode && !skipNormalizerUpdate { normalizer.update(observation) }
            normalizer.apply(observation)
        }
        let v = value.forward(observation, batch: 1)[0]
        if learningThisEpisode {
            if open { closeOpen(nextValue: v, endsEpisode: false) }
            if buffer.isFull {
                profile.act += Self.now() - start
                update()
                return try actAfterUpdate(in: environment, legalActions: legalActions)
            }
        }
        if head.maskSize > 0 {
            if legalActions.isEmpty {
                mask.update(repeating: 1, count: head.maskSize)
            } else {
                mask.update(repeating: 0, count: head.maskSize)
                let start: Int
                if case .discrete(_, let s) = head.space { start = s } else { start = 0 }
                for a in legalActions where a - start >= 0 && a - start < head.maskSize { mask[a - start] = 1 }
            }
        }
        let logits = policy.forward(observation, batch: 1)
        let logp = head.choose(output: logits, logStd: logStd, mask: head.maskSize > 0 ? UnsafePointer(mask) : nil,
                               greedy: !learningThisEpisode && !settings.sampleWhenEvaluating, generator: &generator, action: action)
        if learningThisEpisode {
            let t = buffer.count
            (buffer.observations + t * encoder.size).update(from: observation, count: encoder.size)
            (buffer.actions + t * head.actionSize).update(from: action, count: head.actionSize)
            if head.maskSize > 0 { (buffer.masks + t * head.maskSize).update(from: mask, count: head.maskSize) }
            buffer.logProbs[t] = logp
            buffer.values[t] = v
            buffer.rewards[t] = 0
            buffer.nextValues[t] = 0
            buffer.episodeEnds[t] = 0
            buffer.count = t + 1
            open = true
            profile.steps += 1
        }
        episodeValues.append(v)
        episodeRewards.append(0)
        profile.act += Self.now() - start
        return head.makeAction(action)
    }

    /// Acting again on the same state once the policy has changed (the input statistics
    /// already include this observation).
    private func actAfterUpdate(in environment: any Environment, legalActions: [Int]) throws -> Action {
        let saved = learningThisEpisode
        skipNormalizerUpdate = true
        defer { skipNormalizerUpdate = false; learningThisEpisode = saved }
        return try act(in: environment, legalActions: legalActions)
    }

    public func observe(_ step: Step, player: Int) {
        let r = step.reward(of: player)
        if open { buffer.rewards[buffer.count - 1] += r }
        if !episodeRewards.isEmpty { episodeRewards[episodeRewards.count - 1] += r }
        if step.isDone { finishEpisode(terminated: step.terminated) }
    }

    public func endEpisode(return episodeReturn: Double) {
        if !closed { finishEpisode(terminated: false) }
        if learningThisEpisode && buffer.isFull { update() }
    }

    /// Closes the episode: bootstrap value (0 when terminated, else the value of the final
    /// observation), the open transition, and the episode's score for PLR.
    private func finishEpisode(terminated: Bool) {
        guard !closed else { return }
        closed = true
        var bootstrap = 0.0
        if !terminated, let environment, !episodeValues.isEmpty {
            encoder.encode(environment.observation.numbers, into: observation)
            normalizer?.apply(observation)
            bootstrap = value.forward(observation, batch: 1)[0]
        }
        if open { closeOpen(nextValue: bootstrap) }
        let n = episodeValues.count
        guard n > 0 else { lastEpisodeScore = nil; lastEpisodeScores = nil; return }
        var next = bootstrap, advantage = 0.0, total = 0.0, positive = 0.0, values = 0.0
        for t in stride(from: n - 1, through: 0, by: -1) {
            let delta = episodeRewards[t] + settings.gamma * next - episodeValues[t]
            advantage = delta + settings.gamma * settings.lambda * (t == n - 1 ? 0 : advantage)
            total += abs(advantage)
            positive += max(advantage, 0)
            values += episodeValues[t]
            next = episodeValues[t]
        }
        lastEpisodeScore = total / Double(n)
        lastEpisodeScores = EpisodeScores(meanAbsoluteAdvantage: total / Double(n), positiveValueLoss: positive / Double(n),
                                          meanValue: values / Double(n))
    }

    private func closeOpen(nextValue: Double, endsEpisode: Bool = true) {
        let t = buffer.count - 1
        buffer.nextValues[t] = nextValue
        buffer.episodeEnds[t] = endsEpisode ? 1 : 0
        open = false
    }

    // MARK: Learning

    /// Runs the PPO epochs over the full buffer and empties it.
    func update() {
        let start = Self.now()
        buffer.computeAdvantages(gamma: settings.gamma, lambda: settings.lambda)
        let n = buffer.count
        let m = minibatchSize
        var policyLoss = 0.0, valueLoss = 0.0, kl = 0.0, batches = 0
        for _ in 0..<settings.epochs {
            // Fisher-Yates with the learner's own stream: the same seed, the same minibatches.
            for i in stride(from: n - 1, to: 0, by: -1) {
                order.swapAt(i, Int(updateGenerator.nextInt(0, Int64(i))))
            }
            var first = 0
            while first + m <= n {
                let losses = minibatch(at: first, step: true)
                policyLoss += losses.policy; valueLoss += losses.value; kl += losses.kl
                batches += 1
                first += m
            }
        }
        buffer.count = 0
        let b = Double(max(1, batches))
        lastLosses = (policyLoss / b, valueLoss / b, kl / b)
        profile.updates += 1
        profile.updateOther += Self.now() - start
    }

    /// Loss and gradients of the minibatch `order[first ..< first + minibatchSize]`; with `step`, clips and applies Adam.
    private func minibatch(at first: Int, step: Bool) -> (policy: Double, value: Double, kl: Double, total: Double) {
        let m = minibatchSize, width = encoder.size, out = head.outputSize
        let t0 = Self.now()
        var mean = 0.0
        for i in 0..<m {
            let t = order[first + i]
            (batchObservations + i * width).update(from: buffer.observations + t * width, count: width)
            batchAdvantages[i] = buffer.advantages[t]
            mean += buffer.advantages[t]
        }
        mean /= Double(m)
        var variance = 0.0
        for i in 0..<m { variance += (batchAdvantages[i] - mean) * (batchAdvantages[i] - mean) }
        let std = m > 1 ? (variance / Double(m - 1)).squareRoot() : 1
        for i in 0..<m { batchAdvantages[i] = (batchAdvantages[i] - mean) / (std + 1e-8) }
        parameters.zeroGradients()
        policyGradient.update(repeating: 0, count: m * out)
        let logits = policy.forward(batchObservations, batch: m)
        let values = value.forward(batchObservations, batch: m)
        let t1 = Self.now()
        let scale = 1 / Double(m)
        var policyLoss = 0.0, valueLoss = 0.0, kl = 0.0
        let logStdGradient = head.isContinuous ? parameters.gradients + logStdOffset : nil
        for i in 0..<m {
            let t = order[first + i]
            let result = head.clippedLoss(
                output: logits + i * out, logStd: logStd, action: buffer.actions + t * head.actionSize,
                mask: head.maskSize > 0 ? UnsafePointer(buffer.masks + t * head.maskSize) : nil,
                oldLogProb: buffer.logProbs[t], advantage: batchAdvantages[i], clip: settings.clip,
                entropyCoefficient: settings.entropy, scale: scale,
                outputGradient: policyGradient + i * out, logStdGradient: logStdGradient)
            policyLoss += result.loss
            let logRatio = log(result.ratio)
            kl += (result.ratio - 1) - logRatio
            let error = values[i] - buffer.returns[t]
            valueLoss += 0.5 * error * error
            valueGradient[i] = settings.valueCoefficient * error * scale
        }
        let t2 = Self.now()
        policy.backward(policyGradient, batch: m)
        value.backward(valueGradient, batch: m)
        let t3 = Self.now()
        if step {
            parameters.clipGradientNorm(settings.maxGradNorm)
            adam.step(parameters)
        }
        profile.updateForward += t1 - t0
        profile.updateBackward += t3 - t2
        profile.updateOther -= (t1 - t0) + (t3 - t2)
        let total = (policyLoss + settings.valueCoefficient * valueLoss) * scale
        return (policyLoss * scale, valueLoss * scale, kl * scale, total)
    }

    /// The PPO loss of the minibatch of stored transitions `indices` with its gradient left in
    /// ``parameters`` (no step): for gradient checks. Advantages are recomputed from the buffer.
    public func minibatchLoss(indices: [Int]) -> Double {
        precondition(indices.count == minibatchSize, "need \(minibatchSize) indices")
        buffer.computeAdvantages(gamma: settings.gamma, lambda: settings.lambda)
        for (i, t) in indices.enumerated() { order[i] = t }
        return minibatch(at: 0, step: false).total
    }

    /// Transitions stored for the next update.
    public var bufferedSteps: Int { buffer.count }
    public var minibatchCapacity: Int { minibatchSize }

    /// Whether to time acting and updating (`LUDUS_PPO_PROFILE` set): thread CPU time, so the
    /// figures hold on a loaded machine; off by default (the clock costs a system call).
    static let profiling = ProcessInfo.processInfo.environment["LUDUS_PPO_PROFILE"] != nil

    @inline(__always)
    static func now() -> Double {
        guard profiling else { return 0 }
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    // MARK: Save and load

    var identity: LearnerFile.Identity {
        .init(kind: "ppo", observationSpace: observationSpace.description, actionSpace: head.space.description,
              observationSize: encoder.size, hidden: settings.hidden, settings: settings.strings)
    }

    public func save(to path: String) throws {
        try LearnerFile.save(identity, parameters: parameters, normalizer: normalizer, to: path)
    }

    public func load(from path: String) throws {
        try LearnerFile.load(identity, parameters: parameters, normalizer: normalizer, from: path)
    }

    /// A student built from a saved file's architecture and settings, with its parameters.
    public static func open(_ path: String, for spec: EnvironmentSpec) throws -> PPOStudent {
        let file = try LearnerFile.read(from: path)
        try file.require("student", equals: "ppo", path: path)
        let strings = try file.settings(path: path) { try LearnerSettings(values: $0).layers("hidden", []) }
        let continuous = (try? PolicyHead(space: spec.actionSpace))?.isContinuous ?? false
        let student = try PPOStudent(observationSpace: spec.observationSpace, actionSpace: spec.actionSpace,
                                     settings: Settings(LearnerSettings(values: strings), continuous: continuous))
        try student.load(from: path)
        return student
    }
}

// MARK: Checkpoint

extension PPOStudent {
    struct Snapshot: Codable {
        var kind = "ppo"
        var parameters: PackedDoubles
        var adam: Adam.State
        var normalizer: PackedDoubles?
        var buffer: RolloutBuffer.State
        var order: [Int]
        var generator: GeneratorState
        var updateGenerator: GeneratorState
        var open: Bool
        var lastEpisodeScore: Double?
    }

    /// Parameters, Adam's moments and step count, the input statistics, the transitions
    /// collected toward the next update (with whether the last one is still open), the
    /// minibatch order (shuffled in place at every update), both generators and the last
    /// episode's score. Per-episode scratch is rebuilt by `beginEpisode`.
    public func checkpoint() throws -> Data {
        try CheckpointCoder.encode(Snapshot(
            parameters: PackedDoubles(parameters.values, count: parameters.count), adam: adam.state,
            normalizer: normalizer.map { PackedDoubles($0.state) }, buffer: buffer.state, order: order,
            generator: GeneratorState(generator), updateGenerator: GeneratorState(updateGenerator), open: open,
            lastEpisodeScore: lastEpisodeScore))
    }

    /// - Throws: ``CheckpointError`` for another student's checkpoint or another architecture.
    public func restore(from data: Data) throws {
        let snapshot = try CheckpointCoder.decode(Snapshot.self, from: data, kind: "ppo")
        try CheckpointCoder.require(snapshot.kind, equals: "ppo", "the student", kind: "ppo")
        try CheckpointCoder.require(snapshot.order.count, equals: order.count, "the rollout length", kind: "ppo")
        try CheckpointCoder.require(snapshot.normalizer?.count, equals: normalizer.map { 1 + 2 * $0.size }, "the input statistics' size", kind: "ppo")
        try snapshot.parameters.copy(into: parameters.values, count: parameters.count, "the parameters", kind: "ppo")
        try adam.restore(snapshot.adam)
        if let normalizer, let state = snapshot.normalizer { normalizer.restore(state.values[...]) }
        try buffer.restore(snapshot.buffer)
        order = snapshot.order
        generator = try snapshot.generator.generator(kind: "ppo")
        updateGenerator = try snapshot.updateGenerator.generator(kind: "ppo")
        open = snapshot.open && buffer.count > 0
        lastEpisodeScore = snapshot.lastEpisodeScore
    }
}
