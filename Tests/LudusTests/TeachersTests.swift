import Foundation
import Testing
@testable import Ludus
import LudusLua

/// RIAC, PLR (plain and robust), the teacher-space options (`--vary`, `--param`,
/// `--test-param`) and countdown's `numbers` level.
@Suite struct TeachersTests {
    static let space: ParameterSpace = try! Package.catalog.load("corridor").spec.parameters

    // MARK: RIAC

    @Test func riacSplitsAndSamplesWhereReturnsChange() throws {
        let space = Self.space
        let teacher = RIACTeacher(space: space)
        var g = SeededGenerator(seed: 5)
        // Short corridors (length < 16) improve steadily; long ones stay flat.
        for i in 0..<1500 {
            let task = space.sample(using: &g)
            let short = (task["length"]?.intValue ?? 64) < 16
            teacher.update(task: task, normalizedReturn: short ? min(1, Double(i) / 1500) : 0.3, success: false)
        }
        #expect(teacher.splits >= 1, "a region with more than 200 pairs splits")
        #expect(teacher.leaves.count == teacher.splits + 1)
        // Every leaf keeps 1/15 of each dimension and at most 201 pairs.
        for leaf in teacher.leaves {
            for j in leaf.low.indices { #expect(leaf.high[j] - leaf.low[j] >= 1.0 / 15 - 1e-12) }
            #expect(leaf.returns.count <= 201)
        }
        // The cut that separates the improving region is on `length` (dimension 0; `slip` is 1).
        let rootSplit = try #require(teacher.regions[0].split)
        #expect(rootSplit.dimension == 0, "split on length, not slip")
        let lengths = (0..<1000).map { _ in teacher.sample(using: &g).params["length"]!.intValue! }
        let shortShare = Double(lengths.filter { $0 < 16 }.count) / 1000
        // Uniform sampling gives about (16 - 2) / 63 = 22%.
        #expect(shortShare > 0.45, "share of short corridors: \(shortShare), \(teacher.summary)")
    }

    // MARK: PLR

    /// Drives a PLR teacher without an environment: seeds come from the episode number, as in the loop.
    static func drive(_ teacher: PLRTeacher, episodes: Int, seed: UInt64 = 1,
                      score: ([String: Value], UInt64) -> Double) -> [TeacherTask] {
        var g = SeededGenerator(seed: seed)
        var played: [TeacherTask] = []
        for episode in 1...episodes {
            var task = teacher.sample(using: &g)
            task.seed = task.seed ?? SeededGenerator.derive(seed, UInt64(episode))
            teacher.update(task, outcome: TeacherOutcome(normalizedReturn: 0, success: false, studentScore: score(task.params, task.seed!)))
            played.append(task)
        }
        return played
    }

    @Test func plrReplaysHighScoreLevelsMoreOften() {
        let teacher = PLRTeacher(space: Self.space)
        teacher.minimumBuffer = 20
        // A level's score is its length / 64: long corridors have more to teach.
        let played = Self.drive(teacher, episodes: 2000) { params, _ in Double(params["length"]!.intValue!) / 64 }
        let replays = played.filter(\.isReplay)
        let fresh = played.filter { !$0.isReplay }
        #expect(Double(replays.count) / 2000 > 0.4 && Double(replays.count) / 2000 < 0.6, "replay probability 0.5")
        #expect(replays.allSatisfy { $0.learn } && fresh.allSatisfy { !$0.learn }, "robust: only replays train")
        func meanLength(_ tasks: [TeacherTask]) -> Double { tasks.reduce(0) { $0 + Double($1.params["length"]!.intValue!) } / Double(tasks.count) }
        // New levels are uniform (mean about 33); replays lean to the top of the ranking.
        #expect(meanLength(fresh) < 38)
        #expect(meanLength(replays) > 50, "replayed mean length \(meanLength(replays))")
        // The distribution itself: rank 1 gets at least (1 - rho) of the mass minus the tail.
        let p = teacher.replayDistribution
        let best = teacher.buffer.indices.max { teacher.buffer[$0].score < teacher.buffer[$1].score }!
        #expect(p[best] == p.max())
        #expect(abs(p.reduce(0, +) - 1) < 1e-9)
    }

    @Test func plrStalenessBringsBackForgottenLevels() {
        func replayedLevels(rho: Double) -> Int {
            let teacher = PLRTeacher(space: Self.space)
            teacher.minimumBuffer = 30
            teacher.capacity = 30
            teacher.stalenessWeight = rho
            let played = Self.drive(teacher, episodes: 600) { params, seed in Double(seed % 1000) / 1000 }
            return Set(played.filter(\.isReplay).map(\.seed)).count
        }
        // beta = 0.1 makes rank prioritisation nearly greedy; staleness spreads replays.
        #expect(replayedLevels(rho: 0) <= 5)
        #expect(replayedLevels(rho: 0.3) >= 20)
        // Pure staleness: the level just replayed has probability 0, the stalest the most.
        let teacher = PLRTeacher(space: Self.space)
        teacher.minimumBuffer = 5
        teacher.stalenessWeight = 1
        let played = Self.drive(teacher, episodes: 40) { _, _ in 0.5 }
        let last = played.last { $0.isReplay }!
        let p = teacher.replayDistribution
        let i = teacher.buffer.firstIndex { $0.seed == last.seed }!
        if played.last!.isReplay { #expect(p[i] == 0) }
        let stalest = teacher.buffer.indices.min { teacher.buffer[$0].lastSampled < teacher.buffer[$1].lastSampled }!
        #expect(p[stalest] == p.max())
    }

    @Test func plrBufferKeepsTheBestWhenFull() {
        let teacher = PLRTeacher(space: Self.space)
        teacher.capacity = 10
        teacher.replayProbability = 0
        _ = Self.drive(teacher, episodes: 200) { _, seed in Double(seed % 997) }
        #expect(teacher.buffer.count == 10)
        // Every stored level beats every new level that was turned away: the buffer holds the top scores seen.
        let seeds = (1...200).map { Double(SeededGenerator.derive(1, UInt64($0)) % 997) }.sorted(by: >)
        #expect(teacher.buffer.map(\.score).sorted(by: >) == Array(seeds.prefix(10)))
    }

    @Test func plrScoresByReturnVariationWithoutAValueFunction() {
        let teacher = PLRTeacher(space: Self.space)
        var g = SeededGenerator(seed: 3)
        var task = teacher.sample(using: &g)
        task.seed = 7
        teacher.update(task, outcome: TeacherOutcome(normalizedReturn: 0.2, success: false))
        var other = teacher.sample(using: &g)
        other.seed = 8
        // First play of a level: distance to the running mean over all episodes (0.2 so far).
        teacher.update(other, outcome: TeacherOutcome(normalizedReturn: 0.9, success: true))
        #expect(abs(teacher.buffer[1].score - 0.7) < 1e-12)
        // A replay: distance to that level's own mean return.
        teacher.update(other, outcome: TeacherOutcome(normalizedReturn: 0.5, success: false))
        #expect(abs(teacher.buffer[1].score - 0.4) < 1e-12)
        #expect(teacher.buffer.count == 2)
        // The student's own score wins when it has one.
        teacher.update(other, outcome: TeacherOutcome(normalizedReturn: 0.5, success: false, studentScore: 0.05))
        #expect(teacher.buffer[1].score == 0.05)
    }

    @Test func robustPLRNeverTrainsOnANewLevel() throws {
        let env = try Package.catalog.load("corridor")
        let teacher = try #require(try TeacherFactory.make("plr:warmup=5", for: env.spec) as? PLRTeacher)
        let student = QLearningAgent(actions: 2)
        let loop = try TeachLoop(environment: env, teacher: teacher, student: student)
        loop.testSetSize = 5
        loop.evaluateEvery = 1000
        var table = student.table
        var fresh = 0, replays = 0, learnedOnReplay = 0
        loop.onEpisode = { e in
            if e.task.isReplay {
                replays += 1
                #expect(e.task.learn)
                if student.table != table { learnedOnReplay += 1 }
            } else {
                fresh += 1
                #expect(!e.task.learn)
                #expect(student.table == table, "episode \(e.index) on a new level changed the Q table")
            }
            table = student.table
        }
        _ = try loop.run(episodes: 300, seed: 4)
        #expect(fresh > 50 && replays > 50)
        #expect(learnedOnReplay > 0, "replays do train")
        #expect(student.isLearning, "the loop leaves the student learning")
    }

    @Test(arguments: ["plr", "plr:robust=0", "riac"])
    func sameSeedSameTaskSequence(teacher spec: String) throws {
        func tasks(seed: UInt64) throws -> [TeacherTask] {
            let env = try Package.catalog.load("corridor")
            let loop = try TeachLoop(environment: env, teacher: TeacherFactory.make(spec, for: env.spec),
                                     student: StudentFactory.make("q", for: env.spec))
            loop.testSetSize = 3
            loop.evaluateEvery = 1000
            var seen: [TeacherTask] = []
            loop.onEpisode = { seen.append($0.task) }
            _ = try loop.run(episodes: 250, seed: seed)
            return seen
        }
        let first = try tasks(seed: 9)
        #expect(first.count == 250)
        #expect(first == (try tasks(seed: 9)))
        #expect(first != (try tasks(seed: 10)))
        if spec.hasPrefix("plr") { #expect(first.contains { $0.isReplay }) }
    }

    // MARK: Parameter options and countdown levels

    @Test func countdownNumbersFixesTheCount() throws {
        let env = try Package.catalog.load("countdown")
        #expect(env.spec.parameters["numbers"]?.defaultValue == .int(0))
        for n in 3...6 {
            let params = try env.spec.parameters.parse(["numbers=\(n)"], environment: "countdown")
            let items = try Dataset.items(env, count: 20, seed: UInt64(n), params: params)
            #expect(items.allSatisfy { $0["metadata"]["numbers"].arrayCount == n }, "numbers=\(n)")
        }
        // Default: reasoning-gym's 4..6, all three counts appear.
        let items = try Dataset.items(env, count: 60, seed: 1, params: env.spec.parameters.defaults)
        #expect(Set(items.map { $0["metadata"]["numbers"].arrayCount }) == [4, 5, 6])
        // `numbers` wins over min/max.
        let both = try env.spec.parameters.parse(["numbers=3", "min_numbers=5", "max_numbers=7"], environment: "countdown")
        #expect(try Dataset.items(env, count: 10, seed: 2, params: both).allSatisfy { $0["metadata"]["numbers"].arrayCount == 3 })
    }

    @Test func secArmsAndTestParams() throws {
        let env = try Package.catalog.load("countdown")
        let space = try env.spec.parameters.restricted(varying: ["numbers": nil], fixed: [])
        #expect(space.parameters.map(\.name) == ["numbers"])
        let teacher = try #require(try TeacherFactory.make("sec:numbers=3,4,5", space: space, environment: "countdown") as? SECTeacher)
        #expect(teacher.levels == [.int(3), .int(4), .int(5)])
        let loop = try TeachLoop(environment: env, teacher: teacher, student: StudentFactory.make("random", for: env.spec))
        loop.space = space
        loop.testSetSize = 10
        loop.evaluateEvery = 10
        loop.testParams = ["numbers": .int(6)]
        let testSet = try loop.testSet(seed: 1)
        #expect(testSet.count == 10 && testSet.allSatisfy { $0["numbers"] == .int(6) })
        #expect(testSet.allSatisfy { $0["min_value"] == .int(1) && $0["operators"] == .string("+-*/") }, "others at their defaults")
        var trained: Set<Int> = []
        loop.onEpisode = { _ = trained.insert($0.params["numbers"]!.intValue!) }
        _ = try loop.run(episodes: 60, seed: 1)
        #expect(trained == [3, 4, 5])
        // Narrowed ranges and fixed parameters.
        let narrowed = try env.spec.parameters.restricted(varying: ["numbers": 3...5], fixed: [])
        #expect(narrowed["numbers"]?.min == 3 && narrowed["numbers"]?.max == 5)
        let random = try TeacherFactory.make("sec", space: narrowed, environment: "countdown") as! SECTeacher
        #expect(random.levels.count == 3)
        let fixed = try env.spec.parameters.restricted(varying: nil, fixed: ["operators"])
        #expect(fixed["operators"] == nil && fixed["numbers"] != nil)
        #expect(throws: SetupError.self) { try env.spec.parameters.restricted(varying: ["nope": nil], fixed: []) }
        #expect(throws: SetupError.self) { try env.spec.parameters.restricted(varying: ["numbers": 3...99], fixed: []) }
        #expect(throws: SetupError.self) { try TeacherFactory.make("sec:numbers=3,99", space: space, environment: "countdown") }
    }

    @Test func fixedParamsReachTrainingAndTestEpisodes() throws {
        let env = try Package.catalog.load("corridor")
        let space = try env.spec.parameters.restricted(varying: nil, fixed: ["length"])
        let loop = try TeachLoop(environment: env, teacher: TeacherFactory.make("random", space: space, environment: "corridor"),
                                 student: StudentFactory.make("q", for: env.spec))
        loop.space = space
        loop.fixedParams = ["length": .int(5)]
        loop.testSetSize = 4
        #expect(try loop.testSet(seed: 2).allSatisfy { $0["length"] == .int(5) })
        var lengths: Set<Value> = []
        loop.onEpisode = { _ = lengths.insert($0.params["length"]!) }
        _ = try loop.run(episodes: 20, seed: 2)
        #expect(lengths == [.int(5)])
    }
}

extension Value {
    var arrayCount: Int? { if case .array(let items) = self { return items.count } else { return nil } }
}
