import LudusLua

extension CheckContext {
    /// The hidden-information and chance facts, on every state of random episodes: every
    /// player's observation (`E.observe`) inside the observation space, information states
    /// strings, chance outcomes a distribution (non-negative, summing to 1), and, with
    /// `E.resample`, the differential no-leak test: re-dealing what player p cannot see
    /// (many samples) must leave p's observation, information state, turn and legal
    /// actions unchanged. A view that changes when only the other seats' hidden part
    /// changes is a leak.
    mutating func checkInformation() throws(CheckFailure) {
        guard spec.hasPrivateObservations || spec.hasExplicitChance || spec.hasInformationStates else {
            throw .skip("perfect information, no explicit chance")
        }
        let probe = InformationProbe(spec: spec, samples: 6)
        let driver = EpisodeDriver(environment: env)
        driver.observers = [probe]
        driver.onAgentFailure = .stop
        driver.stepCap = spec.maxSteps ?? options.stepCapWithoutMaxSteps
        let agents: [any Agent] = (0..<spec.players).map { _ in RandomAgent(actionSpace: spec.actionSpace) }
        for episode in 0..<min(options.episodes, 20) {
            probe.label = "episode \(episode + 1)"
            do {
                _ = try driver.play(episode: episode + 1, seed: seed(300 + episode), params: spec.parameters.defaults, agents: agents)
            } catch {
                let f = failure(error)
                problem("\(probe.label), step \(probe.length): \(f.message)", at: f.location)
                break
            }
            if !probe.problems.isEmpty { break }
        }
        for found in probe.problems.prefix(5) { problem(found.message, at: location(found.function)) }
    }
}

/// Inspects every state the driver reaches (after reset and after each step).
final class InformationProbe: EpisodeObserver {
    struct Found { var message: String; var function: String }
    let spec: EnvironmentSpec
    let samples: Int
    var label = ""
    var length = 0
    var problems: [Found] = []
    private var legal: [Int] = []
    private var other: [Int] = []

    init(spec: EnvironmentSpec, samples: Int) {
        self.spec = spec
        self.samples = samples
    }

    func didReset(_ environment: any Environment, episode: Int, seed: UInt64, params: [String: Value]) throws {
        length = 0
        try inspect(environment, seed: seed)
    }

    func didStep(_ environment: any Environment, episode: Int, length: Int, player: Int, action: Action, step: Step) throws {
        self.length = length
        if !step.isDone { try inspect(environment, seed: seed(length)) }
    }

    private func seed(_ index: Int) -> UInt64 { SeededGenerator.derive(0x1F0, UInt64(index)) }

    private func report(_ message: String, _ function: String) {
        problems.append(Found(message: "\(label), step \(length): \(message)", function: function))
    }

    /// What player `p` can know here: observation, information state, turn, legal actions.
    private func view(of environment: any Environment, _ p: Int, legal: inout [Int]) throws -> String {
        let observation = try environment.observation(of: p)
        let state = spec.hasInformationStates ? try environment.informationState(of: p) : ""
        let player = try environment.turn(legal: &legal)
        // The legal actions are p's to know only on p's turn (another seat's depend on its hidden hand).
        return "observation \(JSON.encode(observation)), information state \(state.debugDescription), player \(player) to move"
            + (player == p ? ", legal \(legal)" : "")
    }

    private func inspect(_ environment: any Environment, seed: UInt64) throws {
        guard problems.isEmpty else { return }
        let player = try environment.currentPlayer()
        if player == Chance.player {
            if !spec.hasExplicitChance { report("current_player is -1 (chance) but E.chance_outcomes is not defined", "current_player") }
            else if let problem = ChanceOutcome.problem(with: try environment.chanceOutcomes()) { report("E.chance_outcomes \(problem)", "chance_outcomes") }
        }
        for p in 1...spec.players {
            if spec.hasPrivateObservations, let problem = spec.observationSpace.problem(with: try environment.observation(of: p)) {
                report("E.observe(self, \(p)) is outside the observation space: \(problem)", "observe")
                return
            }
            guard spec.canResample, spec.clonable else { continue }
            let before = try view(of: environment, p, legal: &legal)
            for k in 0..<samples {
                let copy = try environment.clone()
                try copy.resample(for: p, seed: SeededGenerator.derive(seed, UInt64(p * 64 + k)))
                let after = try view(of: copy, p, legal: &other)
                if after != before {
                    report("E.resample(self, \(p)) changed what player \(p) knows (or its view leaks another seat's hidden state): before \(before); after \(after)", "resample")
                    return
                }
            }
        }
    }
}
