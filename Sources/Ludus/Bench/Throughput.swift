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

    /// Loads `threads × perThread` instances, then steps each thread's `perThread` instances
    /// in turn, one step each, until each thread has taken `steps` steps. One instance per
    /// thread is the interpreter's speed with its VM in the caches; several are what a vector
    /// env's thread steps per batch (`ludus.make_vec`), to measure the Python bridge against
    /// the same work without it.
    /// With `copyObservations` the observation is copied into the Swift buffer every
    /// step, as for an agent that reads it; without, only on demand, as for agents that
    /// never look (random play, rollouts), which is the interpreter's own speed.
    /// With `checked` every step goes through the episode driver's step-wise API, as
    /// `ludus.make_vec` steps each of its environments: the driver's checks (the action, the
    /// rewards, the observation's bounds) and the trajectory hash, which the binding's own
    /// speed leaves out; against it, a vector env's ratio is the cost of the bridge alone.
    public static func measure(
        threads: Int, perThread: Int = 1, steps: Int, seed: UInt64, params: [String: Value], copyObservations: Bool = true,
        checked: Bool = false, makeEnvironment: () throws -> LuaEnvironment
    ) throws -> Measurement {
        precondition(threads >= 1 && perThread >= 1, "at least one thread and one instance per thread")
        let workers = try (0..<threads).map { t in
            let environments = try (0..<perThread).map { _ in try makeEnvironment() }
            for environment in environments { environment.copiesObservation = copyObservations }
            // Instance t * perThread + j: with one per thread, the seeds the bench always used.
            let seeds = (0..<perThread).map { SeededGenerator.derive(seed, UInt64(t * perThread + $0)) }
            return Worker(environments: environments, seeds: seeds, params: params, steps: steps, checked: checked)
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

    /// One thread's loop over its instances. Discrete single-player tasks take the allocation-free path.
    final class Worker: @unchecked Sendable {
        let environments: [LuaEnvironment]
        let seeds: [UInt64]
        let params: [String: Value]
        let steps: Int
        let checked: Bool
        var episodes = 0
        var cpuSeconds = 0.0
        var error: Error?

        init(environments: [LuaEnvironment], seeds: [UInt64], params: [String: Value], steps: Int, checked: Bool) {
            self.environments = environments
            self.seeds = seeds
            self.params = params
            self.steps = steps
            self.checked = checked
        }

        func prepare() throws {
            // The checked loop's drivers reset their environments themselves.
            if checked { return }
            for (environment, seed) in zip(environments, seeds) { try environment.reset(seed: seed, params: params) }
        }

        func run() {
            let start = Self.threadCPUSeconds()
            defer { cpuSeconds = Self.threadCPUSeconds() - start }
            let spec = environments[0].spec
            do {
                if checked {
                    try runChecked()
                } else if case .discrete(let n, let start) = spec.actionSpace, spec.players == 1, !spec.hasLegalActions {
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
            var lanes = Lanes(environments, seeds)
            let cap = environments[0].spec.maxSteps ?? EpisodeDriver.stepCapWithoutMaxSteps
            for _ in 0..<steps {
                let action = start + Int(lanes.generator.nextInt(0, Int64(n - 1)))
                let outcome = try lanes.environment.stepDiscrete(action)
                lanes.length += 1
                if outcome.terminated || outcome.truncated || lanes.length >= cap {
                    episodes += 1
                    lanes.length = 0
                    try lanes.environment.reset(seed: lanes.generator.next(), params: params)
                }
                lanes.advance()
            }
        }

        /// Through the episode driver, one move at a time as the C ABI's batch plays them
        /// (``EpisodeDriver/begin(episode:seed:params:agents:)``, ``EpisodeDriver/turn(_:agents:)``,
        /// ``EpisodeDriver/play(_:by:agent:agents:_:)``): a random legal action (or one of the
        /// action space) per step, every check and the hash, the caller's seat empty.
        private func runChecked() throws {
            let spec = environments[0].spec
            let drivers = environments.map { EpisodeDriver(environment: $0) }
            var lanes = Lanes(environments, seeds)
            var progress = try drivers.indices.map { try drivers[$0].begin(seed: seeds[$0] & SeedStreams.mask, params: params, agents: []) }
            var toMove = Array(repeating: 0, count: drivers.count)
            // The player to move in instance k, after starting its next episode if the last
            // one ended (at the move, or at a chance node on the way), as the batch's autoreset does.
            func turn(_ k: Int, _ generator: inout SeededGenerator) throws {
                while true {
                    if progress[k].isOver {
                        episodes += 1
                        progress[k] = try drivers[k].begin(seed: generator.next() & SeedStreams.mask, params: params, agents: [])
                    }
                    toMove[k] = try drivers[k].turn(&progress[k])
                    if !progress[k].isOver { return }
                }
            }
            for k in drivers.indices { try turn(k, &lanes.generator); lanes.advance() }
            // Spaces other than discrete draw from one random agent per thread.
            let sampler = RandomAgent(actionSpace: spec.actionSpace)
            sampler.beginEpisode(seed: seeds[0], player: 1)
            for _ in 0..<steps {
                let k = lanes.index, driver = drivers[k]
                let legal = driver.legalActions
                let action: Action
                if !legal.isEmpty {
                    action = .discrete(legal[Int(lanes.generator.nextInt(0, Int64(legal.count - 1)))])
                } else if case .discrete(let n, let start) = spec.actionSpace {
                    action = .discrete(start + Int(lanes.generator.nextInt(0, Int64(n - 1))))
                } else {
                    action = try sampler.act(in: environments[k], legalActions: legal)
                }
                try driver.play(action, by: toMove[k], &progress[k])
                try turn(k, &lanes.generator)
                lanes.advance()
            }
        }

        /// Every other task, the same way: the binding's speed with a random agent choosing
        /// among the legal actions, no checks and no observers (the loops users run go
        /// through the episode driver; this measures what it is built on).
        private func runGeneral() throws {
            let spec = environments[0].spec
            let agents = seeds.map { seed in
                (0..<spec.players).map { i in
                    let agent = RandomAgent(actionSpace: spec.actionSpace)
                    agent.beginEpisode(seed: SeedStreams.agentSeed(episode: seed, seat: i + 1), player: i + 1)
                    return agent
                }
            }
            var legal: [Int] = []
            legal.reserveCapacity(256)
            var lanes = Lanes(environments, seeds)
            let cap = spec.maxSteps ?? EpisodeDriver.stepCapWithoutMaxSteps
            for _ in 0..<steps {
                let environment = lanes.environment
                let player = try environment.turn(legal: &legal)
                let action = player == Chance.player && spec.hasExplicitChance
                    ? .discrete(ChanceOutcome.sample(try environment.chanceOutcomes(), using: &lanes.generator).action)
                    : try agents[lanes.index][max(player, 1) - 1].act(in: environment, legalActions: legal)
                let outcome = try environment.stepOutcome(action)
                lanes.length += 1
                if outcome.terminated || outcome.truncated || lanes.length >= cap {
                    episodes += 1
                    lanes.length = 0
                    try environment.reset(seed: lanes.generator.next() & SeedStreams.mask, params: params)
                }
                lanes.advance()
            }
        }
    }

    /// A thread's instances stepped in turn: the current one's generator and episode length
    /// are plain fields (registers in the loop), swapped with the others' only when the
    /// thread has more than one, so one instance per thread costs what it always did.
    struct Lanes {
        private let environments: [LuaEnvironment]
        private var parked: [(generator: SeededGenerator, length: Int)]
        private(set) var index = 0
        private(set) var environment: LuaEnvironment
        var generator: SeededGenerator
        var length = 0

        init(_ environments: [LuaEnvironment], _ seeds: [UInt64]) {
            self.environments = environments
            parked = seeds.map { (SeededGenerator(seed: $0), 0) }
            environment = environments[0]
            generator = parked[0].generator
        }

        @inline(__always)
        mutating func advance() {
            guard environments.count > 1 else { return }
            parked[index] = (generator, length)
            index = index + 1 == environments.count ? 0 : index + 1
            (generator, length) = parked[index]
            environment = environments[index]
        }
    }
}
