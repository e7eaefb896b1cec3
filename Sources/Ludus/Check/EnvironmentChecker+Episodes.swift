import LudusLua

extension CheckContext {
    /// Random episodes over the parameter space: observations in the space, finite
    /// rewards, legal actions sorted and valid, current player consistent, episodes
    /// ending within the declared limits, returns inside `reward_range`.
    mutating func checkEpisodes() throws(CheckFailure) {
        var generator = SeededGenerator(seed: seed(4))
        let agents = (0..<spec.players).map { _ in RandomAgent(actionSpace: spec.actionSpace) }
        env.capturesDetail = true
        defer { env.capturesDetail = false }
        var legal: [Int] = []
        let cap = spec.maxSteps ?? options.stepCapWithoutMaxSteps
        for episode in 0..<options.episodes {
            let params = episode == 0 ? spec.parameters.defaults : spec.parameters.sample(using: &generator)
            let label = "episode \(episode + 1)" + (spec.parameters.isEmpty ? "" : " with params \(JSON.encode(.table(params)))")
            let episodeSeed = seed(100 + episode)
            try attempt { () throws(EnvironmentError) in try env.reset(seed: episodeSeed, params: params) }
            for (i, agent) in agents.enumerated() { agent.beginEpisode(seed: SeededGenerator.derive(episodeSeed, UInt64(i)), player: i + 1) }
            var returns = Array(repeating: 0.0, count: spec.players)
            var length = 0
            var done = false
            while !done && length < cap && problems.count < 5 {
                let player = try attempt { () throws(EnvironmentError) in try env.currentPlayer() }
                guard (0...spec.players).contains(player) else {
                    problem("\(label), step \(length): current_player returned \(player), outside 0...\(spec.players)", at: location("current_player"))
                    break
                }
                if player == 0 {
                    problem("\(label), step \(length): current_player is 0 but the last step did not end the episode", at: location("current_player"))
                    break
                }
                try attempt { () throws(EnvironmentError) in try env.legalActions(into: &legal) }
                if spec.hasLegalActions { checkLegal(legal, label: "\(label), step \(length)") }
                let action: Action
                do { action = try agents[player - 1].act(in: env, legalActions: legal) } catch { throw CheckFailure(message: "\(error)") }
                let step = try attempt { () throws(EnvironmentError) in try env.step(action) }
                length += 1
                if let why = spec.observationSpace.problem(with: env.lastObservation) {
                    problem("\(label), step \(length): observation outside \(spec.observationSpace): \(why)", at: location("step"))
                }
                for (i, r) in step.rewards.enumerated() {
                    if !r.isFinite { problem("\(label), step \(length): reward of player \(i + 1) is \(r)", at: location("step")) }
                    returns[i] += r
                }
                switch env.lastInfo {
                case .table, .array: break
                default: problem("\(label), step \(length): info must be a table, got \(env.lastInfo.typeName)", at: location("step"))
                }
                done = step.isDone
            }
            if !done && problems.isEmpty {
                problem(spec.maxSteps == nil
                    ? "\(label) did not end within \(cap) steps: declare E.max_steps and truncate there"
                    : "\(label) was still running after max_steps = \(cap): set truncated = true by then", at: location("step"))
            }
            if done && spec.players > 1 {
                let after = try attempt { () throws(EnvironmentError) in try env.currentPlayer() }
                if after != 0 { problem("\(label): current_player is \(after) after the episode ended (expected 0)", at: location("current_player")) }
                try attempt { () throws(EnvironmentError) in try env.legalActions(into: &legal) }
                if !legal.isEmpty { problem("\(label): legal_actions is not empty after the episode ended", at: location("legal_actions")) }
            }
            if let range = spec.rewardRange, spec.returnsWithinRewardRange {
                let tolerance = 1e-9 * max(1, range.upperBound - range.lowerBound)
                for (i, total) in returns.enumerated() where total < range.lowerBound - tolerance || total > range.upperBound + tolerance {
                    problem("\(label): return of player \(i + 1) is \(total), outside reward_range [\(range.lowerBound), \(range.upperBound)]")
                }
            }
            if problems.count >= 5 { break }
        }
    }

    mutating func checkLegal(_ legal: [Int], label: String) {
        if legal.isEmpty {
            problem("\(label): legal_actions is empty while a player is to move", at: location("legal_actions"))
            return
        }
        for i in 1..<max(1, legal.count) where legal[i] <= legal[i - 1] {
            problem("\(label): legal_actions must be sorted ascending without repeats, got \(legal)", at: location("legal_actions"))
            return
        }
        if let bad = legal.first(where: { !spec.actionSpace.contains(.discrete($0)) }) {
            problem("\(label): legal action \(bad) is outside \(spec.actionSpace)", at: location("legal_actions"))
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
    /// and stepping it leaves the original untouched.
    mutating func checkClone() throws(CheckFailure) {
        guard spec.clonable else { throw .skip("E.clonable = false") }
        for (round, prefix) in [0, 3, 7].enumerated() {
            let episodeSeed = seed(300 + round)
            var prefixHash = StableHash()
            try attempt { () throws(EnvironmentError) in try env.reset(seed: episodeSeed, params: spec.parameters.defaults) }
            try continueHash(env, seed: episodeSeed, steps: prefix, into: &prefixHash)
            if try attempt({ () throws(EnvironmentError) in try env.currentPlayer() }) == 0 { continue }
            let copy = try attempt { () throws(EnvironmentError) in try env.clone() }
            var cloneHash = StableHash()
            try continueHash(copy, seed: episodeSeed &+ 1, steps: 40, into: &cloneHash)
            var originalHash = StableHash()
            try continueHash(env, seed: episodeSeed &+ 1, steps: 40, into: &originalHash)
            if cloneHash.value != originalHash.value {
                problem("a clone taken after \(prefix) steps does not have the original's future: keep all state in self (or fix E.clone)",
                        at: location("clone"))
                return
            }
        }
    }
}
