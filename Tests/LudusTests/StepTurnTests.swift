import Foundation
import Testing
import Ludus
import LudusLua

/// The step that also reads the next turn (one call into Lua per move), and the small-block
/// pool under every state: both must be invisible to scripts and loops.
@Suite struct StepTurnTests {
    static func load(_ source: String) throws -> LuaEnvironment { try Package.catalog.load(Package.script(source)) }

    /// A two-player game with a level-style function that changes whose turn it is.
    static func game(badAfter: Int = 1000, badList: String = "{}") -> String {
        """
        local E = { id = "step_turn_game", description = "turns that a call can change", version = "1.0.0",
          players = 2, observation_space = space.discrete(100), action_space = space.discrete(3),
          reward_range = { -1, 1 }, max_steps = 20, params = {} }
        function E.reset(self, params) self.turn, self.steps = 1, 0; return 0, {} end
        function E.current_player(self) return self.turn end
        function E.legal_actions(self)
          if self.steps >= \(badAfter) then return \(badList) end
          if self.turn == 1 then return {0, 1} end
          return {2}
        end
        function E.step(self, action)
          if action == 1 and self.turn == 2 then error("no such move for o", 2) end
          self.steps = self.steps + 1
          self.turn = 3 - self.turn
          return self.steps, {0, 0}, false, false, {}
        end
        function E.swap(self) self.turn = 3 - self.turn end
        return E
        """
    }

    @Test func theTurnReadAheadIsTheOneTheScriptGives() throws {
        for id in ["connect_four", "tic_tac_toe", "liars_dice"] {
            let env = try Package.catalog.load(try Package.catalog.resolve(id))
            let script = env.script
            var generator = SeededGenerator(seed: 7)
            var cached: [Int] = [], fresh: [Int] = []
            for game in 0..<30 {
                try env.reset(seed: UInt64(game), params: [:])
                var over = false
                var moves = 0
                while !over && moves < 200 {
                    let player = try script.currentPlayer()
                    if player > 0 { try script.legalActions(into: &fresh) } else { fresh = [] }
                    let ahead = try script.turn(legal: &cached)
                    #expect(ahead == player && cached == fresh, "\(id) game \(game) move \(moves)")
                    let action: Int
                    if player == Chance.player {
                        action = ChanceOutcome.sample(try env.chanceOutcomes(), using: &generator).action
                    } else {
                        action = cached[Int(generator.nextInt(0, Int64(cached.count - 1)))]
                    }
                    let outcome = try env.stepDiscrete(action)
                    over = outcome.terminated || outcome.truncated
                    moves += 1
                }
                #expect(over, "\(id) game \(game) ended")
            }
        }
    }

    @Test func aCallIntoTheScriptDropsTheTurnReadAhead() throws {
        let env = try Self.load(Self.game())
        try env.reset(seed: 1, params: [:])
        var legal: [Int] = []
        _ = try env.stepDiscrete(0)  // x moved: o is to move, read ahead
        _ = try env.call("swap", [], results: 0)
        #expect(try env.turn(legal: &legal) == 1)
        #expect(legal == [0, 1])
        _ = try env.stepDiscrete(1)
        try env.reset(seed: 2, params: [:])  // a reset drops it too
        #expect(try env.turn(legal: &legal) == 1)
    }

    @Test func anErrorAtLevelTwoInStepNamesNoHostPosition() throws {
        let env = try Self.load(Self.game())
        try env.reset(seed: 1, params: [:])
        _ = try env.stepDiscrete(0)
        #expect {
            _ = try env.script.step(discrete: 1)
        } throws: { error in
            // As when the host called E.step itself: the message carries no caller position.
            guard case .script(let location, let message, _) = error as? ScriptError else { return false }
            return message == "no such move for o" && location?.file != "host"
        }
    }

    @Test(arguments: [("{\"x\"}", "element 1 is not an integer"), ("7", "must return a list of integers")])
    func aMalformedTurnReadAheadIsReportedByTheTurn(list: String, message: String) throws {
        let env = try Self.load(Self.game(badAfter: 2, badList: list))
        #expect {
            _ = try EpisodeRunner(environment: env, agents: [try AgentFactory.make("random", for: env.spec),
                                                            try AgentFactory.make("random", for: env.spec)])
                .run(episode: 1, seed: 1, params: [:])
        } throws: { error in "\(error)".contains("legal_actions") && "\(error)".contains(message) }
    }

    @Test func aTurnThatRaisesAfterAStepIsAnErrorOfTheEpisode() throws {
        let env = try Self.load(Self.game(badAfter: 3, badList: "error('legal list lost')"))
        #expect {
            _ = try EpisodeRunner(environment: env, agents: [try AgentFactory.make("random", for: env.spec),
                                                            try AgentFactory.make("random", for: env.spec)])
                .run(episode: 1, seed: 1, params: [:])
        } throws: { error in "\(error)".contains("legal list lost") && "\(error)".contains(".lua:") }
    }

    /// Blocks of every pool class and beyond, grown, shrunk and freed, keep their contents.
    @Test func tablesAndStringsOfEverySizeKeepTheirContents() throws {
        let env = try Self.load("""
            local E = { id = "pool_sizes", description = "allocations of every size", version = "1.0.0",
              observation_space = space.box(0, 1e12, {1}), action_space = space.discrete(2), params = {} }
            local function check()
              local kept, total = {}, 0
              for n = 1, 70 do
                local t = {}
                for i = 1, n do t[i] = i end            -- grows through every array size
                local s = string.rep("x", n * 5)          -- strings of 5..350 bytes
                kept[n] = { t = t, s = s, h = { a = n, b = s } }
              end
              for n = 1, 70, 3 do kept[n] = nil end       -- free some, then allocate over them
              for n = 71, 140 do kept[n] = { t = { n, n + 1 }, s = string.rep("y", n) } end
              for n, k in pairs(kept) do
                if n <= 70 then
                  assert(#k.t == n and k.t[n] == n and #k.s == n * 5 and k.h.a == n and k.h.b == k.s)
                  for i = n, 1, -1 do k.t[i] = nil end    -- shrinks
                  total = total + #k.s
                else
                  assert(k.t[2] == n + 1 and #k.s == n)
                  total = total + #k.s
                end
              end
              return total
            end
            function E.reset(self, params) return { check() }, {} end
            function E.step(self, action) return { check() }, 0, true, false, {} end
            return E
            """)
        try env.reset(seed: 1, params: [:])
        // 5 * (1 + ... + 70) minus the freed every third from 1, plus 71 + ... + 140.
        let kept = (1...70).filter { ($0 - 1) % 3 != 0 }.reduce(0) { $0 + 5 * $1 } + (71...140).reduce(0, +)
        #expect(env.observation.numbers[0] == Double(kept))
        for _ in 0..<5 { _ = try env.stepDiscrete(0) }
        #expect(env.observation.numbers[0] == Double(kept))
    }

    @Test func instanceMemoryCountsEveryInstance() throws {
        let location = try Package.catalog.resolve("gridworld/door_key")
        let probe = try Package.catalog.load(location)
        let params = try probe.spec.parameters.parse([], environment: probe.spec.id)
        let result = try InstanceMemory.measure(instances: 8, steps: 20, seed: 1, params: params) {
            try Package.catalog.load(location)
        }
        #expect(result.instances == 8)
        // Each instance holds the sandboxed libraries, the prelude and the compiled script.
        #expect(result.luaKiBPerInstance > 50 && result.luaKiBPerInstance < 2048)
        #expect(result.residentBytes >= 0)
    }
}
