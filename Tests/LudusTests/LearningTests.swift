import Foundation
import Testing
import Ludus
import LudusLua

@Suite struct LearningTests {
    // MARK: Environments written for these tests

    /// A 1-D point that must move to a target: box observation {position, target}, box action in [-1, 1].
    static let point = """
    local E = {
      id = "test/point", description = "Move a point to a target.", version = "1.0.0", players = 1,
      observation_space = space.box(-2, 2, { 2 }),
      action_space = space.box(-1, 1, { 1 }),
      max_steps = 20,
      reward_range = { -40, 0 },
      success_threshold = -2,
    }
    function E.reset(self, params)
      self.pos, self.target, self.t = 0, self.rng:float() * 2 - 1, 0
      return { self.pos, self.target }, {}
    end
    function E.step(self, action)
      self.pos = math.max(-2, math.min(2, self.pos + 0.25 * action[1]))
      self.t = self.t + 1
      return { self.pos, self.target }, -math.abs(self.pos - self.target), false, self.t >= 20, {}
    end
    return E
    """

    /// Four actions, of which only the legal ones (a changing pair) may be played; action 3 ends the episode.
    static let masked = """
    local E = {
      id = "test/masked", description = "Legal actions change.", version = "1.0.0", players = 1,
      observation_space = space.dict{ phase = space.discrete(3), noise = space.box(-1, 1, { 2 }), note = space.text(8) },
      action_space = space.discrete(4),
      max_steps = 12,
      reward_range = { -12, 12 },
      success_threshold = 1,
    }
    function E.reset(self, params)
      self.phase, self.t = 0, 0
      return { phase = 0, noise = { self.rng:float(), -self.rng:float() }, note = "hi" }, {}
    end
    function E.legal_actions(self)
      if self.phase == 0 then return { 0, 1 } elseif self.phase == 1 then return { 1, 2, 3 } else return { 0, 3 } end
    end
    function E.step(self, action)
      self.t = self.t + 1
      local reward = (action == self.phase) and 1 or -0.5
      self.phase = (self.phase + 1) % 3
      return { phase = self.phase, noise = { self.rng:float(), -self.rng:float() }, note = "hi" }, reward,
             action == 3, self.t >= 12, {}
    end
    return E
    """

    // MARK: Gradient checks

    /// Relative error of two gradient vectors: |a - n| / (|a| + |n|).
    static func relativeError(_ a: [Double], _ n: [Double]) -> Double {
        let diff = zip(a, n).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let scale = a.reduce(0) { $0 + $1 * $1 }.squareRoot() + n.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return scale == 0 ? 0 : diff / scale
    }

    /// Central differences of `loss` over every parameter of `buffer`.
    static func numericGradient(_ buffer: ParameterBuffer, step h: Double = 1e-6, loss: () -> Double) -> [Double] {
        (0..<buffer.count).map { i in
            let saved = buffer.values[i]
            buffer.values[i] = saved + h
            let up = loss()
            buffer.values[i] = saved - h
            let down = loss()
            buffer.values[i] = saved
            return (up - down) / (2 * h)
        }
    }

    @Test func mlpBackwardMatchesFiniteDifferences() throws {
        for batch in [1, 5] {
            let sizes = [4, 7, 6, 3]
            let buffer = ParameterBuffer(count: MLP.parameterCount(sizes: sizes))
            let net = MLP(sizes: sizes, storage: buffer, offset: 0, maxBatch: 8)
            var generator = SeededGenerator(seed: 3)
            net.initialize(generator: &generator, outputGain: 1)
            for i in 0..<buffer.count where i % 3 == 0 { buffer.values[i] += 0.1 * generator.nextGaussian() }  // non-zero biases too
            let input = (0..<(batch * 4)).map { _ in generator.nextGaussian() }
            let target = (0..<(batch * 3)).map { _ in generator.nextGaussian() }
            func loss() -> Double {
                input.withUnsafeBufferPointer { x in
                    let y = net.forward(x.baseAddress!, batch: batch)
                    return (0..<(batch * 3)).reduce(0) { $0 + 0.5 * (y[$1] - target[$1]) * (y[$1] - target[$1]) + 0.3 * y[$1] * y[$1] * y[$1] }
                }
            }
            buffer.zeroGradients()
            input.withUnsafeBufferPointer { x in
                let y = net.forward(x.baseAddress!, batch: batch)
                let dy = (0..<(batch * 3)).map { (y[$0] - target[$0]) + 0.9 * y[$0] * y[$0] }
                dy.withUnsafeBufferPointer { net.backward($0.baseAddress!, batch: batch) }
            }
            let analytic = Array(UnsafeBufferPointer(start: buffer.gradients, count: buffer.count))
            let numeric = Self.numericGradient(buffer, loss: loss)
            let error = Self.relativeError(analytic, numeric)
            #expect(error < 1e-5, "batch \(batch): relative error \(error)")
            #expect(analytic.contains { abs($0) > 1e-3 })
        }
    }

    /// Fills part of a PPO student's buffer by playing, then nudges its parameters so ratios differ from 1.
    func filledStudent(_ source: String, settings: String) throws -> (PPOStudent, LuaEnvironment) {
        let env = try Package.catalog.load(Package.script(source))
        let student = try PPOStudent(spec: env.spec, settings: settings)
        let runner = EpisodeRunner(environment: env, agents: [student])
        var episode = 0
        while student.bufferedSteps < student.minibatchCapacity {
            _ = try runner.run(episode: episode, seed: UInt64(episode), params: [:])
            episode += 1
        }
        var generator = SeededGenerator(seed: 9)
        for i in 0..<student.parameters.count { student.parameters.values[i] += 0.02 * generator.nextGaussian() }
        return (student, env)
    }

    @Test(arguments: ["masked", "point"])
    func ppoLossGradientMatchesFiniteDifferences(environment: String) throws {
        let source = environment == "masked" ? Self.masked : Self.point
        let (student, _) = try filledStudent(source, settings: "hidden=8x8,steps=64,minibatches=4,ent=0.05")
        let indices = Array(0..<student.minibatchCapacity)
        _ = student.minibatchLoss(indices: indices)
        let analytic = student.parameters.array.indices.map { student.parameters.gradients[$0] }
        let numeric = Self.numericGradient(student.parameters) { student.minibatchLoss(indices: indices) }
        let error = Self.relativeError(analytic, numeric)
        #expect(error < 1e-5, "\(environment): relative error \(error)")
        #expect(analytic.contains { abs($0) > 1e-4 })
    }

    // MARK: Encoding

    @Test func observationEncoderFlattensEverySpace() throws {
        let space = Space.dict([("a", .discrete(n: 3, start: 1)), ("b", .box(low: [0, 0], high: [9, 9], shape: [2])),
                                ("c", .multiDiscrete([2, 3])), ("d", .text(maxLength: 4, minLength: 0)), ("e", .multiBinary(2))])
        let encoder = try ObservationEncoder(space: space)
        #expect(encoder.sourceCount == 7)
        #expect(encoder.size == 3 + 2 + 5 + 2)
        let numbers: [Double] = [2, 4.5, 7, 1, 2, 1, 0]
        var out = Array(repeating: -1.0, count: encoder.size)
        numbers.withUnsafeBufferPointer { n in out.withUnsafeMutableBufferPointer { encoder.encode(n, into: $0.baseAddress!) } }
        #expect(out == [0, 1, 0, 4.5, 7, 0, 1, 0, 0, 1, 1, 0])
        #expect(throws: SetupError.self) { try ObservationEncoder(space: .text(maxLength: 4, minLength: 0)) }
    }

    // MARK: Learning

    /// Greedy success rate over 40 held-out episodes of a 12-cell corridor.
    func corridorSuccess(_ agent: any Agent, env: LuaEnvironment) throws -> Double {
        let params = try env.spec.parameters.parse(["length=12"], environment: "corridor")
        let runner = EpisodeRunner(environment: env, agents: [agent])
        let wins = try (0..<40).filter { try runner.run(episode: $0, seed: 50_000 + UInt64($0), params: params).returns[0] > 0.5 }
        return Double(wins.count) / 40
    }

    func trainPPO(seed: Int, env: LuaEnvironment, episodes: Int = 250) throws -> PPOStudent {
        let student = try PPOStudent(spec: env.spec, settings: "hidden=16,steps=256,minibatches=4,epochs=4,lr=0.003,seed=\(seed)")
        let params = try env.spec.parameters.parse(["length=12"], environment: "corridor")
        let runner = EpisodeRunner(environment: env, agents: [student])
        for episode in 0..<episodes { _ = try runner.run(episode: episode, seed: UInt64(episode), params: params) }
        student.isLearning = false
        return student
    }

    @Test func ppoLearnsTheCorridorAndSavesExactly() throws {
        let env = try Package.catalog.load("corridor")
        let random = try corridorSuccess(RandomStudent(actionSpace: env.spec.actionSpace), env: env)
        let student = try trainPPO(seed: 1, env: env)
        let before = student.parameters.array
        let learned = try corridorSuccess(student, env: env)
        #expect(learned >= 0.95 && learned > random + 0.3, "ppo \(learned) vs random \(random)")
        #expect(student.parameters.array == before, "evaluation (isLearning = false) changes nothing")
        #expect(student.lastEpisodeScore != nil)
        // Save, then load through the agent factory: the same greedy play, bit for bit.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ppo-\(UUID()).ppo").path
        try student.save(to: path)
        let loaded = try AgentFactory.make("ppo:\(path)", for: env.spec)
        let params = try env.spec.parameters.parse(["length=12"], environment: "corridor")
        for seed in UInt64(0)..<5 {
            let a = try EpisodeRunner(environment: env, agents: [student]).run(episode: 0, seed: 70 + seed, params: params)
            let b = try EpisodeRunner(environment: env, agents: [loaded]).run(episode: 0, seed: 70 + seed, params: params)
            #expect(a.trajectoryHash == b.trajectoryHash)
        }
        // A mismatched architecture or environment fails clearly.
        let other = try PPOStudent(spec: env.spec, settings: "hidden=8")
        #expect(throws: (any Error).self) { try other.load(from: path) }
        let grid = try Package.catalog.load("gridworld/empty")
        #expect(throws: (any Error).self) { try AgentFactory.make("ppo:\(path)", for: grid.spec) }
        #expect(throws: (any Error).self) { try AgentFactory.make("es:\(path)", for: env.spec) }
    }

    @Test func ppoSameSeedSameParameters() throws {
        let env = try Package.catalog.load("corridor")
        let a = try trainPPO(seed: 4, env: env, episodes: 60)
        let b = try trainPPO(seed: 4, env: env, episodes: 60)
        let c = try trainPPO(seed: 5, env: env, episodes: 60)
        #expect(a.parameters.array == b.parameters.array)
        #expect(a.parameters.array != c.parameters.array)
    }

    func pointReturn(_ agent: any Agent, env: LuaEnvironment) throws -> Double {
        let runner = EpisodeRunner(environment: env, agents: [agent])
        return try (0..<20).reduce(0) { $0 + (try runner.run(episode: $1, seed: 90_000 + UInt64($1), params: [:])).returns[0] } / 20
    }

    func trainES(env: LuaEnvironment, seed: Int, generations: Int) throws -> ESStudent {
        let student = try ESStudent(spec: env.spec, settings: "hidden=16,pop=16,sigma=0.1,lr=0.05,seed=\(seed)")
        let runner = EpisodeRunner(environment: env, agents: [student])
        for episode in 0..<(16 * generations) { _ = try runner.run(episode: episode, seed: UInt64(episode), params: [:]) }
        return student
    }

    @Test func esImprovesOnAContinuousTaskAndIsDeterministic() throws {
        let env = try Package.catalog.load(Package.script(Self.point))
        let untrained = try ESStudent(spec: env.spec, settings: "hidden=16,pop=16,sigma=0.1,lr=0.05,seed=2")
        untrained.isLearning = false
        let before = try pointReturn(untrained, env: env)
        let student = try trainES(env: env, seed: 2, generations: 40)
        #expect(student.generation == 40)
        student.isLearning = false
        let after = try pointReturn(student, env: env)
        #expect(after > before + 1.5 && after > -4, "mean return \(before) -> \(after)")
        let again = try trainES(env: env, seed: 2, generations: 3)
        let twin = try trainES(env: env, seed: 2, generations: 3)
        #expect(again.parameters.array == twin.parameters.array)
        // Save and load through the factory: the same actions.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("es-\(UUID()).es").path
        try student.save(to: path)
        let loaded = try AgentFactory.make("es:\(path)", for: env.spec)
        #expect(try pointReturn(loaded, env: env) == after)
    }

    @Test func runningNormalizerMergeMatchesSequentialUpdates() throws {
        var samples: [[Double]] = []
        for i in 0..<40 {
            let first = Double(i % 7) - 3.0
            let second = 100.0 + 0.5 * Double(i * i % 11)
            samples.append([first, second])
        }
        let sequential = RunningNormalizer(size: 2)
        let merged = RunningNormalizer(size: 2)
        let part = RunningNormalizer(size: 2)
        part.reset()
        for (i, x) in samples.enumerated() {
            x.withUnsafeBufferPointer { sequential.update($0.baseAddress!) }
            x.withUnsafeBufferPointer { part.update($0.baseAddress!) }
            if i % 10 == 9 { merged.merge(part); part.reset() }
        }
        let expected: [Double] = sequential.state, actual: [Double] = merged.state
        for i in expected.indices {
            let a: Double = expected[i], b: Double = actual[i]
            let tolerance: Double = 1e-9 * Swift.max(1.0, Swift.abs(a))
            #expect(Swift.abs(a - b) <= tolerance, "state[\(i)]: \(a) vs \(b)")
        }
        #expect(part.count == 0)
    }

    @Test func esNormalizesInputsPerGenerationAndSavesTheStatistics() throws {
        let env = try Package.catalog.load(Package.script(Self.point))
        let settings = "hidden=16,pop=16,sigma=0.1,lr=0.05,norm=1,seed=3"
        let student = try ESStudent(spec: env.spec, settings: settings)
        let runner = EpisodeRunner(environment: env, agents: [student])
        let initial = student.normalizer!.state
        // Statistics are frozen within a generation and change at its update.
        for episode in 0..<15 { _ = try runner.run(episode: episode, seed: UInt64(episode), params: [:]) }
        #expect(student.normalizer!.state == initial)
        _ = try runner.run(episode: 15, seed: 15, params: [:])
        #expect(student.generation == 1 && student.normalizer!.state != initial)
        // Deterministic, and it still learns the point task.
        let a = try ESStudent(spec: env.spec, settings: settings), b = try ESStudent(spec: env.spec, settings: settings)
        for s in [a, b] {
            let r = EpisodeRunner(environment: env, agents: [s])
            for episode in 0..<(16 * 40) { _ = try r.run(episode: episode, seed: UInt64(episode), params: [:]) }
        }
        #expect(a.parameters.array == b.parameters.array && a.normalizer!.state == b.normalizer!.state)
        a.isLearning = false
        let after = try pointReturn(a, env: env)
        #expect(after > -4, "mean return \(after)")
        // Saved with the statistics: the loaded agent plays the same.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("es-norm-\(UUID()).es").path
        try a.save(to: path)
        let loaded = try AgentFactory.make("es:\(path)", for: env.spec)
        #expect(try pointReturn(loaded, env: env) == after)
    }

    @Test func esPlaysDiscreteActionsWithMasks() throws {
        let env = try Package.catalog.load(Package.script(Self.masked))
        let student = try ESStudent(spec: env.spec, settings: "hidden=8,pop=4")
        let runner = EpisodeRunner(environment: env, agents: [student])
        for episode in 0..<8 { _ = try runner.run(episode: episode, seed: UInt64(episode), params: [:]) }
        #expect(student.generation == 2)
    }

    @Test func factoriesKnowTheLearningStudents() throws {
        let corridor = try Package.catalog.load("corridor")
        #expect(try StudentFactory.make("ppo:hidden=32x32,steps=128", for: corridor.spec).name == "ppo")
        #expect(try StudentFactory.make("es", for: corridor.spec).name == "es")
        #expect(try StudentFactory.make("mcts:20", for: corridor.spec).name == "mcts:20")
        #expect(try StudentFactory.make("mcts", for: corridor.spec).name == "mcts:100")
        #expect(throws: SetupError.self) { try StudentFactory.make("ppo:bogus=1", for: corridor.spec) }
        #expect(throws: SetupError.self) { try StudentFactory.make("es:pop=3", for: corridor.spec) }
    }
}
