import Testing
import Ludus
import LudusLua

@Suite struct SolverTests {
    static func report(_ id: String, _ agent: String) throws -> ExploitabilityReport {
        let env = try Package.catalog.load(id)
        return try Exploitability.measure(env, params: [:], seed: 0, agent: try AgentFactory.make(agent, for: env.spec))
    }

    /// The uniform policy of 2-player Kuhn poker has NashConv 11/12 (OpenSpiel's value).
    @Test func uniformKuhnHasTheKnownNashConv() throws {
        let report = try Self.report("kuhn_poker", "random")
        #expect(report.nodes == 58 && report.informationStates == 12)
        #expect(abs(report.nashConv - 11.0 / 12) < 1e-12, "\(report.nashConv)")
        #expect(abs(report.policyValues[0] - 0.125) < 1e-12)
    }

    /// CFR is OpenSpiel's CFRSolver: the same NashConv after the same iterations
    /// (OpenSpiel 1.x, `cfr.CFRSolver` + `exploitability.nash_conv`, measured by bench/parity_openspiel.py).
    @Test(arguments: [("kuhn_poker", 100, 0.016451954631830412), ("kuhn_poker", 1000, 0.0018752332939859229),
                      ("kuhn_poker(players=3)", 100, 0.03701562416744558)])
    func cfrMatchesOpenSpiel(_ id: String, _ iterations: Int, _ openSpiel: Double) throws {
        let report = try Self.report(id, "cfr:\(iterations)")
        #expect(abs(report.nashConv - openSpiel) < 1e-6, "\(report.nashConv) vs OpenSpiel's \(openSpiel)")
    }

    @Test func cfrPlusConvergesFaster() throws {
        let plain = try Self.report("kuhn_poker", "cfr:300").nashConv
        let plus = try Self.report("kuhn_poker", "cfr+:300").nashConv
        #expect(plus < plain && plus < 0.01, "cfr+ \(plus) vs cfr \(plain)")
    }

    /// A solved policy wins chips from a random player in play, from either seat.
    @Test func cfrBeatsRandomInPlay() throws {
        let env = try Package.catalog.load("kuhn_poker")
        let driver = EpisodeDriver(environment: env)
        let cfr = try AgentFactory.make("cfr:500", for: env.spec)
        let random = try AgentFactory.make("random", for: env.spec)
        var chips = 0.0
        for game in 0..<400 {
            let cfrSeat = game % 2
            let seats = cfrSeat == 0 ? [cfr, random] : [random, cfr]
            let result = try driver.play(episode: game, seed: SeedStreams(root: 5).seed(.episode, game), params: [:], agents: seats)
            #expect(result.outcome.forfeitingPlayer == nil, "\(result.outcome)")
            chips += result.returns[cfrSeat]
        }
        #expect(chips / 400 > 0.02, "cfr won \(chips / 400) chips a game")
    }

    @Test func solversRefuseGamesWithoutInformationStates() throws {
        let env = try Package.catalog.load("tic_tac_toe")
        #expect(throws: SetupError.self) { try AgentFactory.make("cfr:10", for: env.spec) }
        #expect(throws: (any Error).self) { try Exploitability.measure(env, params: [:], seed: 0, agent: RandomAgent(actionSpace: env.spec.actionSpace)) }
    }
}
