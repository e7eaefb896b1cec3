import LudusLua

extension CheckContext {
    /// Random episodes over the parameter space, through the episode driver (which
    /// stops at a non-finite reward, an observation outside the space or a player out
    /// of range), with the checker's own invariants as plug-ins: legal actions sorted and
    /// valid, info a table, the current player 0 once a game is over, episodes ending
    /// within the declared limits, returns inside `reward_range`.
    mutating func checkEpisodes() throws(CheckFailure) {
        var generator = SeededGenerator(seed: seed(4))
        let invariants = InvariantObserver()
        let agents: [any Agent] = (0..<spec.players).map { _ in LegalActionInspector(RandomAgent(actionSpace: spec.actionSpace), invariants) }
        let driver = EpisodeDriver(environment: env)
        driver.observers = [invariants]
        driver.onAgentFailure = .stop
        driver.stepCap = spec.maxSteps ?? options.stepCapWithoutMaxSteps
        var legal: [Int] = []
        for episode in 0..<options.episodes {
            let params = episode == 0 ? spec.parameters.defaults : spec.parameters.sample(using: &generator)
            let label = "episode \(episode + 1)" + (spec.parameters.isEmpty ? "" : " with params \(JSON.encode(.table(params)))")
            invariants.label = label
            let result: EpisodeResult
            do {
                result = try driver.play(episode: episode + 1, seed: seed(100 + episode), params: params, agents: agents)
            } catch {
                let f = failure(error)
                problem("\(label), step \(invariants.length): \(f.message)", at: f.location)
                for found in invariants.problems { problem(found.message, at: found.function.flatMap(location)) }
                break
            }
            for found in invariants.problems { problem(found.message, at: found.function.flatMap(location)) }
            invariants.problems.removeAll()
            if !invariants.ended && problems.isEmpty {
                problem(spec.maxSteps == nil
                    ? "\(label) did not end within \(driver.stepCap) steps: declare E.max_steps and truncate there"
                    : "\(label) was still running after max_steps = \(driver.stepCap): set truncated = true by then", at: location("step"))
            }
            if invariants.ended && spec.players > 1 {
                let after = try attempt { () throws(EnvironmentError) in try env.currentPlayer() }
                if after != 0 { problem("\(label): current_player is \(after) after the episode ended (expected 0)", at: location("current_player")) }
                try attempt { () throws(EnvironmentError) in try env.legalActions(into: &legal) }
                if !legal.isEmpty { problem("\(label): legal_actions is not empty after the episode ended", at: location("legal_actions")) }
            }
            if let range = spec.rewardRange, spec.returnsWithinRewardRange {
                let tolerance = 1e-9 * max(1, range.upperBound - range.lowerBound)
                for (i, total) in result.returns.enumerated() where total < range.lowerBound - tolerance || total > range.upperBound + tolerance {
                    problem("\(label): return of player \(i + 1) is \(total), outside reward_range [\(range.lowerBound), \(range.upperBound)]")
                }
            }
            if problems.count >= 5 { break }
        }
    }

    /// The same seeds and actions in two fresh VMs give the same bits: flags any unseeded source.
    mutating func checkReplay() throws(CheckFailure) {
        let first = try fresh()
        let second = try fresh()
        var generator = SeededGenerator(seed: seed(5))
        for episode in 0..<3 {
            let params = episode == 0 ? spec.parameters.defaults : spec.parameters.sample(using: &generator)
            let a = try playHash(first, seed: seed(200 + episode), steps: 200, params: params)
            let b = try playHash(second, seed: seed(200 + episode), steps: 200, params: params)
            if a != b {
                problem("episode \(episode + 1) differs between two fresh VMs with the same seed: the script uses a source of randomness or order (pairs over tables keyed by tables, addresses) that is not seeded")
                return
            }
        }
    }

    /// A clone taken mid-episode has the same future as the original under the same actions,
    /// and stepping it leaves the original untouched. Several seeds, parameter samples and
    /// prefixes: a clone that re-draws its randomness can match on one sample by luck.
    mutating func checkClone() throws(CheckFailure) {
        guard spec.clonable else { throw .skip("E.clonable = false") }
        var generator = SeededGenerator(seed: seed(6))
        let driver = EpisodeDriver(environment: env)
        driver.onAgentFailure = .stop
        for sample in 0..<8 {
            let params = sample == 0 ? spec.parameters.defaults : spec.parameters.sample(using: &generator)
            for (round, prefix) in [0, 1, 3, 7].enumerated() {
                let episodeSeed = seed(300 + sample * 4 + round)
                do {
                    var progress = try driver.begin(seed: episodeSeed, params: params, agents: randomAgents())
                    try driver.advance(&progress, agents: randomAgents(), limit: prefix)
                    if progress.isOver { continue }
                    let played = progress.length
                    let copy = try attempt { () throws(EnvironmentError) in try env.clone() }
                    // The same seeded agents continue both: identical futures, identical hashes.
                    let futureSeed = episodeSeed &+ 1
                    let cloneHash = try future(of: copy, seed: futureSeed, from: progress)
                    let originalHash = try future(of: env, seed: futureSeed, from: progress)
                    if cloneHash != originalHash {
                        problem("a clone taken after \(played) step\(played == 1 ? "" : "s") (seed \(episodeSeed)\(spec.parameters.isEmpty ? "" : ", params \(JSON.encode(.table(params)))")) does not have the original's future: keep all state in self (or fix E.clone)",
                                at: location("clone"))
                        return
                    }
                } catch let error as EpisodeError {
                    throw failure(error)
                } catch {
                    throw CheckFailure(message: "\(error)")
                }
            }
        }
    }

    /// Forty more seeded random steps of `environment` from where `progress` stands.
    private func future(of environment: any Environment, seed: UInt64, from progress: EpisodeDriver.Progress) throws(EpisodeError) -> UInt64 {
        let driver = EpisodeDriver(environment: environment)
        driver.onAgentFailure = .stop
        let agents = randomAgents()
        for (i, agent) in agents.enumerated() { agent.beginEpisode(seed: SeedStreams.agentSeed(episode: seed, seat: i + 1), player: i + 1) }
        var continued = progress
        continued.hash = TrajectoryHash()
        try driver.advance(&continued, agents: agents, limit: 40)
        return continued.hash.value
    }
}

/// The checker's invariants on every step, as a driver plug-in.
final class InvariantObserver: EpisodeObserver {
    struct Found { var message: String; var function: String? }
    var label = ""
    var problems: [Found] = []
    var length = 0
    var ended = false
    var needsDetail: Bool { true }

    func didReset(_ environment: any Environment, episode: Int, seed: UInt64, params: [String: Value]) throws {
        length = 0
        ended = false
    }

    func didStep(_ environment: any Environment, episode: Int, length: Int, player: Int, action: Action, step: Step) throws {
        self.length = length
        ended = step.isDone
        switch environment.lastInfo {
        case .table, .array: break
        default: problems.append(Found(message: "\(label), step \(length): info must be a table, got \(environment.lastInfo.typeName)", function: "step"))
        }
    }

    func legal(_ legal: [Int], space: Space, hasLegalActions: Bool) {
        guard hasLegalActions else { return }
        let where_ = "\(label), step \(length)"
        if legal.isEmpty {
            problems.append(Found(message: "\(where_): legal_actions is empty while a player is to move", function: "legal_actions"))
            return
        }
        for i in 1..<max(1, legal.count) where legal[i] <= legal[i - 1] {
            problems.append(Found(message: "\(where_): legal_actions must be sorted ascending without repeats, got \(legal)", function: "legal_actions"))
            return
        }
        if let bad = legal.first(where: { !space.contains(.discrete($0)) }) {
            problems.append(Found(message: "\(where_): legal action \(bad) is outside \(space)", function: "legal_actions"))
        }
    }
}

/// Hands the legal actions to the invariants before the random agent picks among them.
final class LegalActionInspector: Agent {
    let inner: RandomAgent
    let invariants: InvariantObserver
    var name: String { inner.name }
    var needsObservation: Bool { false }
    init(_ inner: RandomAgent, _ invariants: InvariantObserver) { self.inner = inner; self.invariants = invariants }
    func beginEpisode(seed: UInt64, player: Int) { inner.beginEpisode(seed: seed, player: player) }
    func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        invariants.legal(legalActions, space: environment.spec.actionSpace, hasLegalActions: environment.spec.hasLegalActions)
        return try inner.act(in: environment, legalActions: legalActions)
    }
}
