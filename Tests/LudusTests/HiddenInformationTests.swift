import Foundation
import Testing
import Ludus
import LudusLua

/// Plays fixed chance outcomes (the cards dealt) in order.
final class DealAgent: Agent {
    let name = "deal"
    var needsObservation: Bool { false }
    let outcomes: [Int]
    private var next = 0
    init(_ outcomes: [Int]) { self.outcomes = outcomes }
    func beginEpisode(seed: UInt64, player: Int) { next = 0 }
    func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        defer { next += 1 }
        return .discrete(outcomes[next])
    }
}

/// Always checks or calls (its first legal action but fold).
final class PassingAgent: Agent {
    let name = "passing"
    var needsObservation: Bool { false }
    func beginEpisode(seed: UInt64, player: Int) {}
    func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        .discrete(legalActions.first { $0 != 0 } ?? legalActions[0])
    }
}

/// Records what it is shown through the agent API, and always passes.
final class PeekingAgent: Agent {
    let name = "peek"
    var seen: [String] = []
    var peeks: [String] = []
    func beginEpisode(seed: UInt64, player: Int) {}
    func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        seen.append(JSON.encode(environment.lastObservation))
        for p in 1...environment.spec.players {
            peeks.append((try? JSON.encode(environment.observation(of: p))) ?? "refused")
            peeks.append((try? environment.informationState(of: p)) ?? "refused")
        }
        peeks.append((try? environment.render()).flatMap { $0 } ?? "no render")
        peeks.append((try? environment.call("observe", [.int(2)], results: 1)).map { JSON.encode(.array($0)) } ?? "refused")
        return .discrete(legalActions[0])
    }
}

@Suite struct HiddenInformationTests {
    /// A fair coin drawn after the guess (implicit randomness in self.rng): no search can beat 1/2.
    static let coinAfterGuess = """
        return {
          id = "coin_after", description = "Guess a coin flipped after the guess.", version = "1.0.0",
          observation_space = space.discrete(1), action_space = space.discrete(2), params = {},
          max_steps = 1, reward_range = { 0, 1 },
          reset = function(self, params) return 0, {} end,
          legal_actions = function(self) return { 0, 1 } end,
          step = function(self, action)
            local coin = self.rng:int(0, 1)
            return 0, (coin == action) and 1 or 0, true, false, {}
          end,
        }
        """

    /// A hidden coin, tossed by an explicit chance node before the guess and observed by nobody.
    static let hiddenCoin = """
        return {
          id = "hidden_coin", description = "Guess a hidden coin tossed by chance.", version = "1.0.0",
          observation_space = space.discrete(2), action_space = space.discrete(2), params = {},
          max_steps = 2, reward_range = { 0, 1 },
          reset = function(self, params) self.coin = nil; self.done = false; return 0, {} end,
          current_player = function(self) if self.done then return 0 elseif self.coin == nil then return -1 else return 1 end end,
          legal_actions = function(self) if self.done or self.coin == nil then return {} end return { 0, 1 } end,
          chance_outcomes = function(self) return { { 0, 0.5 }, { 1, 0.5 } } end,
          observe = function(self, player) return 0 end,
          information_state = function(self, player) return self.coin == nil and "" or "tossed" end,
          resample = function(self, player) if self.coin ~= nil then self.coin = self.rng:int(0, 1) end end,
          step = function(self, action)
            if self.coin == nil then self.coin = action; return 0, 0, false, false, {} end
            self.done = true
            return 0, (self.coin == action) and 1 or 0, true, false, {}
          end,
        }
        """

    static func wins(_ source: String, agent: String, games: Int = 200) throws -> Int {
        let env = try Package.catalog.load(Package.script(source))
        let driver = EpisodeDriver(environment: env)
        let player = try AgentFactory.make(agent, for: env.spec)
        var wins = 0
        for game in 0..<games {
            let result = try driver.play(episode: game, seed: SeedStreams(root: 7).seed(.episode, game), params: [:], agents: [player])
            if result.returns[0] > 0 { wins += 1 }
        }
        return wins
    }

    @Test(arguments: [coinAfterGuess, hiddenCoin])
    func searchWinsACoinGuessAtChanceRate(_ source: String) throws {
        let wins = try Self.wins(source, agent: "mcts:20")
        #expect(wins > 70 && wins < 130, "mcts won \(wins) of 200 coin guesses: search foresaw the coin")
    }

    /// The same Kuhn game twice, with only the opponent's card changed: seat 1 must be shown the same things.
    @Test func aSeatSeesOnlyItsOwnCard() throws {
        let env = try Package.catalog.load("kuhn_poker")
        var shown: [[String]] = []
        for deal in [[2, 0], [2, 1]] {
            let driver = EpisodeDriver(environment: env)
            driver.chanceAgent = DealAgent(deal)
            let me = PeekingAgent()
            _ = try driver.play(seed: 1, params: [:], agents: [me, RandomAgent(actionSpace: env.spec.actionSpace)])
            shown.append(me.seen + me.peeks)
            #expect(me.seen.allSatisfy { $0.contains("\"card\":3") }, "\(me.seen)")
            #expect(me.peeks.contains("refused") && me.peeks.contains("no render"), "\(me.peeks)")
        }
        #expect(shown[0] == shown[1], "seat 1 saw \(shown[0]) vs \(shown[1])")
    }

    /// The exec: protocol carries only the seat's own observation: a program logging every
    /// message it receives gets the same bytes when only the opponent's card differs.
    @Test func anExternalAgentReceivesOnlyItsOwnCard() throws {
        let env = try Package.catalog.load("kuhn_poker")
        var logs: [String] = []
        for (index, deal) in [[1, 0], [1, 2]].enumerated() {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("ludus-kuhn-\(UUID().uuidString)-\(index).log").path
            let program = """
                exec:python3 -u -c "
                import json, sys
                log = open(sys.argv[1], 'w')
                for line in sys.stdin:
                    m = json.loads(line)
                    if m['type'] != 'start': log.write(line); log.flush()
                    if m['type'] == 'start': print(json.dumps({'type': 'ready'}))
                    elif m['type'] == 'act': print(json.dumps({'action': m['legal_actions'][-1]}))
                    elif m['type'] == 'quit': break
                " \(log)
                """
            let driver = EpisodeDriver(environment: env)
            driver.chanceAgent = DealAgent(deal)
            driver.onAgentFailure = .stop
            let agent = try AgentFactory.make(program, for: env.spec)
            let result = try driver.play(seed: 3, params: [:], agents: [agent, RandomAgent(actionSpace: env.spec.actionSpace)])
            #expect(result.length >= 4)
            _ = agent  // keep the process until the episode's end message is written
            logs.append((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        let acts = logs.map { $0.split(separator: "\n").filter { $0.contains("\"act\"") } }
        #expect(!acts[0].isEmpty)
        #expect(acts[0] == acts[1], "the agent saw \(acts[0]) vs \(acts[1])")
        #expect(acts[0].allSatisfy { $0.contains("\"card\":2") }, "\(acts[0])")
    }

    /// Chance probabilities that do not form a distribution stop the episode (driver) and fail the check.
    @Test(arguments: ["{ { 0, 0.5 }, { 1, 0.6 } }", "{ { 0, -0.5 }, { 1, 1.5 } }", "{}"])
    func badChanceOutcomesAreContractViolations(_ outcomes: String) throws {
        let source = Self.hiddenCoin.replacingOccurrences(of: "return { { 0, 0.5 }, { 1, 0.5 } }", with: "return \(outcomes)")
        let env = try Package.catalog.load(Package.script(source))
        #expect(throws: EpisodeError.self) {
            _ = try EpisodeDriver(environment: env).play(seed: 1, params: [:], agents: [RandomAgent(actionSpace: env.spec.actionSpace)])
        }
        let report = EnvironmentChecker().check(Package.script(source), catalog: Package.catalog)
        #expect(!report.passed)
    }

    /// The same seed deals the same cards; the deal is in the trajectory hash.
    @Test func chanceFollowsTheEpisodeSeed() throws {
        let env = try Package.catalog.load("leduc_poker")
        let driver = EpisodeDriver(environment: env)
        func hashes(_ seed: UInt64) throws -> [String] {
            try (0..<20).map { game in
                let agents: [any Agent] = [PassingAgent(), PassingAgent()]
                return try driver.play(seed: SeededGenerator.derive(seed, UInt64(game)), params: [:], agents: agents).trajectoryHash
            }
        }
        let first = try hashes(1)
        #expect(first == (try hashes(1)))
        #expect(Set(first).count > 5, "the same moves with different deals hash differently: \(Set(first).count) distinct")
    }

    @Test func mctsRefusesHiddenInformationWithoutResample() throws {
        let source = Self.hiddenCoin.replacingOccurrences(of: "resample = function", with: "unused = function")
        let env = try Package.catalog.load(Package.script(source))
        #expect(throws: SetupError.self) { try AgentFactory.make("mcts:10", for: env.spec) }
    }

    /// The checker's differential test catches an observation that shows the opponent's card.
    @Test func theCheckerCatchesALeakyObservation() throws {
        let leaky = try String(contentsOfFile: Package.environments + "/kuhn_poker.lua", encoding: .utf8)
            .replacingOccurrences(of: "id = \"kuhn_poker\"", with: "id = \"leaky_kuhn\"")
            .replacingOccurrences(of: "obs.card = (p > 0 and self.card[p] >= 0) and (self.card[p] + 1) or 0",
                                  with: "local q = (p == 1) and 2 or 1; obs.card = (p > 0 and self.card[q] >= 0) and (self.card[q] + 1) or 0")
        #expect(leaky.contains("local q = ") && leaky.contains("leaky_kuhn"))
        let report = EnvironmentChecker().check(Package.script(leaky), catalog: Package.catalog)
        let information = report.results.first { $0.name == "information" }
        #expect(information?.passed == false, "\(report.results.map { "\($0.name): \($0.problems)" })")
        #expect(information?.problems.first?.message.contains("resample") == true)
    }

    @Test(arguments: ["kuhn_poker", "kuhn_poker(players=3)", "kuhn_poker(players=4)"])
    func kuhnPassesTheChecker(_ id: String) throws {
        let report = EnvironmentChecker().check(try Package.catalog.resolve(id), catalog: Package.catalog)
        for result in report.results { #expect(result.passed, "\(result.name): \(result.problems)") }
        #expect(report.results.first { $0.name == "information" }?.skipped == nil)
    }
}
