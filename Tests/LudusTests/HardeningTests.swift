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
