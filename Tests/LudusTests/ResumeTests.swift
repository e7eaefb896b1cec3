import Foundation
import Testing
import Ludus
import LudusLua

/// Checkpoint and restore mid-run, in process: a run stopped at a checkpoint and resumed
/// with fresh objects from it reports exactly what an uninterrupted run reports, and ends
/// with the same student and teacher state (bit for bit).
@Suite struct ResumeTests {
    struct Stop: Error {}

    /// What a teach run reported, as comparable text (returns as bit patterns).
    struct TeachRecord: Equatable {
        var episodes: [String] = []
        var evaluations: [TeachLoop.Evaluation] = []
        var student = Data()
        var teacher = Data()
    }

    func makeTeachLoop(environment id: String, teacher teacherSpec: String, student studentSpec: String) throws -> TeachLoop {
        let env = try Package.catalog.load(id)
        let space = id == "corridor" ? try env.spec.parameters.restricted(varying: ["length": 2...12, "slip": nil], fixed: [])
                                     : env.spec.parameters
        let teacher = try TeacherFactory.make(teacherSpec, space: space, environment: env.spec.id)
        // Small enough that the teachers' models come into play within the run.
        (teacher as? ALPGMMTeacher)?.fitRate = 15
        (teacher as? RIACTeacher)?.maxRegionSize = 24
        let loop = try TeachLoop(environment: env, teacher: teacher, student: StudentFactory.make(studentSpec, for: env.spec))
        loop.space = space
        loop.testSetSize = 5
        loop.evaluateEvery = 20
        loop.checkpointEvery = 7
        return loop
    }

    /// Runs to the end, or stops at the first checkpoint at or after `stopAt` and returns it.
    func teach(_ id: String, teacher: String, student: String, episodes: Int, stopAt: Int? = nil,
               from checkpoint: TeachLoop.Checkpoint? = nil) throws -> (TeachRecord, TeachLoop.Checkpoint?) {
        let loop = try makeTeachLoop(environment: id, teacher: teacher, student: student)
        var record = TeachRecord()
        var saved: TeachLoop.Checkpoint?
        loop.onEpisode = { e in
            record.episodes.append("\(e.index) \(JSON.encode(.table(e.params))) \(e.task.seed ?? 0) \(e.task.learn) "
                + "\(e.result.returns.map(\.bitPattern)) \(e.result.length) \(e.studentScore?.bitPattern ?? 0)")
        }
        loop.onEvaluation = { record.evaluations.append($0) }
        loop.onFailure = { episode, task, error in record.episodes.append("failure \(episode) \(task ?? -1) \(error)") }
        loop.onCheckpoint = { checkpoint in
            // Through the bytes, as the database stores it.
            saved = try TeachLoop.Checkpoint.decode(checkpoint.encoded())
            if let stopAt, checkpoint.episode >= stopAt { throw Stop() }
        }
        do {
            _ = try loop.run(episodes: episodes, seed: 11, from: checkpoint)
        } catch is Stop {
            return (record, saved)
        }
        #expect(stopAt == nil, "the run ended before the stop")
        record.student = try loop.student.checkpoint()
        record.teacher = try loop.teacher.checkpoint()
        return (record, saved)
    }

    func expectTeachResumes(_ id: String, teacher: String, student: String, episodes: Int, stopAt: Int) throws {
        let (full, _) = try teach(id, teacher: teacher, student: student, episodes: episodes)
        let (head, checkpoint) = try teach(id, teacher: teacher, student: student, episodes: episodes, stopAt: stopAt)
        let stopped = try #require(checkpoint)
        #expect(stopped.episode >= stopAt && stopped.episode < episodes)
        #expect(stopped.evaluations == head.evaluations)
        let (tail, _) = try teach(id, teacher: teacher, student: student, episodes: episodes, from: stopped)
        #expect(head.episodes + tail.episodes == full.episodes)
        #expect(head.evaluations + tail.evaluations == full.evaluations)
        #expect(tail.student == full.student, "the student's final state differs")
        #expect(tail.teacher == full.teacher, "the teacher's final state differs")
    }

    @Test(arguments: ["random", "alp-gmm", "riac", "sec", "target", "plr:warmup=5", "plr:robust=0,warmup=5"])
    func teachResumesWithEachTeacher(teacher: String) throws {
        try expectTeachResumes("corridor", teacher: teacher, student: "q", episodes: 80, stopAt: 40)
    }

    @Test(arguments: ["ppo:steps=32,hidden=16", "es:pop=4,hidden=8,norm=1", "q", "random"])
    func teachResumesWithEachStudent(student: String) throws {
        try expectTeachResumes("corridor", teacher: "plr:warmup=5,robust=0", student: student, episodes: 80, stopAt: 37)
    }

    @Test func teachResumesWithAPlanner() throws {
        try expectTeachResumes("countdown", teacher: "random", student: "mcts:3", episodes: 12, stopAt: 5)
    }

    @Test func aCheckpointOfAnotherKindIsRefused() throws {
        let ppo = try makeTeachLoop(environment: "corridor", teacher: "random", student: "ppo")
        let q = try makeTeachLoop(environment: "corridor", teacher: "random", student: "q")
        #expect(throws: CheckpointError.self) { try q.student.restore(from: ppo.student.checkpoint()) }
        #expect(throws: CheckpointError.self) { try ppo.student.restore(from: Data("not a checkpoint".utf8)) }
        let plr = try TeacherFactory.make("plr", for: ppo.environment.spec)
        #expect(throws: CheckpointError.self) { try plr.restore(from: ppo.teacher.checkpoint()) }
    }

    // MARK: Self-play

    func selfPlay(episodes: Int, stopAt: Int? = nil, from checkpoint: SelfPlayLoop.Checkpoint? = nil)
        throws -> (episodes: [String], evaluations: [SelfPlayLoop.Evaluation], student: Data, checkpoint: SelfPlayLoop.Checkpoint?) {
        let env = try Package.catalog.load("tic_tac_toe")
        let spec = "ppo:steps=64,hidden=16"
        let student = try StudentFactory.make(spec, for: env.spec)
        let loop = try SelfPlayLoop(environment: env, student: student, studentSpec: spec, opponents: ["random", "self"])
        loop.snapshotEvery = 15
        loop.evaluateEvery = 30
        loop.evaluationGames = 6
        loop.checkpointEvery = 10
        loop.workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("resume-selfplay-\(UUID())").path
        var lines: [String] = [], evaluations: [SelfPlayLoop.Evaluation] = []
        var saved: SelfPlayLoop.Checkpoint?
        loop.onEpisode = { episode, opponent, seat, result in lines.append("\(episode) \(opponent) \(seat) \(result.returns.map(\.bitPattern)) \(result.length)") }
        loop.onEvaluation = { evaluations.append($0) }
        loop.onCheckpoint = { checkpoint in
            saved = try SelfPlayLoop.Checkpoint.decode(checkpoint.encoded())
            if let stopAt, checkpoint.episode >= stopAt { throw Stop() }
        }
        do { _ = try loop.run(episodes: episodes, seed: 3, from: checkpoint) } catch is Stop { return (lines, evaluations, Data(), saved) }
        return (lines, evaluations, try student.checkpoint(), saved)
    }

    @Test func selfPlayResumesWithItsSnapshot() throws {
        let full = try selfPlay(episodes: 90)
        let head = try selfPlay(episodes: 90, stopAt: 40)
        let stopped = try #require(head.checkpoint)
        #expect(stopped.episode == 40)
        let tail = try selfPlay(episodes: 90, from: stopped)
        #expect(head.episodes + tail.episodes == full.episodes)
        #expect(head.evaluations + tail.evaluations == full.evaluations)
        #expect(tail.student == full.student, "the student's final state differs")
    }

    // MARK: Critic

    func critic(rounds: Int, stopAt: Int? = nil, from checkpoint: CriticLoop.Checkpoint? = nil) throws -> ([CriticRound], CriticLoop.Checkpoint?) {
        let env = try Package.catalog.load("countdown/critic")
        let loop = try CriticLoop(environment: env, params: env.spec.parameters.defaults)
        loop.gamesPerRound = 25
        loop.heldOutSize = 20
        var reported: [CriticRound] = []
        var saved: CriticLoop.Checkpoint?
        loop.onCheckpoint = { checkpoint in
            saved = try CriticLoop.Checkpoint.decode(checkpoint.encoded())
            if let stopAt, checkpoint.round >= stopAt { throw Stop() }
        }
        do { try loop.run(rounds: rounds, seed: 8, from: checkpoint) { reported.append($0) } } catch is Stop {}
        return (reported, saved)
    }

    @Test func criticResumesBetweenRounds() throws {
        let (full, _) = try critic(rounds: 4)
        let (head, checkpoint) = try critic(rounds: 4, stopAt: 2)
        let stopped = try #require(checkpoint)
        #expect(stopped.round == 2)
        let (tail, _) = try critic(rounds: 4, from: stopped)
        #expect(full.count == 5)
        #expect(head + tail == full)
    }
}
