import Foundation
import Testing
import Ludus
import LudusLua

@Suite struct RunTests {
    @Test func replayWritesEveryStepAndStopsAtTheEnd() throws {
        let env = try Package.catalog.load("corridor")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID()).jsonl").path
        let tooLong = [try ReplayEpisode(json: JSON.decode(#"{"seed": 5, "params": {"length": 4}, "actions": [1, 1, 1, 1, 1, 1]}"#))]
        // Actions left after the episode ended are an error, never silently dropped.
        #expect {
            try Replay.run(tooLong, on: env, trace: TraceWriter(path: path))
        } throws: { error in
            guard case .actionsAfterEnd(line: 1, _, _) = error as? ReplayError else { return false }
            return true
        }
        // Play to the goal exactly: find how many steps right the seeded start needs.
        try env.reset(seed: 5, params: try env.spec.parameters.resolve(["length": .int(4)], environment: "corridor"))
        let position = Int(env.observation.numbers[0])
        let toGoal = 3 - position
        let rights = Array(repeating: "1", count: toGoal).joined(separator: ", ")
        let episodes = [
            try ReplayEpisode(json: JSON.decode(#"{"seed": 5, "params": {"length": 4}, "actions": [\#(rights)]}"#)),
            try ReplayEpisode(json: JSON.decode(#"{"seed": 6, "params": {"length": 3}, "actions": [0, 0]}"#)),
        ]
        let steps = try Replay.run(episodes, on: env, trace: TraceWriter(path: path))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSON.decode(String($0)) }
        #expect(steps == lines.count - 2)
        // Moving right from a start in [0, 2] reaches the goal (3) within 3 steps: the replay stops there.
        let first = lines.filter { $0["episode"] == 1 }
        #expect(first.last?["terminated"] == .bool(true))
        #expect(first.count <= 4)
        #expect(lines.last?["episode"] == .int(2))
        #expect(lines.last?["observation"].arrayValue?.last == .int(2))  // goal of a length-3 corridor
    }

    @Test func traceOfARunMatchesItsHash() throws {
        let env = try Package.catalog.load("tic_tac_toe")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID()).jsonl").path
        let runner = EpisodeRunner(environment: env, agents: [RandomAgent(actionSpace: env.spec.actionSpace), RandomAgent(actionSpace: env.spec.actionSpace)])
        let trace = try TraceWriter(path: path)
        runner.observe(with: trace)
        let result = try runner.run(episode: 1, seed: 9, params: [:])
        try trace.flush()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == result.length + 1)
        let last = try JSON.decode(String(lines.last!))
        #expect(last["terminated"] == .bool(result.terminated))
        #expect(last["reward"].arrayValue?.count == 2)
    }

    static let quiz = """
    local E = {
      id = "quiz", description = "add two numbers", version = "1.0.0",
      observation_space = space.text(64), action_space = space.text(16),
      params = { max = { kind = "int", min = 1, max = 99, default = 9 } },
      max_steps = 1,
    }
    function E.reset(self, params)
      self.a, self.b = self.rng:int(0, params.max), self.rng:int(0, params.max)
      return self:item().question, {}
    end
    function E.item(self)
      return { question = self.a .. " + " .. self.b, answer = tostring(self.a + self.b), metadata = { a = self.a, b = self.b } }
    end
    function E.score_item(self, item, answer)
      return tonumber(answer) == item.metadata.a + item.metadata.b and 1 or 0
    end
    function E.step(self, action)
      return "", E.score_item(self, self:item(), action), true, false, {}
    end
    return E
    """

    @Test func datasetsAreDeterministicAndScoreTheirOwnAnswers() throws {
        let env = try Package.catalog.load(Package.script(Self.quiz))
        let params = try env.spec.parameters.parse(["max=50"], environment: "quiz")
        let items = try Dataset.items(env, count: 20, seed: 3, params: params)
        #expect(items == (try Dataset.items(env, count: 20, seed: 3, params: params)))
        #expect(items != (try Dataset.items(env, count: 20, seed: 4, params: params)))
        #expect(Set(items.map { JSON.encode($0) }).count > 10)
        for item in items {
            #expect(try Dataset.score(env, item: item, answer: item["answer"].stringValue!) == 1)
            #expect(try Dataset.score(env, item: item, answer: "-1") == 0)
        }
        // An item made elsewhere (JSON) scores the same way.
        let external = try JSON.decode(#"{"question": "2 + 3", "answer": "5", "metadata": {"a": 2, "b": 3}}"#)
        #expect(try Dataset.score(env, item: external, answer: "5") == 1)
    }

    @Test func aFailingItemKeepsTheLinesBeforeIt() throws {
        // The sixth item this VM makes raises: the five before it are written, then the error.
        let source = """
            local E = { id = "brittle", description = "breaks on its sixth item", version = "1.0.0",
              observation_space = space.discrete(2), action_space = space.discrete(2), params = {}, max_steps = 1 }
            local made = 0
            function E.reset(self, params) return 0, {} end
            function E.step(self, action) return 0, 0, true, false, {} end
            function E.item(self)
              made = made + 1
              if made == 6 then error("item six is broken") end
              return { question = "q" .. made, answer = "a", metadata = {} }
            end
            return E
            """
        let env = try Package.catalog.load(Package.script(source))
        var written = ""
        #expect(throws: (any Error).self) {
            try Dataset.writeLines([env], count: 20, seed: 3, params: [:]) { written += $0 }
        }
        #expect(written.split(separator: "\n").count == 5)
    }
}
