import ArgumentParser
import Foundation
import Ludus
import LudusLua

struct Teach: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a student on a curriculum chosen by a teacher, scored on a held-out test set.",
        discussion: "Teachers: random, alp-gmm, sec[:PARAM], target. Students: q (tabular Q-learning), random. Episodes, evaluations and the configuration go to SQLite as they happen, and to DIR/run-N.jsonl with --out.")

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "A single-player environment with params.") var environment: String
    @Option(help: "Teacher.") var teacher: String = "random"
    @Option(help: "Student.") var student: String = "q"
    @Option(help: "Training episodes.") var episodes: Int = 1000
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Held-out test tasks.") var testSet: Int = 50
    @Option(help: "Evaluate every M episodes.") var evalEvery: Int = 100
    @Option(help: ArgumentHelp("SQLite database.", valueName: "file")) var db: String = "ludus.sqlite"
    @Option(help: ArgumentHelp("Folder for the JSONL log and the student's parameters.", valueName: "dir")) var out: String?

    func validate() throws {
        guard episodes >= 1, testSet >= 1, evalEvery >= 1 else {
            throw ValidationError("--episodes, --test-set and --eval-every must be at least 1")
        }
    }

    func run() throws {
        let env = try options.load(environment)
        let teacherObject = try TeacherFactory.make(teacher, for: env.spec)
        let studentObject = try StudentFactory.make(student, for: env.spec)
        let loop = try TeachLoop(environment: env, teacher: teacherObject, student: studentObject)
        loop.testSetSize = testSet
        loop.evaluateEvery = evalEvery
        let store = try ResultStore(path: db)
        let config = "{\"environment\":\(JSON.quote(env.spec.id)),\"teacher\":\(JSON.quote(teacher)),\"student\":\(JSON.quote(student)),\"episodes\":\(episodes),\"seed\":\(seed),\"test_set\":\(testSet),\"eval_every\":\(evalEvery)}"
        let run = try store.startTeachRun(environment: env.spec.id, teacher: teacher, student: student, config: config)
        var log: FileHandle?
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let path = out + "/run-\(run).jsonl"
            FileManager.default.createFile(atPath: path, contents: Data((config + "\n").utf8))
            log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try log?.seekToEnd()
        }
        var recentReturns: [Double] = []
        var recentSuccess: [Bool] = []
        loop.onEpisode = { episode, params, result, normalized, success in
            try store.recordEpisode(run: run, episode: episode, params: JSON.encode(.table(params)), return: result.returns[0],
                                    normalized: normalized, success: success, length: result.length)
            try log?.write(contentsOf: Data("{\"episode\":\(episode),\"params\":\(JSON.encode(.table(params))),\"return\":\(JSON.number(result.returns[0])),\"success\":\(success),\"length\":\(result.length)}\n".utf8))
            recentReturns.append(result.returns[0]); recentSuccess.append(success)
            if recentReturns.count > 100 { recentReturns.removeFirst(); recentSuccess.removeFirst() }
        }
        loop.onEvaluation = { evaluation in
            try store.recordEvaluation(run: run, episode: evaluation.episode, mastered: evaluation.mastered, meanReturn: evaluation.meanReturn)
            try log?.write(contentsOf: Data("{\"evaluation\":\(evaluation.episode),\"mastered\":\(JSON.number(evaluation.mastered)),\"mean_return\":\(JSON.number(evaluation.meanReturn))}\n".utf8))
            let mean = recentReturns.isEmpty ? 0 : recentReturns.reduce(0, +) / Double(recentReturns.count)
            let rate = recentSuccess.isEmpty ? 0 : Double(recentSuccess.filter { $0 }.count) / Double(recentSuccess.count)
            print(String(format: "episode %5d/%d  return %.3f  success %.2f  test mastered %5.1f%%  %@", evaluation.episode, episodes,
                         mean, rate, 100 * evaluation.mastered, teacherObject.summary))
        }
        let evaluations = try loop.run(episodes: episodes, seed: seed)
        if let out { try studentObject.save(to: out + "/student-\(run).\(student)") }
        print(String(format: "mastered: %.1f%%", 100 * (evaluations.last?.mastered ?? 0)))
        print("run \(run) stored in \(db) (teach_run, teach_episode, teach_eval)")
    }
}
