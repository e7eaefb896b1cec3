import Foundation
import Testing
import Ludus
import LudusLua

/// The driver's step-wise API (what the C ABI and Python drive) is the same loop as
/// `advance`: the same hash, the same checks, the same forfeits.
@Suite struct StepwiseDriverTests {
    /// Plays an episode with a random agent through `play`, recording its actions.
    func recorded(_ env: any Environment, seed: UInt64) throws -> (EpisodeResult, [Action]) {
        let recorder = RecordingAgent(RandomAgent(actionSpace: env.spec.actionSpace))
        let agents: [any Agent] = Array(repeating: recorder, count: env.spec.players)
        let result = try EpisodeDriver(environment: env).play(seed: seed, params: env.spec.parameters.defaults, agents: agents)
        return (result, recorder.actions)
    }

    @Test(arguments: ["corridor", "gridworld/door_key", "tic_tac_toe", "connect_four"])
    func stepwiseHashEqualsAdvance(id: String) throws {
        let env = try Package.catalog.load(id)
        let (result, actions) = try recorded(env, seed: 42)
        let driver = EpisodeDriver(environment: env)
        var progress = try driver.begin(seed: 42, params: env.spec.parameters.defaults, agents: [])
        for action in actions {
            let player = try driver.turn(&progress)
            #expect(try driver.play(action, by: player, &progress) != nil)
        }
        #expect(progress.isOver)
        #expect(progress.hash.hex == result.trajectoryHash)
        #expect(progress.returns == result.returns && progress.length == result.length)
    }

    @Test func refusedActionForfeitsOrStops() throws {
        let env = try Package.catalog.load("tic_tac_toe")
        let driver = EpisodeDriver(environment: env)
        var progress = try driver.begin(seed: 1, params: [:], agents: [])
        var player = try driver.turn(&progress)
        try driver.play(.discrete(4), by: player, &progress)
        player = try driver.turn(&progress)
        #expect(!driver.legalActions.contains(4))
        driver.onAgentFailure = .stop
        #expect(throws: EpisodeError.self) { try driver.play(.discrete(4), by: player, &progress) }
        #expect(progress.length == 1 && !progress.isOver)
        driver.onAgentFailure = .forfeit
        #expect(try driver.play(.discrete(4), by: player, agent: "python", &progress) == nil)
        #expect(progress.forfeit?.player == 2 && progress.returns == [1, -1])
    }

    @Test func stepCapTruncates() throws {
        let env = try Package.catalog.load("corridor")
        let driver = EpisodeDriver(environment: env)
        driver.stepCap = 3
        var progress = try driver.begin(seed: 1, params: ["length": .int(40), "slip": .number(0)], agents: [])
        for _ in 0..<3 {
            let player = try driver.turn(&progress)
            try driver.play(.discrete(0), by: player, &progress)
        }
        #expect(progress.truncated && progress.length == 3)
    }

    @Test func taskSourceMatchesTheTeachLoopsStreams() throws {
        let env = try Package.catalog.load("corridor")
        let space = try env.spec.parameters.restricted(varying: nil, fixed: ["slip"])
        let teacher = try TeacherFactory.make("random", space: space, environment: env.spec.id)
        let source = TaskSource(teacher: teacher, spec: env.spec, fixedParams: ["slip": .number(0.1)], seed: 5)
        let (task, params) = try source.next(episode: 3)
        #expect(task.seed == SeedStreams(root: 5).seed(.episode, 3))
        #expect(params["slip"] == .number(0.1) && params["length"] != nil)
        let report = source.report(task, return: 1.0)
        #expect(report.success && report.normalized == 1.0)
        #expect(source.normalize(-2.56) == 0)
    }

    @Test func secLearnsFromTheTrainersAdvantage() throws {
        let env = try Package.catalog.load("corridor")
        let space = try env.spec.parameters.restricted(varying: ["length": 3...6], fixed: ["slip"])
        let sec = try SECTeacher(space: space, armParameter: "length")
        var generator = SeededGenerator(seed: 1)
        let task = sec.sample(using: &generator)
        sec.update(task, outcome: TeacherOutcome(normalizedReturn: 0.5, success: false, advantage: -0.8))
        let arm = sec.levels.firstIndex(of: task.params["length"]!)!
        #expect(abs(sec.values[arm] - 0.4) < 1e-12)  // step size 0.5 toward |advantage| 0.8
    }
}

/// Plays like the wrapped agent and records every action (to replay them step by step).
final class RecordingAgent: Agent {
    let inner: any Agent
    var actions: [Action] = []
    var name: String { inner.name }
    init(_ inner: any Agent) { self.inner = inner }
    func beginEpisode(seed: UInt64, player: Int) { if player == 1 { actions = [] }; inner.beginEpisode(seed: seed, player: player) }
    func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        let action = try inner.act(in: environment, legalActions: legalActions)
        actions.append(action)
        return action
    }
}
