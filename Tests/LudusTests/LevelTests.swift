import Foundation
import Testing
import Ludus
import LudusLua

/// Levels as data on gridworld/maze: export, load, play and render round trips, level
/// files that must be refused, mutators, and the held-out test set.
@Suite struct LevelTests {
    static func temporary(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ludus-levels-\(UUID())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    @Test func aSavedLevelPlaysAndRendersLikeTheGeneratedOne() throws {
        let env = try Package.catalog.load("gridworld/maze")
        let params = try env.spec.parameters.parse(["block_density=0.3", "lava_density=0.1", "size=11"], environment: env.spec.id)
        let editor = try LevelEditor(environment: env, baseParams: params)
        let runner = EpisodeRunner(environment: env, agents: [RandomAgent(actionSpace: env.spec.actionSpace)])
        for index in 1...4 {
            let seed = SeedStreams(root: 5).seed(.episode, index)
            let level = try editor.generate(seed: seed, params: params)
            let path = Self.temporary("level-\(index).json")
            try LevelFile(spec: env.spec, level: level, source: ["seed": .string(String(seed))]).write(to: path)
            let loaded = try LevelFile.load(path, for: env, params: params)
            #expect(loaded.level == level)
            let generated = try runner.run(episode: index, seed: seed, params: params)
            let generatedPicture = try env.render()
            // The level replaces the parameters entirely: the defaults are enough.
            let replayed = try runner.run(episode: index, seed: seed, params: loaded.level.params(env.spec.parameters.defaults))
            #expect(generated.trajectoryHash == replayed.trajectoryHash)
            #expect(generated.returns == replayed.returns && generated.length == replayed.length)
            #expect(try env.render() == generatedPicture)
        }
    }

    @Test func badLevelFilesAreClearErrorsNamingTheFile() throws {
        let env = try Package.catalog.load("gridworld/maze")
        let params = env.spec.parameters.defaults
        func error(_ text: String) -> LevelError? {
            let path = Self.temporary("bad.json")
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
            do { _ = try LevelFile.load(path, for: env, params: params); return nil } catch { return error }
        }
        #expect(error("{")?.kind == "level_bad_file")
        #expect(error("[1, 2]")?.kind == "level_bad_file")
        #expect(error(#"{"environment":"corridor","version":"1.0.0","level":{}}"#)?.kind == "level_wrong_environment")
        #expect(error(#"{"environment":"gridworld/maze","version":"1.0.0"}"#)?.kind == "level_bad_file")
        func file(_ layout: String, steps: Int64 = 20, hash: String? = nil) -> String {
            var fields: [String: Value] = ["environment": "gridworld/maze", "version": "1.0.0",
                                           "level": ["layout": .string(layout), "max_steps": .int(steps)]]
            if let hash { fields["hash"] = .string(hash) }
            return JSON.encode(.table(fields))
        }
        let small = "##########\n##>>..GG##\n##########\n"
        #expect(error(file(small)) == nil, "a small valid level loads")
        #expect(error(file(small, hash: "0000000000000000"))?.kind == "level_bad_file", "a stale hash is caught")
        let refused = try #require(error(file("########\n##>>..##\n########\n")))
        #expect(refused.kind == "level_invalid")
        #expect(refused.description.contains("bad.json") && refused.description.contains("exactly one goal"), "\(refused)")
        let steps = file(small, steps: 0)
        #expect(error(steps)?.description.contains("max_steps") == true)
        #expect(FileManager.default.fileExists(atPath: "/nonexistent") == false)
        do { _ = try LevelFile.read("/nonexistent/level.json", for: env.spec); Issue.record("read a missing file") } catch {
            #expect(error.description.contains("/nonexistent/level.json"))
        }
    }

    @Test func mutationsAreDeterministicValidAndSolvable() throws {
        let env = try Package.catalog.load("gridworld/maze")
        let params = try env.spec.parameters.parse(["block_density=0.35", "size=13"], environment: env.spec.id)
        let editor = try LevelEditor(environment: env, baseParams: params)
        var changed = 0
        for index in 0..<20 {
            let parent = try editor.generate(seed: UInt64(100 + index), params: params)
            let child = try editor.mutate(parent, edits: 5, seed: UInt64(index))
            #expect(child == (try editor.mutate(parent, edits: 5, seed: UInt64(index))))
            if child != parent { changed += 1 }
            try editor.load(child)
            #expect(try editor.current() == child)
            if try editor.solvable(parent) == true { #expect(try editor.solvable(child) == true) }
            // An edit changes at most a cell, the goal or the agent: the same size of grid.
            #expect(child.value["layout"].stringValue?.count == parent.value["layout"].stringValue?.count)
        }
        #expect(changed >= 18)
        // Different seeds give different children.
        let parent = try editor.generate(seed: 1, params: params)
        let children = Set(try (0..<10).map { try editor.mutate(parent, edits: 3, seed: UInt64($0)).hash })
        #expect(children.count >= 8)
    }

    @Test func theHeldOutMazesShipAsANamedSet() throws {
        let env = try Package.catalog.load("gridworld/maze")
        let set = try LevelFile.set("heldout", for: env.spec)
        #expect(set.map(\.name) == ["Labyrinth", "Labyrinth2", "LabyrinthFlipped", "LargeCorridor", "SixteenRooms", "SixteenRooms2",
                                    "StandardMaze", "StandardMaze2", "StandardMaze3"])
        let editor = try LevelEditor(environment: env)
        for (name, file) in set {
            try editor.load(file.level, source: name)
            #expect(try editor.solvable(file.level) == true, "\(name)")
            #expect(file.level.value["max_steps"] == 250)
        }
        #expect(throws: LevelError.self) { try LevelFile.set("no-such-set", for: env.spec) }
    }

    @Test func theCheckerCatchesBrokenMutators() throws {
        let base = try String(contentsOfFile: Package.environments + "/gridworld/maze.lua", encoding: .utf8)
        func problems(_ source: String) -> [CheckProblem] {
            var options = CheckOptions()
            options.episodes = 1
            let script = Package.script(source.replacingOccurrences(of: "\"gridworld/maze\"", with: "\"test/maze\""), name: "maze-\(UUID())")
            return EnvironmentChecker(options: options).check(script, catalog: Package.catalog).problems.filter { $0.check == "levels" }
        }
        #expect(problems(base).isEmpty, "\(problems(base))")
        // A mutator with memory outside self: two calls with the same seed differ.
        let drifting = base.replacingOccurrences(of: "levels.declare(E)", with: """
            levels.declare(E)
            local calls = 0
            local mutate = E.mutate
            E.mutate = function(self, level, n) calls = calls + 1; return mutate(self, level, n + calls % 2) end
            """)
        #expect(problems(drifting).contains { $0.message.contains("same seed") })
        // A mutator that walls every empty cell: the goal is cut off.
        let walling = base.replacingOccurrences(of: "levels.declare(E)", with: """
            levels.declare(E)
            E.mutate = function(self, level, n)
              return { layout = (level.layout:gsub("%.%.", "##")), max_steps = level.max_steps, mission = level.mission }
            end
            """)
        #expect(problems(walling).contains { $0.message.contains("unsolvable") })
        // A reset that ignores the level it is given.
        let ignoring = base.replacingOccurrences(of: "if params._level ~= nil then return levels.load(self, params._level) end", with: "")
        #expect(problems(ignoring).contains { $0.message.contains("returned another level") })
    }
}
