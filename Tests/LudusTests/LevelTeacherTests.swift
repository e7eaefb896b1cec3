import Foundation
import Testing
import Ludus
import LudusLua

/// PLR over stored levels and ACCEL on gridworld/maze: the decisions they make, their
/// determinism, their checkpoints, and the record in SQLite.
@Suite struct LevelTeacherTests {
    struct Stop: Error {}

    func loop(_ teacherSpec: String, student: String = "ppo:steps=64,hidden=16") throws -> TeachLoop {
        let env = try Package.catalog.load("gridworld/maze")
        let space = try env.spec.parameters.restricted(varying: ["size": 5...7, "block_density": nil], fixed: [])
        let teacher = try TeacherFactory.make(teacherSpec, space: space, environment: env.spec.id, levels: true)
        let loop = try TeachLoop(environment: env, teacher: teacher, student: StudentFactory.make(student, for: env.spec))
        loop.space = space
        loop.testSetSize = 4
        loop.evaluateEvery = 30
        loop.checkpointEvery = 9
        return loop
    }

    struct Played: Equatable {
        var kind: String
        var hash: String
        var parent: String?
        var learn: Bool
        var score: UInt64
        var line: String
    }

    func play(_ teacher: String, episodes: Int, seed: UInt64 = 3, stopAt: Int? = nil, from checkpoint: TeachLoop.Checkpoint? = nil)
        throws -> (played: [Played], teacher: Data, checkpoint: TeachLoop.Checkpoint?) {
        let loop = try loop(teacher)
        var played: [Played] = []
        var saved: TeachLoop.Checkpoint?
        loop.onEpisode = { e in
            let decision = try #require((loop.teacher as? any LevelTeacher)?.lastDecision)
            played.append(Played(kind: decision.kind.rawValue, hash: decision.level.hash, parent: decision.parent, learn: e.task.learn,
                                 score: decision.score.bitPattern,
                                 line: "\(e.index) \(e.result.trajectoryHash) \(e.result.returns.map(\.bitPattern)) \(decision.insertion) \(decision.bufferSize)"))
        }
        loop.onCheckpoint = { checkpoint in
            saved = try TeachLoop.Checkpoint.decode(checkpoint.encoded())
            if let stopAt, checkpoint.episode >= stopAt { throw Stop() }
        }
        do { _ = try loop.run(episodes: episodes, seed: seed, from: checkpoint) } catch is Stop { return (played, Data(), saved) }
        return (played, try loop.teacher.checkpoint(), saved)
    }

    @Test func accelMutatesReplayedLevelsAndInsertsTheChildrenByScore() throws {
        let (played, _, _) = try play("accel:warmup=3,edits=3", episodes: 60)
        let kinds = Dictionary(grouping: played, by: \.kind).mapValues(\.count)
        #expect((kinds["new"] ?? 0) > 5 && (kinds["replay"] ?? 0) > 5 && (kinds["mutation"] ?? 0) > 5, "\(kinds)")
        for (i, episode) in played.enumerated() {
            switch episode.kind {
            case "mutation":
                // The episode after a replay mutates exactly the level just replayed.
                #expect(i > 0 && played[i - 1].kind == "replay" && episode.parent == played[i - 1].hash)
                #expect(!episode.learn, "robust: no learning on a mutated level")
            case "new": #expect(!episode.learn && episode.parent == nil)
            default: #expect(episode.learn)
            }
            if i > 0 && played[i - 1].kind == "replay" { #expect(episode.kind == "mutation") }
        }
        // Replays draw from the buffer: every replayed level was played before.
        for (i, episode) in played.enumerated() where episode.kind == "replay" {
            #expect(played[..<i].contains { $0.hash == episode.hash })
        }
    }

    @Test func plrOverLevelsReplaysStoredLevelsWithoutMutating() throws {
        let env = try Package.catalog.load("gridworld/maze")
        #expect(try TeacherFactory.make("plr", for: env.spec) is LevelReplayTeacher)
        #expect(try TeacherFactory.make("plr:levels=0", for: env.spec) is PLRTeacher)
        let corridor = try Package.catalog.load("corridor")
        #expect(throws: SetupError.self) { try TeacherFactory.make("accel", for: corridor.spec) }
        #expect(throws: SetupError.self) { try TeacherFactory.make("accel:score=regret", for: env.spec) }
        let (played, _, _) = try play("plr:warmup=3,score=pvl", episodes: 40)
        #expect(!played.contains { $0.kind == "mutation" })
        #expect(played.filter { $0.kind == "replay" }.count > 10)
    }

    @Test func sameSeedSameCurriculumAndResumeIsBitForBit() throws {
        let full = try play("accel:warmup=3", episodes: 40)
        #expect(full.played == (try play("accel:warmup=3", episodes: 40)).played)
        #expect(full.played != (try play("accel:warmup=3", episodes: 40, seed: 4)).played)
        let head = try play("accel:warmup=3", episodes: 40, stopAt: 20)
        let checkpoint = try #require(head.checkpoint)
        let tail = try play("accel:warmup=3", episodes: 40, from: checkpoint)
        #expect(head.played + tail.played == full.played)
        #expect(tail.teacher == full.teacher)
    }

    @Test func decisionsAndLevelsAreStored() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("levels-\(UUID()).sqlite").path
        let store = try ResultStore(path: path)
        let run = try store.startTeachRun(environment: "gridworld/maze", teacher: "accel", student: "ppo", config: "{}")
        let loop = try loop("accel:warmup=3")
        let batch = ResultBatch()
        loop.onEpisode = { e in
            let decision = try #require((loop.teacher as? any LevelTeacher)?.lastDecision)
            batch.teachDecision(run: run, episode: e.index, decision)
        }
        loop.onCheckpoint = { _ in try store.commit(batch, checkpoint: nil) }
        _ = try loop.run(episodes: 30, seed: 5)
        let decisions = try store.levelDecisions(run: run)
        #expect(decisions.map(\.episode) == Array(1...30))
        for decision in decisions {
            let json = try #require(try store.level(run: run, hash: decision.hash))
            #expect(Level(try JSON.decode(json)).hash == decision.hash, "the stored level is the level")
            if decision.kind == "mutation" { #expect(decision.parent != nil) }
        }
        // Rewinding a resumed run drops its later decisions too.
        try store.rewind(.teach, run: run, to: 10)
        #expect(try store.levelDecisions(run: run).map(\.episode) == Array(1...10))
    }

    @Test func aStepBudgetEndsTheRunWhereverItIsResumed() throws {
        func run(stopAt: Int? = nil, from checkpoint: TeachLoop.Checkpoint? = nil) throws -> (lengths: [Int], evaluations: [Int], saved: TeachLoop.Checkpoint?) {
            let loop = try loop("accel:warmup=3")
            loop.stepBudget = 900
            loop.evaluateEvery = 10_000
            var lengths: [Int] = [], evaluations: [Int] = []
            var saved: TeachLoop.Checkpoint?
            loop.onEpisode = { lengths.append($0.result.length) }
            loop.onEvaluation = { evaluations.append($0.episode) }
            loop.onCheckpoint = { checkpoint in
                saved = try TeachLoop.Checkpoint.decode(checkpoint.encoded())
                if let stopAt, checkpoint.episode >= stopAt { throw Stop() }
            }
            do { _ = try loop.run(episodes: 10_000, seed: 8, from: checkpoint) } catch is Stop {}
            return (lengths, evaluations, saved)
        }
        let full = try run()
        let total = full.lengths.reduce(0, +)
        #expect(total >= 900 && total - full.lengths.last! < 900, "stops on the episode that reaches the budget")
        #expect(full.evaluations == [0, full.lengths.count], "evaluated at the start and where the budget ran out")
        let head = try run(stopAt: 5)
        let stopped: TeachLoop.Checkpoint = try #require(head.saved)
        let tail = try run(from: stopped)
        #expect(head.lengths + tail.lengths == full.lengths)
        // Resuming from the final checkpoint plays nothing more.
        let last: TeachLoop.Checkpoint = try #require(full.saved)
        let after = try run(from: last)
        #expect(after.lengths.isEmpty && after.evaluations.isEmpty)
    }
}

/// A level teacher whose environment's `E.level` fails after an episode: every such episode is
/// still played and recorded, and the failure to read its level is reported, never dropped.
@Suite struct UnreadableLevelTests {
    @Test func aFailingLevelReadIsRecordedAndTheRunGoesOn() throws {
        let source = try String(contentsOfFile: Package.environments + "/gridworld/maze.lua", encoding: .utf8)
            .replacingOccurrences(of: "levels.declare(E)", with: "levels.declare(E)\nfunction E.level(self) error(\"level unreadable\") end")
        #expect(source.contains("level unreadable"))
        let env = try Package.catalog.load(Package.script(source))
        let space = try env.spec.parameters.restricted(varying: ["size": 5...7], fixed: [])
        let teacher = try TeacherFactory.make("plr", space: space, environment: env.spec.id, levels: true)
        let loop = try TeachLoop(environment: env, teacher: teacher, student: StudentFactory.make("random", for: env.spec))
        loop.space = space
        loop.testSetSize = 2
        loop.evaluateEvery = 100
        var episodes = 0
        var failures: [String] = []
        loop.onEpisode = { _ in episodes += 1 }
        loop.onFailure = { _, testTask, error in
            #expect(testTask == nil)
            failures.append(error.description)
        }
        _ = try loop.run(episodes: 6, seed: 1)
        #expect(episodes == 6)
        #expect(failures.count == 6, "\(failures)")
        #expect(failures.allSatisfy { $0.contains("level unreadable") && $0.contains("E.level") }, "\(failures)")
    }
}
