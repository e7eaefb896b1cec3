import Foundation
import Testing
import Ludus
import LudusLua

/// One regression test per problem of the episode-driver issue: every loop plays
/// through the one driver, so each is checked once here through the loops users run.
@Suite struct DriverTests {
    /// A two-player game whose `step` and `current_player` can be made to misbehave.
    static func game(reward: String = "{1, -1}", currentPlayer: String = "self.done and 0 or self.turn",
                     afterSteps: Int = 0, extra: String = "") -> String {
        """
        local E = { id = "hostile_game", description = "a game that breaks its contract", version = "1.0.0",
          players = 2, observation_space = space.discrete(9), action_space = space.discrete(3),
          reward_range = { -2, 2 }, max_steps = 6, params = {} }
        \(extra)
        function E.reset(self, params) self.turn, self.steps, self.done = 1, 0, false; return 0, {} end
        function E.current_player(self)
          if self.steps >= \(afterSteps) then return \(currentPlayer) end
          return self.done and 0 or self.turn
        end
        function E.legal_actions(self) if self.done then return {} end return {0, 1, 2} end
        function E.step(self, action)
          self.steps = self.steps + 1
          self.turn = 3 - self.turn
          self.done = self.steps >= 4
          if self.done then return self.steps, \(reward), true, false, {} end
          return self.steps, {0, 0}, false, false, {}
        end
        return E
        """
    }

    static func load(_ source: String) throws -> LuaEnvironment { try Package.catalog.load(Package.script(source)) }

    func agents(_ env: any Environment, _ spec: String = "random") throws -> [any Agent] {
        try (0..<env.spec.players).map { _ in try AgentFactory.make(spec, for: env.spec) }
    }

    /// A program answering the first legal action, or an illegal 99 when the observation is missing.
    static let observationChecker = """
        exec:python3 -u -c "
        import json, sys
        for line in sys.stdin:
            m = json.loads(line)
            if m['type'] == 'start':
                assert m['seed'] >= 0, 'negative seed'
                print(json.dumps({'type': 'ready'}))
            elif m['type'] == 'act':
                print(json.dumps({'action': 99 if m['observation'] is None else m['legal_actions'][0]}))
            elif m['type'] == 'quit':
                break
        "
        """

    // 1. Observations reach external and Lua agents whatever the flags.
    @Test func externalAgentsSeeObservationsWithoutATrace() throws {
        let env = try Package.catalog.load("tic_tac_toe")
        let checker = try AgentFactory.make(Self.observationChecker, for: env.spec)
        let runner = EpisodeRunner(environment: env, agents: [checker, try AgentFactory.make("random", for: env.spec)])
        for episode in 1...3 {
            let result = try runner.run(episode: episode, seed: UInt64(episode), params: [:])
            #expect(result.outcome.forfeitingPlayer == nil, "\(result.outcome)")
        }
    }

    // 2. Actions outside the space or the legal list forfeit (run) or stop (replay), naming the agent.
    @Test func outOfSpaceActionsForfeitInRun() throws {
        let env = try Package.catalog.load("corridor")
        let agent = try AgentFactory.make("lua:" + Package.script("return { act = function(self, obs, legal) return 99 end }", name: "agent99").path, for: env.spec)
        let result = try EpisodeRunner(environment: env, agents: [agent]).run(episode: 1, seed: 1, params: env.spec.parameters.defaults)
        guard case .forfeit(player: 1, let reason) = result.outcome else { Issue.record("expected a forfeit, got \(result.outcome)"); return }
        #expect(reason.contains("99") && reason.contains("Discrete(2)"), "\(reason)")
        #expect(result.length == 0)
    }

    @Test func shortVectorsForfeitOnTheWalker() throws {
        let env = try Package.catalog.load("walker/bipedal")
        let agent = try AgentFactory.make("lua:" + Package.script("return { act = function(self, obs, legal) return {0, 0} end }", name: "agent2d").path, for: env.spec)
        let result = try EpisodeRunner(environment: env, agents: [agent]).run(episode: 1, seed: 1, params: env.spec.parameters.defaults)
        guard case .forfeit(_, let reason) = result.outcome else { Issue.record("expected a forfeit, got \(result.outcome)"); return }
        #expect(reason.contains("2 numbers") && reason.contains("takes 4"), "\(reason)")
    }

    @Test func replayRefusesInvalidActionsAndActionsAfterTheEnd() throws {
        let env = try Package.catalog.load("corridor")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID()).jsonl").path
        let invalid = [try ReplayEpisode(json: JSON.decode(#"{"seed": 1, "actions": [-5, 2, 99]}"#))]
        #expect {
            try Replay.run(invalid, on: env, trace: TraceWriter(path: path))
        } throws: { error in
            guard case .episode(line: 1, .agent(player: 1, let failure)) = error as? ReplayError else { return false }
            return failure.reason.contains("-5")
        }
        let long = [try ReplayEpisode(json: JSON.decode(#"{"seed": 1, "params": {"length": 3}, "actions": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}"#))]
        #expect {
            try Replay.run(long, on: env, trace: TraceWriter(path: path))
        } throws: { error in
            guard case .actionsAfterEnd(line: 1, _, _) = error as? ReplayError else { return false }
            return true
        }
    }

    // 3. One reward per player, exactly, or an error naming the script's file:line.
    @Test(arguments: ["1", "{1, -1, 5}", "{1}"])
    func rewardsOfTheWrongShapeAreContractErrors(reward: String) throws {
        let env = try Self.load(Self.game(reward: reward))
        #expect {
            _ = try EpisodeRunner(environment: env, agents: try agents(env)).run(episode: 1, seed: 1, params: [:])
        } throws: { error in
            let text = "\(error)"
            return text.contains("E.step") && text.contains(".lua:") && text.contains("per player")
        }
    }

    // 4. One trajectory hash: a tournament game and the same game played by `run` agree.
    @Test func tournamentAndRunHashTheSameWay() throws {
        let config = TournamentConfig(environment: "tic_tac_toe", agents: ["random", "mcts:5"], gamesPerPair: 2, seed: 4)
        let store = try ResultStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("hash-\(UUID()).sqlite").path)
        let (tournament, _) = try TournamentRunner(config: config, catalog: Package.catalog, store: store).run(workers: 1, resume: false)
        let env = try Package.catalog.load("tic_tac_toe")
        for game in try store.games(tournament.id) {
            let seats = try JSON.decode(game.seats).arrayValue!.map { config.agents[$0.intValue!] }
            let agents = try seats.map { try AgentFactory.make($0, for: env.spec) }
            let result = try EpisodeDriver(environment: env).play(seed: UInt64(game.seed)!, params: [:], agents: agents)
            #expect(result.trajectoryHash == game.trajectoryHash)
            #expect(UInt64(game.seed)! == SeedStreams(root: 4).seed(.episode, game.gameIndex))
        }
    }

    // 5. Seeds are non-negative 63-bit integers everywhere, and purposes never collide.
    @Test func seedsAreNonNegativeAndStreamsDisjoint() {
        let streams = SeedStreams(root: 0xFFFF_FFFF_FFFF_FFFF)
        var seen: Set<UInt64> = []
        for purpose in SeedPurpose.allCases {
            for i in 0..<2_000 {
                let seed = streams.seed(purpose, i)
                #expect(seed <= UInt64(Int64.max))
                seen.insert(seed)
            }
        }
        #expect(seen.count == SeedPurpose.allCases.count * 2_000)
        #expect(SeedStreams.agentSeed(episode: 1, seat: 1) != SeedStreams.agentSeed(episode: 1, seat: 2))
    }

    // 6. Multi-discrete and multi-binary elements arrive in Lua as integers.
    @Test(arguments: ["space.multi_discrete{3, 4}", "space.multi_binary(3)"])
    func multiDiscreteActionsAreIntegers(space: String) throws {
        let env = try Self.load("""
            local E = { id = "md", description = "checks its action's element types", version = "1.0.0",
              observation_space = space.discrete(2), action_space = \(space), params = {}, max_steps = 3 }
            function E.reset(self, params) return 0, {} end
            function E.step(self, action)
              for i, a in ipairs(action) do
                if math.type(a) ~= "integer" then error("element " .. i .. " is a " .. math.type(a)) end
              end
              return 1, 0, false, false, {}
            end
            return E
            """)
        let result = try EpisodeRunner(environment: env, agents: try agents(env)).run(episode: 1, seed: 3, params: [:])
        #expect(result.length == 3)
    }

    // 8. The clone check samples several seeds and names the real prefix length.
    @Test func cloneThatRedrawsItsRandomnessIsCaught() throws {
        let location = Package.script("""
            local E = { id = "reclone", description = "a clone that shares its random stream", version = "1.0.0",
              observation_space = space.discrete(100), action_space = space.discrete(2), params = {}, max_steps = 50 }
            function E.reset(self, params) self.t = 0; return 0, {} end
            function E.step(self, action)
              self.t = self.t + 1
              -- Randomness shows only rarely, so one sample of the future can match by luck.
              local obs = self.rng:int(1, 300) == 1 and 99 or self.t % 50
              return obs, 0, false, self.t >= 50, {}
            end
            function E.clone(self) return { t = self.t, rng = self.rng } end
            return E
            """)
        let report = EnvironmentChecker().check(location, catalog: Package.catalog)
        let clone = report.results.first { $0.name == "clone" }
        #expect(clone?.problems.isEmpty == false, "a re-seeding clone passed the clone check")
    }

    // Bad input: a player to move out of range is an environment error in every loop, never a crash.
    @Test(arguments: ["3", "-1"])
    func currentPlayerOutOfRangeIsAnErrorEverywhere(player: String) throws {
        let env = try Self.load(Self.game(currentPlayer: player, afterSteps: 2))
        #expect {
            _ = try EpisodeRunner(environment: env, agents: try agents(env)).run(episode: 1, seed: 1, params: [:])
        } throws: { error in "\(error)".contains("current_player") && "\(error)".contains(".lua:") }
        // MCTS meets the bad player inside its search: an environment error too, not an index out of range.
        #expect {
            _ = try EpisodeRunner(environment: env, agents: try agents(env, "mcts:8")).run(episode: 1, seed: 1, params: [:])
        } throws: { error in "\(error)".contains("current_player") }
        // A tournament records the game as an error and commits every game.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.game(currentPlayer: player, afterSteps: 2).write(toFile: directory + "/hostile_game.lua", atomically: true, encoding: .utf8)
        let catalog = EnvironmentCatalog(extraPaths: [directory], bundled: Package.environments)
        let config = TournamentConfig(environment: "hostile_game", agents: ["random", "mcts:3"], gamesPerPair: 4, seed: 1)
        let store = try ResultStore(path: directory + "/t.sqlite")
        let (tournament, played) = try TournamentRunner(config: config, catalog: catalog, store: store).run(workers: 2, resume: false)
        let games = try store.games(tournament.id)
        #expect(played == 4 && games.count == 4)
        #expect(games.allSatisfy { $0.outcome == "error" && ($0.reason ?? "").contains("current_player") })
    }

    // Bad input: an answer of the wrong shape is that agent's forfeit, not an environment error.
    @Test(arguments: ["\"4\"", "[4]", "4.5"])
    func wrongShapedAnswersForfeit(answer: String) throws {
        let env = try Package.catalog.load("tic_tac_toe")
        let liar = try AgentFactory.make("""
            exec:python3 -u -c "
            import json, sys
            for line in sys.stdin:
                m = json.loads(line)
                if m['type'] == 'start': print(json.dumps({'type': 'ready'}))
                elif m['type'] == 'act': print('{\\"action\\": \(answer)}')
                elif m['type'] == 'quit': break
            "
            """, for: env.spec)
        let result = try EpisodeRunner(environment: env, agents: [liar, try AgentFactory.make("random", for: env.spec)])
            .run(episode: 1, seed: 1, params: [:])
        #expect(result.outcome.forfeitingPlayer == 1, "\(result.outcome)")
        #expect(result.returns == [-1, 1])
    }

    // Bad input: NaN and infinite rewards are environment errors, not results.
    @Test(arguments: ["0/0", "1/0"])
    func nonFiniteRewardsAreErrors(reward: String) throws {
        let env = try Self.load(Self.game(reward: "{\(reward), 0}"))
        #expect {
            _ = try EpisodeRunner(environment: env, agents: try agents(env)).run(episode: 1, seed: 1, params: [:])
        } throws: { error in "\(error)".contains("finite") }
    }

    @Test func observationsOutsideTheSpaceAreErrors() throws {
        let env = try Self.load(Self.game().replacingOccurrences(of: "return self.steps, {0, 0}", with: "return 40, {0, 0}"))
        #expect {
            _ = try EpisodeRunner(environment: env, agents: try agents(env)).run(episode: 1, seed: 1, params: [:])
        } throws: { error in "\(error)".contains("outside Discrete(9)") }
    }

    // Bad input: MCTS refuses environments that cannot be cloned.
    @Test func mctsRefusesNonClonableEnvironments() throws {
        let env = try Package.catalog.load("walker/bipedal")
        #expect(env.spec.clonable == false)
        #expect(throws: SetupError.self) { _ = try AgentFactory.make("mcts:10", for: env.spec) }
    }

    // Bad input: one failed episode in teach is recorded, the run goes on.
    @Test func teachGoesOnAfterAFailedEpisode() throws {
        let env = try Self.load("""
            local E = { id = "flaky", description = "fails on one level", version = "1.0.0",
              observation_space = space.discrete(2), action_space = space.discrete(2), max_steps = 2,
              reward_range = { 0, 1 }, success_threshold = 0.5,
              params = { level = { kind = "int", min = 0, max = 9, default = 0 } } }
            function E.reset(self, params)
              if params.level == 7 then error("level 7 is broken") end
              return 0, {}
            end
            function E.step(self, action) return 0, action, true, false, {} end
            return E
            """)
        let loop = try TeachLoop(environment: env, teacher: RandomTeacher(space: env.spec.parameters), student: RandomStudent(actionSpace: env.spec.actionSpace))
        loop.testSetSize = 5
        loop.evaluateEvery = 20
        var failed = 0, played = 0
        loop.onFailure = { _, _, error in
            #expect("\(error)".contains("level 7 is broken"))
            failed += 1
        }
        loop.onEpisode = { _ in played += 1 }
        _ = try loop.run(episodes: 60, seed: 2)
        #expect(failed > 0)
        #expect(played + failed >= 60)
    }
}

@Suite struct ConfigTests {
    // 7. A misspelt config key is refused, naming the key it resembles.
    @Test func misspeltConfigKeysAreRefused() throws {
        let json = #"{"environment": "tic_tac_toe", "agents": ["random", "mcts:5"], "gamesperpair": 3}"#
        #expect {
            _ = try JSONDecoder().decode(TournamentConfig.self, from: Data(json.utf8))
        } throws: { error in "\(error)".contains("unknown key \"gamesperpair\"") && "\(error)".contains("did you mean \"gamesPerPair\"") }
        let good = #"{"environment": "tic_tac_toe", "agents": ["random", "mcts:5"], "gamesPerPair": 3}"#
        #expect(try JSONDecoder().decode(TournamentConfig.self, from: Data(good.utf8)).gamesPerPair == 3)
    }
}
