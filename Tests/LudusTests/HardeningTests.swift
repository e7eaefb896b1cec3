import Foundation
import Testing
import Ludus
import LudusLua

/// Hostile scripts and agents: each ends with a clear, distinct error and the host goes on.
@Suite struct HardeningTests {
    /// Lua that builds a table shared 2^30 ways: 30 tables, 2^30 paths.
    static let sharedBomb = "local t = {} for i = 1, 30 do t = {t, t} end"

    static func env(_ body: String, prelude: String = "") -> String {
        """
        \(prelude)
        local E = { id = "bomb", description = "hostile copies", version = "1.0.0",
          observation_space = space.discrete(2), action_space = space.discrete(2), params = {}, max_steps = 2 }
        function E.reset(self, params) return 0, {} end
        \(body)
        return E
        """
    }

    // 13.1: the environment table itself holds shared structure: a load error, not an abort.
    @Test func sharedStructureInTheEnvironmentTable() throws {
        let source = Self.env("function E.step(self, a) return 0, 0, true, false, {} end",
                              prelude: Self.sharedBomb).replacingOccurrences(of: "params = {},", with: "params = {}, extra = t,")
        #expect {
            _ = try Package.catalog.load(Package.script(source))
        } throws: { error in "\(error)".contains("copy limit") && "\(error)".contains("environment table") }
    }

    // 13.1: an info with shared structure, read by a trace (full values): the episode fails, the host goes on.
    @Test func sharedStructureInInfo() throws {
        let env = try Package.catalog.load(Package.script(Self.env("""
            function E.step(self, a)
              local t = {} for i = 1, 30 do t = {t, t} end
              return 0, 0, true, false, { big = t }
            end
            """)))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bomb-\(UUID()).jsonl").path
        let runner = EpisodeRunner(environment: env, agents: [RandomAgent(actionSpace: env.spec.actionSpace)])
        runner.observe(with: try TraceWriter(path: path))
        #expect {
            _ = try runner.run(episode: 1, seed: 1, params: [:])
        } throws: { error in "\(error)".contains("copy limit") && "\(error)".contains("E.step's info") }
        // The same VM plays on.
        let plain = EpisodeRunner(environment: env, agents: [RandomAgent(actionSpace: env.spec.actionSpace)])
        #expect(try plain.run(episode: 2, seed: 2, params: [:]).length == 1)
    }

    // 13.1: a Lua agent answering with shared structure forfeits with the reason.
    @Test func sharedStructureFromALuaAgent() throws {
        let env = try Package.catalog.load("corridor")
        let agent = try AgentFactory.make("lua:" + Package.script("""
            return { act = function(self, obs, legal) local t = {} for i = 1, 30 do t = {t, t} end return t end }
            """, name: "bomb-agent").path, for: env.spec)
        let result = try EpisodeRunner(environment: env, agents: [agent]).run(episode: 1, seed: 1, params: env.spec.parameters.defaults)
        guard case .forfeit(_, let reason) = result.outcome else { Issue.record("expected a forfeit, got \(result.outcome)"); return }
        #expect(reason.contains("copy limit"))
    }

    // 13.9: a Lua agent whose reset fails forfeits with that reason instead of playing on silently.
    @Test func luaAgentResetErrorsAreReported() throws {
        let env = try Package.catalog.load("corridor")
        let agent = try AgentFactory.make("lua:" + Package.script("""
            return { reset = function(self, seed) error("cannot start") end, act = function(self, obs, legal) return 1 end }
            """, name: "bad-reset").path, for: env.spec)
        let result = try EpisodeRunner(environment: env, agents: [agent]).run(episode: 1, seed: 1, params: env.spec.parameters.defaults)
        guard case .forfeit(_, let reason) = result.outcome else { Issue.record("expected a forfeit, got \(result.outcome)"); return }
        #expect(reason.contains("reset failed") && reason.contains("cannot start"))
    }
}

/// Extreme declared facts are load errors naming the fact, never a crash or a 2 GiB allocation.
@Suite struct ExtremeFactsTests {
    static let cases: [(String, String, String)] = [
        ("int parameter bounds of 1e300", "params = { n = { kind = 'int', min = -1e300, max = 1e300, default = 0 } }", "params.n"),
        ("int parameter max 2^63", "params = { n = { kind = 'int', min = 0, max = 2^63, default = 0 } }", "params.n"),
        ("float parameter of infinite width", "params = { x = { kind = 'float', min = -1.7e308, max = 1.7e308 } }", "params.x"),
        ("box shape whose product overflows", "params = {}, observation_space = space.box(0, 1, {1 << 40, 1 << 40})", "observation_space"),
        ("box of 2^28 numbers", "params = {}, observation_space = space.box(0, 1, {1 << 14, 1 << 14})", "observation_space"),
        ("2^40 players", "params = {}, players = 1 << 40", "E.players"),
        ("discrete start at maxinteger", "params = {}, action_space = space.discrete(2, math.maxinteger)", "action_space"),
        ("text with a negative minimum", "params = {}, observation_space = space.text(10, -5)", "observation_space"),
        ("text with a minimum above its maximum", "params = {}, observation_space = space.text(10, 1 << 40)", "observation_space"),
        ("multi_binary(2^40)", "params = {}, action_space = space.multi_binary(1 << 40)", "action_space"),
    ]

    @Test(arguments: cases)
    func extremeFactsAreLoadErrors(name: String, facts: String, named: String) throws {
        // Later fields override the defaults in the table constructor.
        let source = """
            local E = { id = "extreme", description = "declares too much", version = "1.0.0",
              observation_space = space.discrete(2), action_space = space.discrete(2), max_steps = 2, \(facts) }
            function E.reset(self, params) return 0, {} end
            function E.step(self, action) return 0, 0, true, false, {} end
            return E
            """
        #expect {
            _ = try Package.catalog.load(Package.script(source))
        } throws: { error in
            guard case .spec = error as? EnvironmentError else { return false }
            return "\(error)".contains(named)
        }
    }
}

@Suite struct CatalogHardeningTests {
    // 13.6: a FIFO named *.lua in a --path folder is reported, never opened (opening one blocks forever).
    @Test func fifosAreNeverOpened() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(mkfifo(directory + "/trap.lua", 0o600) == 0)
        try DriverTests.game().write(toFile: directory + "/fine.lua", atomically: true, encoding: .utf8)
        let catalog = EnvironmentCatalog(extraPaths: [directory], bundled: Package.environments)
        let mine = catalog.scripts().filter { $0.path.hasPrefix(directory) }
        #expect(mine.count == 2)
        for script in mine where script.path.hasSuffix("trap.lua") {
            #expect {
                _ = try catalog.load(script)
            } throws: { error in "\(error)".contains("not a regular file") }
        }
        #expect(try catalog.load("hostile_game").spec.id == "hostile_game")
        #expect(throws: EnvironmentError.self) { _ = try catalog.load(directory + "/trap.lua") }
    }
}
