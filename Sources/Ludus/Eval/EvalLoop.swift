import Foundation
import LudusLua

/// One evaluated episode: item `item`, sample `sample` of `ludus eval`.
public struct EvalEpisode: Hashable, Sendable {
    public var item: Int
    public var sample: Int
    public var seed: UInt64
    /// The item's params as JSON.
    public var params: String
    /// The item's group (`max_numbers=5`, or `all`).
    public var group: String
    public var `return`: Double
    public var success: Bool
    public var length: Int
    /// `success`, `failure`, `forfeit`, `error`, ...
    public var outcome: String
    public var reason: String?
    public var trajectoryHash: String
}

/// `ludus eval`: a held-out set of `count` items (episodes from the environment's own
/// generator: item `i` is a reset with seed `i` of the run's `episode` stream), each played
/// `samples` times by the agent through the episode driver.
///
/// `concurrency` workers, each with its own environment and agent, play items in parallel
/// (an LLM agent blocks on its request, so K workers keep K requests in flight). Results do
/// not depend on the number of workers: every episode's seeds come from its index, and
/// results are reported by index. An agent whose server failed (``LLMAgent/serverError``)
/// stops the run: that episode is not reported, the others in flight are, and a resumed run
/// plays only what is missing.
public final class EvalLoop: @unchecked Sendable {
    public struct Item: Sendable {
        public var index: Int
        public var params: [String: Value]
        public var group: String
    }

    public let count: Int
    public let samples: Int
    public let seed: UInt64
    /// Per-item params: the base ones, and for `--vary NAME=V1,V2...` value `i % k` for item `i`.
    public let items: [Item]
    private let makeEnvironment: () throws -> any Environment
    private let makeAgent: (EnvironmentSpec) throws -> any Agent

    private let lock = NSLock()
    private var next = 0
    private var work: [(item: Int, sample: Int)] = []
    private var firstError: Error?

    /// - Parameters:
    ///   - vary: a parameter and its values, spread over the items in turn (groups of the report).
    public init(count: Int, samples: Int, seed: UInt64, params: [String: Value], vary: (name: String, values: [Value])?,
                makeEnvironment: @escaping () throws -> any Environment, makeAgent: @escaping (EnvironmentSpec) throws -> any Agent) {
        self.count = count
        self.samples = max(1, samples)
        self.seed = seed
        self.makeEnvironment = makeEnvironment
        self.makeAgent = makeAgent
        items = (0..<count).map { i in
            guard let vary, !vary.values.isEmpty else { return Item(index: i, params: params, group: "all") }
            let value = vary.values[i % vary.values.count]
            var p = params
            p[vary.name] = value
            return Item(index: i, params: p, group: "\(vary.name)=\(JSON.encode(value))")
        }
    }

    /// Plays every (item, sample) not in `done`, calling `report` (serially, under a lock) as each ends.
    /// - Throws: the first worker's error: an ``LLMError`` of a failed server, a setup error,
    ///   or what `report` throws. Episodes reported before it are kept by the caller.
    public func run(concurrency: Int, done: Set<[Int]> = [], report: @escaping (EvalEpisode) throws -> Void) throws {
        work = items.flatMap { item in (0..<samples).map { (item.index, $0) } }.filter { !done.contains([$0.0, $0.1]) }
        next = 0
        firstError = nil
        let threads = max(1, min(concurrency, work.count))
        guard !work.isEmpty else { return }
        let group = DispatchGroup()
        nonisolated(unsafe) let report = report  // called under `lock` only
        for _ in 0..<threads {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                do { try worker(report: report) } catch { lock.withLock { if firstError == nil { firstError = error } } }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let firstError { throw firstError }
    }

    private var resolvedParams: [Int: [String: Value]] = [:]

    /// The item's params with every default filled in (once per item).
    private func resolved(_ item: Item, _ spec: EnvironmentSpec) throws(EpisodeError) -> [String: Value] {
        if let known = lock.withLock({ resolvedParams[item.index] }) { return known }
        do {
            let params = try spec.parameters.resolve(item.params, environment: spec.id)
            lock.withLock { resolvedParams[item.index] = params }
            return params
        } catch { throw .environment(.parameter(error)) }
    }

    private func take() -> (item: Int, sample: Int)? {
        lock.withLock {
            guard firstError == nil, next < work.count else { return nil }
            defer { next += 1 }
            return work[next]
        }
    }

    private func worker(report: @escaping (EvalEpisode) throws -> Void) throws {
        let environment = try makeEnvironment()
        let agent = try makeAgent(environment.spec)
        let spec = environment.spec
        let driver = EpisodeDriver(environment: environment)
        let seeds = SeedStreams(root: seed)
        while let (index, sample) = take() {
            let item = items[index]
            let episodeSeed = seeds.seed(.episode, index)
            if let llm = agent as? LLMAgent {
                llm.sample = sample
                llm.tag = "item \(index) sample \(sample)"
            }
            var episode = EvalEpisode(item: index, sample: sample, seed: episodeSeed, params: JSON.encode(.table(item.params)),
                                      group: item.group, return: spec.rewardRange?.lowerBound ?? 0, success: false, length: 0,
                                      outcome: "error", reason: nil, trajectoryHash: TrajectoryHash().hex)
            do {
                // Samples of one item share its seed; the agent's seed differs by sample.
                let result = try driver.play(episode: index, seed: episodeSeed, params: try resolved(item, spec), agents: [agent])
                if let fatal = (agent as? LLMAgent)?.serverError { throw fatal }
                episode.return = result.returns[0]
                episode.length = result.length
                episode.success = result.outcome == .success || (spec.successThreshold == nil && result.returns[0] > 0)
                episode.outcome = result.outcome.label(roles: spec.roles)
                episode.trajectoryHash = result.trajectoryHash
                if case .forfeit(_, let reason) = result.outcome { episode.reason = reason }
            } catch let error as EpisodeError {
                episode.reason = "\(error.kind): \(error)"
            }
            try lock.withLock { if firstError == nil { try report(episode) } }
        }
    }
}
