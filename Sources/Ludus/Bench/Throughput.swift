import Foundation
import LudusLua

/// Steps per second of an environment under a random agent, with one
/// independent VM per thread.
public enum Throughput {
    public struct Measurement: Sendable {
        public var threads: Int
        public var steps: Int
        public var episodes: Int
        public var seconds: Double
        /// CPU time the stepping threads used, summed: what the standalone interpreter's
        /// `os.clock()` reports, so the two compare alike on a machine busy with other work.
        public var cpuSeconds: Double
        public var stepsPerSecond: Double { Double(steps) / seconds }
        /// Steps per second of CPU time.
        public var stepsPerCPUSecond: Double { Double(steps) / cpuSeconds }
    }

    /// Loads `threads` instances, then steps each `steps` times on its own thread.
    /// With `copyObservations` the observation is copied into the Swift buffer every
    /// step, as for an agent that reads it; without, only on demand, as for agents that
    /// never look (random play, rollouts), which is the interpreter's own speed.
    public static func measure(
        threads: Int, steps: Int, seed: UInt64, params: [String: Value], copyObservations: Bool = true,
        makeEnvironment: () throws -> LuaEnvironment
    ) throws -> Measurement {
        let environments = try (0..<threads).map { _ in try makeEnvironment() }
        for environment in environments { environment.copiesObservation = copyObservations }
        let workers = environments.enumerated().map { index, env in
            Worker(environment: env, seed: SeededGenerator.derive(seed, UInt64(index)), params: params, steps: steps)
        }
        for worker in workers { try worker.prepare() }
        let start = DispatchTime.now().uptimeNanoseconds
        let group = DispatchGroup()
        for worker in workers {
            group.enter()
            let thread = Thread { worker.run(); group.leave() }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let failed = workers.first(where: { $0.error != nil }), let error = failed.error { throw error }
        return Measurement(threads: threads, steps: steps * threads, episodes: workers.reduce(0) { $0 + $1.episodes }, seconds: seconds,
                           cpuSeconds: workers.reduce(0) { $0 + $1.cpuSeconds })
    }

    /// One thread's loop. Discrete single-player tasks take the allocation-free path.
    final class Worker: @unchecked Sendable {
        let environment: LuaEnvironment
        let seed: UInt64
        let params: [String: Value]
        let steps: Int
        var episodes = 0
        var cpuSeconds = 0.0
        var error: Error?

        init(environment: LuaEnvironment, seed: UInt64, params: [String: Value], steps: Int) {
            self.environment = environment
            self.seed = seed
            self.params = params
            self.steps = steps
        }

        func prepare() throws { try environment.reset(seed: seed, params: params) }

        func run() {
            let start = Self.threadCPUSeconds()
            defer { cpuSeconds = Self.threadCPUSeconds() - start }
            do {
                if case .discrete(let n, let start) = environment.spec.actionSpace, environment.spec.players == 1,
                    !environment.spec.hasLegalActions
                {
                    try runDiscrete(n: n, start: start)
                } else {
                    try runGeneral()
                }
            } catch { self.error = error }
        }

        static func threadCPUSeconds() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }

        /// The host binding's own speed against the interpreter's: no agent, no checks,
        /// not an episode loop of Ludus (every loop users run goes through the driver).
        private func runDiscrete(n: Int, start: Int) throws {
            var generator = SeededGenerator(seed: seed)
            var episodeLength = 0
            let cap = environment.spec.maxSteps ?? EpisodeDriver.stepCapWithoutMaxSteps
            for _ in 0..<steps {
                let action = start + Int(generator.nextInt(0, Int64(n - 1)))
                let outcome = try environment.stepDiscrete(action)
                episodeLength += 1
                if outcome.terminated || outcome.truncated || episodeLength >= cap {
                    episodes += 1
                    episodeLength = 0
                    try environment.reset(seed: generator.next(), params: params)
                }
            }
        }

        /// Every other task, the same way: the binding's speed with a random agent choosing
        /// among the legal actions, no checks and no observers (the loops users run go
        /// through the episode driver; this measures what it is built on).
        private func runGeneral() throws {
            let spec = environment.spec
            let agents = (0..<spec.players).map { _ in RandomAgent(actionSpace: spec.actionSpace) }
            for (i, agent) in agents.enumerated() { agent.beginEpisode(seed: SeedStreams.agentSeed(episode: seed, seat: i + 1), player: i + 1) }
            var legal: [Int] = []
            legal.reserveCapacity(256)
            var generator = SeededGenerator(seed: seed)
            var episodeLength = 0
            let cap = spec.maxSteps ?? EpisodeDriver.stepCapWithoutMaxSteps
            for _ in 0..<steps {
                let player = try environment.turn(legal: &legal)
                let action = player == Chance.player && spec.hasExplicitChance
                    ? .discrete(ChanceOutcome.sample(try environment.chanceOutcomes(), using: &generator).action)
                    : try agents[max(player, 1) - 1].act(in: environment, legalActions: legal)
                let outcome = try environment.stepOutcome(action)
                episodeLength += 1
                if outcome.terminated || outcome.truncated || episodeLength >= cap {
                    episodes += 1
                    episodeLength = 0
                    try environment.reset(seed: generator.next() & SeedStreams.mask, params: params)
                }
            }
        }
    }
}
