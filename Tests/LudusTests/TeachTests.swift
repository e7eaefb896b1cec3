import Foundation
import Testing
import Ludus
import LudusLua

@Suite struct TeachTests {
    func run(teacher: String, student: String, seed: UInt64) throws -> [TeachLoop.Evaluation] {
        let env = try Package.catalog.load("corridor")
        let loop = try TeachLoop(environment: env, teacher: TeacherFactory.make(teacher, for: env.spec),
                                 student: StudentFactory.make(student, for: env.spec))
        loop.testSetSize = 20
        loop.evaluateEvery = 100
        return try loop.run(episodes: 300, seed: seed)
    }

    @Test(arguments: ["random", "target", "riac", "plr", "alp-gmm"])
    func sameSeedSameNumbers(teacher: String) throws {
        let first = try run(teacher: teacher, student: "q", seed: 2)
        #expect(first.map(\.episode) == [0, 100, 200, 300])
        #expect(first == (try run(teacher: teacher, student: "q", seed: 2)))
    }

    @Test func qStudentLearnsAFixedCorridor() throws {
        let env = try Package.catalog.load("corridor")
        let student = QLearningAgent(actions: 2)
        let runner = EpisodeRunner(environment: env, agents: [student])
        let params = try env.spec.parameters.parse(["length=6"], environment: "corridor")
        for episode in 0..<300 { _ = try runner.run(episode: episode, seed: UInt64(episode), params: params) }
        student.isLearning = false
        let returns = try (0..<20).map { try runner.run(episode: $0, seed: 10_000 + UInt64($0), params: params).returns[0] }
        #expect(returns.allSatisfy { $0 > 0.9 }, "greedy policy walks straight to the goal: \(returns)")
        // Parameters survive a save and load.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("q-\(UUID()).q").path
        try student.save(to: path)
        let copy = QLearningAgent(actions: 2)
        try copy.load(from: path)
        #expect(copy.table == student.table)
        // A saved student plays by spec string, greedily, as a tournament or run agent.
        let loaded = try AgentFactory.make("q:\(path)", for: env.spec)
        let replay = EpisodeRunner(environment: env, agents: [loaded])
        #expect(try replay.run(episode: 0, seed: 10_000, params: params).returns[0] == returns[0])
    }

    @Test func secShiftsTowardTheLevelThatStillMoves() throws {
        let env = try Package.catalog.load("countdown")
        let teacher = try SECTeacher(space: env.spec.parameters, armParameter: "min_numbers")
        let levels = teacher.levels
        // One level keeps giving varied returns (learning progress); the others are flat.
        for i in 0..<200 {
            for level in levels {
                let varied = level == levels[1]
                teacher.update(task: ["min_numbers": level], normalizedReturn: varied ? Double(i % 2) : 0.5, success: false)
            }
        }
        let p = teacher.probabilities
        #expect(p[1] == p.max(), "\(teacher.summary)")
        #expect(p[1] > 1.3 / Double(levels.count), "tau = 1 (the published default) keeps the softmax soft: \(teacher.summary)")
    }

    @Test func targetTeacherAimsAtHalfSuccess() throws {
        let env = try Package.catalog.load("corridor")
        let teacher = TargetTeacher(space: env.spec.parameters)
        // Long corridors fail, short ones succeed: the model learns it, then samples the middle.
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<2000 {
            let task = env.spec.parameters.sample(using: &generator)
            teacher.update(task: task, normalizedReturn: 0, success: (task["length"]?.intValue ?? 0) < 20)
        }
        let lengths = (0..<200).map { _ in teacher.sample(using: &generator).params["length"]!.intValue! }
        let mean = Double(lengths.reduce(0, +)) / 200
        #expect((10...30).contains(mean), "mean sampled length \(mean)")
    }
}
