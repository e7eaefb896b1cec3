import ArgumentParser
import Foundation
import Ludus
import LudusLua
#if canImport(Glibc)
import Glibc
#endif

struct Teach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teach",
        abstract: "Train a student on a curriculum chosen by a teacher, scored on a held-out test set.",
        discussion: """
            Teachers: random, alp-gmm, riac, sec[:PARAM[=V1,V2,...]], target, plr[:replay=P,beta=B,rho=R,capacity=N,robust=0|1,warmup=N]. \
            Students: \(StudentFactory.known.joined(separator: ", ")). Episodes, evaluations and the configuration go to SQLite as they happen, \
            and to DIR/run-N.jsonl with --out \
            (the student saved as DIR/student-N.KIND at each evaluation). Every --checkpoint-every episodes and at each \
            evaluation the whole run state (student, teacher, generators) is checkpointed to SQLite together with the \
            episodes since the last checkpoint; after a crash, the same command with --resume finishes the run with \
            results identical to an uninterrupted one. A failed episode is recorded (teach_failure) and the run goes on.
            --param fixes a parameter everywhere (the teacher no longer chooses it); --vary NAME[=LO..HI] (repeatable) \
            limits the teacher to those parameters, optionally narrowed; --test-param overrides held-out test tasks only \
            (e.g. --vary numbers=3..5 --test-param numbers=6 on countdown).
            """)

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "A single-player environment with params.") var environment: String
    @Option(help: "Teacher (default random). Repeat it for a sweep: every teacher × seed is one run, all in --db.") var teacher: [String] = []
    @Option(help: "Student.") var student: String = "q"
    @Option(help: "Training episodes.") var episodes: Int = 1000
    @Option(help: ArgumentHelp("Seed (default 0). Repeat it or give a list (1,2,3) for a sweep over seeds.", valueName: "seed"))
    var seed: [String] = []
    @Option(help: ArgumentHelp("Run only shard K of N of the sweep's runs (K from 0, runs teacher-major), into its own --db; `auto` reads SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/LUDUS_SHARD_COUNT. Combine the shards with `ludus merge`.", valueName: "K/N"))
    var shard: String?
    @Option(help: "Runs of a sweep played at once, each on its own thread (the results do not depend on it).") var workers: Int = 1
    @Option(help: "Also stop once the training episodes have played this many environment steps (evaluated there).") var steps: Int?
    @Option(help: "Held-out test tasks.") var testSet: Int = 50
    @Option(help: ArgumentHelp("Held-out test levels: a folder of level files or a named set (heldout); task i plays level i mod count.", valueName: "set"))
    var testLevels: String?
    @Option(help: "Evaluate every M episodes.") var evalEvery: Int = 100
    @Option(name: .customLong("param"), help: ArgumentHelp("Fix a parameter in training and test episodes (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @Option(name: .customLong("vary"), help: ArgumentHelp("Let the teacher choose only this parameter, optionally within LO..HI (repeatable).", valueName: "name[=lo..hi]"))
    var vary: [String] = []
    @Option(name: .customLong("test-param"), help: ArgumentHelp("A parameter value for the held-out test tasks only (repeatable).", valueName: "name=value"))
    var testParams: [String] = []
    @Option(help: ArgumentHelp("SQLite database.", valueName: "file")) var db: String = "ludus.sqlite"
    @Option(help: ArgumentHelp("Folder for the JSONL log and the student's parameters.", valueName: "dir")) var out: String?
    @Flag(help: "No progress output (the final lines only).") var quiet = false
    @OptionGroup var resumeOptions: ResumeOptions
    @Option(help: "Checkpoint every N episodes (and at each evaluation).") var checkpointEvery: Int = 100

    func validate() throws {
        guard episodes >= 1, testSet >= 1, evalEvery >= 1, checkpointEvery >= 1 else {
            throw ValidationError("--episodes, --test-set, --eval-every and --checkpoint-every must be at least 1")
        }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be from 1 to 256") }
    }

    /// `name` or `name=lo..hi`.
    func parseVary() throws -> [String: ClosedRange<Double>?]? {
        guard !vary.isEmpty else { return nil }
        var result: [String: ClosedRange<Double>?] = [:]
        for item in vary.flatMap({ $0.split(separator: ",") }).map(String.init) {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { result[item] = .some(nil); continue }
            let bounds = parts[1].components(separatedBy: "..")
            guard bounds.count == 2, let lo = Double(bounds[0]), let hi = Double(bounds[1]), lo <= hi else {
                throw ValidationError("--vary \(item): expected name or name=lo..hi")
            }
            result[parts[0]] = lo...hi
        }
        return result
    }

    /// The levels of a test set (a folder or a named set), each checked by a reset.
    static func levels(_ set: String, environment: LuaEnvironment, fixed: [String: Value]) throws -> [Level] {
        let base = try environment.spec.parameters.resolve(fixed, environment: environment.spec.id)
        let editor = try LevelEditor(environment: environment, baseParams: base)
        return try LevelFile.set(set, for: environment.spec).map { entry in
            try editor.load(entry.file.level, source: "\(set)/\(entry.name).json")
            return entry.file.level
        }
    }

    /// The raw (unresolved) values of `name=value` assignments.
    static func given(_ assignments: [String], in space: ParameterSpace, environment: String) throws -> [String: Value] {
        let resolved = try space.parse(assignments, environment: environment)
        let names = Set(assignments.map { String($0.prefix { $0 != "=" }) })
        return resolved.filter { names.contains($0.key) }
    }

    /// What the teacher chooses from, as recorded with the run: each sampled parameter
    /// with its range (`{"length": [20, 30]}`) or choices, so the record reproduces the run.
    static func varied(_ space: ParameterSpace) -> [String: Value] {
        var varied: [String: Value] = [:]
        for parameter in space.parameters where parameter.isSampled {
            if let low = parameter.min, let high = parameter.max {
                varied[parameter.name] = .array([.number(low), .number(high)])
            } else {
                varied[parameter.name] = .array(parameter.choices)
            }
        }
        return varied
    }

    func run() throws {
        let sweep: TeachSweep
        let selection: ShardSelection?
        do {
            let seeds = try TeachSweep.seeds(seed)
            sweep = try TeachSweep(teachers: teacher.isEmpty ? ["random"] : teacher, seeds: seeds.isEmpty ? [0] : seeds)
            selection = try shard.map { .shard(try Shard.parse($0, environment: ProcessInfo.processInfo.environment)) }
        } catch { throw CommandFailure("\(error)") }
        let env = try options.load(environment)
        let declared = env.spec.parameters
        let fixed = try Self.given(params, in: declared, environment: env.spec.id)
        let overrides = try Self.given(testParams, in: declared, environment: env.spec.id)
        let space = try declared.restricted(varying: parseVary(), fixed: Set(fixed.keys))
        let settings = Settings(fixed: fixed, overrides: overrides, space: space)
        // Every teacher is checked before any run starts.
        for teacher in sweep.teachers { _ = try TeacherFactory.make(teacher, space: space, environment: env.spec.id, levels: LevelEditor.supports(env.spec)) }
        let store = try ResultStore(path: db)
        let sweepConfig = settings.config(self, environment: env.spec.name, sweep: sweep)
        let found = resumeOptions.resume ? try store.teachSweep(environment: env.spec.name, config: sweepConfig) : nil
        // A run alone from a database written before sweeps is resumed by its own configuration (below).
        let legacy = resumeOptions.resume && found == nil && sweep.count == 1 && selection == nil
        if resumeOptions.resume && found == nil && !legacy {
            throw CommandFailure("--resume: no teach sweep in \(db) on \(env.spec.name) with this configuration:\n  \(sweepConfig)\nrun the same command as the sweep's (only --resume added), or drop --resume to start it")
        }
        let sweepID = try found ?? (legacy ? nil : store.startTeachSweep(environment: env.spec.name, config: sweepConfig, runs: sweep.count))
        let share = selection?.range(of: sweep.count) ?? 0..<sweep.count
        if let selection, let sweepID { try store.recordSweepShard(sweep: sweepID, selection: selection, runs: share) }
        // Every run's id is settled first, in the sweep's order, so the ids do not depend on --workers.
        var jobs: [(run: Int64, index: Int, config: String, resumed: StoredCheckpoint?)] = []
        for index in share {
            let (teacher, seed) = sweep.run(index)
            let config = settings.config(self, environment: env.spec.name, teacher: teacher, seed: seed)
            var resumed: (run: Int64, checkpoint: StoredCheckpoint?)?
            if let sweepID, found != nil, let existing = try store.sweepRun(sweep: sweepID, index: index) {
                if existing.finished {
                    print("run \(existing.id) (teacher \(teacher), seed \(seed)) already finished")
                    continue
                }
                let checkpoint = try store.checkpoint(.teach, run: existing.id)
                try store.rewind(.teach, run: existing.id, to: checkpoint?.progress)
                print("resuming run \(existing.id) after episode \(checkpoint?.progress ?? 0)" + (checkpoint == nil ? " (no checkpoint: from the start)" : ""))
                resumed = (existing.id, checkpoint)
            } else if legacy {
                resumed = try resumeOptions.run(.teach, store: store, environment: env.spec.name, config: config, db: db) { 0 }
            }
            guard let run = try resumed?.run ?? sweepID.map({ try store.startTeachRun(environment: env.spec.name, teacher: teacher, student: student,
                                                                                      config: config, sweep: $0, index: index) }) else { continue }
            jobs.append((run, index, config, resumed?.checkpoint))
        }
        try TeachSweep.perform(jobs.count, workers: workers) { [self] position in
            let job = jobs[position]
            let (teacher, seed) = sweep.run(job.index)
            let label = sweep.count > 1 ? "run \(job.run) (teacher \(teacher), seed \(seed)): " : ""
            try teach(run: job.run, teacher: teacher, seed: seed, config: job.config, settings: settings, store: store, resumed: job.resumed,
                      label: label, quiet: quiet || workers > 1)
            try store.finishTeachRun(job.run)
        }
        if let selection {
            print("\(selection) of the sweep (runs \(share.lowerBound)..<\(share.upperBound) of \(sweep.count)) stored in \(db); combine the shards with `ludus merge OUT.sqlite SHARD.sqlite ...`")
        }
    }

    /// What every run of a sweep shares: the parameters fixed, overridden and varied.
    struct Settings {
        var fixed: [String: Value]
        var overrides: [String: Value]
        var space: ParameterSpace

        static func object(_ values: [String: Value]) -> String { JSON.encode(.table(values)) }

        /// The settings after the seed, as recorded in every run's configuration.
        func tail(_ command: Teach) -> String {
            "\"test_set\":\(command.testSet),\"eval_every\":\(command.evalEvery),\"params\":\(Self.object(fixed)),\"vary\":\(Self.object(Teach.varied(space))),\"test_params\":\(Self.object(overrides))\(command.testLevels.map { ",\"test_levels\":\(JSON.quote($0))" } ?? "")\(command.steps.map { ",\"steps\":\($0)" } ?? "")"
        }

        /// A run's configuration: what `--resume` matches, the same for a run alone or in a sweep.
        func config(_ command: Teach, environment: String, teacher: String, seed: UInt64) -> String {
            "{\"environment\":\(JSON.quote(environment)),\"teacher\":\(JSON.quote(teacher)),\"student\":\(JSON.quote(command.student)),\"episodes\":\(command.episodes),\"seed\":\(seed),\(tail(command))}"
        }

        /// The sweep's configuration: its teachers and seeds in order, and the shared settings.
        func config(_ command: Teach, environment: String, sweep: TeachSweep) -> String {
            let teachers = "[" + sweep.teachers.map(JSON.quote).joined(separator: ",") + "]"
            let seeds = "[" + sweep.seeds.map(String.init).joined(separator: ",") + "]"
            return "{\"environment\":\(JSON.quote(environment)),\"teachers\":\(teachers),\"student\":\(JSON.quote(command.student)),\"episodes\":\(command.episodes),\"seeds\":\(seeds),\(tail(command))}"
        }
    }

    /// Plays one run (from its checkpoint when resumed), committing as it goes.
    /// - Parameters:
    ///   - label: put before the final line (which run it is, in a sweep).
    ///   - quiet: no progress (runs in parallel would draw over each other).
    func teach(run: Int64, teacher: String, seed: UInt64, config: String, settings: Settings, store: ResultStore, resumed: StoredCheckpoint?,
               label: String, quiet: Bool) throws {
        let env = try options.load(environment)
        let teacherObject = try TeacherFactory.make(teacher, space: settings.space, environment: env.spec.id, levels: LevelEditor.supports(env.spec))
        let studentObject = try StudentFactory.make(student, for: env.spec)
        let loop = try TeachLoop(environment: env, teacher: teacherObject, student: studentObject)
        loop.testSetSize = testSet
        loop.evaluateEvery = evalEvery
        loop.space = settings.space
        loop.fixedParams = settings.fixed
        loop.testParams = settings.overrides
        loop.stepBudget = steps
        if let testLevels { loop.testLevels = try Self.levels(testLevels, environment: env, fixed: settings.fixed) }
        let object = Settings.object
        loop.checkpointEvery = checkpointEvery
        var log: CheckpointedLog?
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            log = try CheckpointedLog(path: out + "/run-\(run).jsonl", header: config, resumingAt: resumed?.logOffset)
        }
        // Named by the student's kind (`student-3.ppo`), so the file is `--agents ppo:PATH` as it stands.
        let kind = student.split(separator: ":", maxSplits: 1).first.map(String.init) ?? student
        let studentPath = out.map { $0 + "/student-\(run).\(kind)" }
        let batch = ResultBatch()
        let progress = TeachProgress(total: episodes, terminal: isatty(STDOUT_FILENO) != 0, quiet: quiet, every: evalEvery)
        let levelTeacher = teacherObject as? any LevelTeacher
        loop.onEpisode = { e in
            let seedText = e.task.seed.map { String($0) } ?? ""
            if let decision = levelTeacher?.lastDecision { batch.teachDecision(run: run, episode: e.index, decision) }
            let e = e.withoutLevelParameter
            batch.teachEpisode(run: run, episode: e.index, params: object(e.params), return: e.result.returns[0],
                               normalized: e.normalizedReturn, success: e.success, length: e.result.length,
                               seed: e.task.seed, replay: e.task.isReplay, learned: e.task.learn, studentScore: e.studentScore)
            log?.append("{\"episode\":\(e.index),\"params\":\(object(e.params)),\"seed\":\"\(seedText)\",\"replay\":\(e.task.isReplay),\"learned\":\(e.task.learn),\"return\":\(JSON.number(e.result.returns[0])),\"success\":\(e.success),\"length\":\(e.result.length)}")
            progress.episode(e.index, return: e.result.returns[0], success: e.success, steps: e.result.length, teacher: teacherObject.summary)
        }
        loop.onEvaluation = { evaluation in
            batch.teachEvaluation(run: run, episode: evaluation.episode, mastered: evaluation.mastered, meanReturn: evaluation.meanReturn)
            if let snapshotting = teacherObject as? TeacherSnapshotting {
                batch.teacherState(run: run, episode: evaluation.episode, state: JSON.encode(snapshotting.reportSnapshot()))
            }
            log?.append("{\"evaluation\":\(evaluation.episode),\"mastered\":\(JSON.number(evaluation.mastered)),\"mean_return\":\(JSON.number(evaluation.meanReturn))}")
            progress.evaluation(evaluation, teacher: teacherObject.summary)
            if let studentPath { try studentObject.save(to: studentPath) }
        }
        loop.onFailure = { episode, testTask, error in
            batch.teachFailure(run: run, episode: episode, testTask: testTask, kind: error.kind, message: error.description)
            log?.append("{\"failure\":\(episode),\"test_task\":\(testTask.map(String.init) ?? "null"),\"kind\":\(JSON.quote(error.kind)),\"message\":\(JSON.quote(error.description))}")
            FileHandle.standardError.write(Data("episode \(episode)\(testTask.map { " (test task \($0))" } ?? ""): \(error.description); recorded, going on\n".utf8))
        }
        loop.onCheckpoint = { checkpoint in
            let offset = try log?.flush()
            try store.commit(batch, checkpoint: StoredCheckpoint(loop: .teach, run: run, progress: checkpoint.episode,
                                                                 state: checkpoint.encoded(), logOffset: offset))
        }
        let evaluations = try loop.run(episodes: episodes, seed: seed, from: resumed.map { try TeachLoop.Checkpoint.decode($0.state) })
        progress.finish()
        if let studentPath {
            try studentObject.save(to: studentPath)
            print(kind == "exec" ? "the external student was asked to save itself to \(studentPath)"
                                 : "student saved to \(studentPath) (play it with --agent \(kind):\(studentPath))")
        }
        print(label + String(format: "mastered: %.1f%%", 100 * (evaluations.last?.mastered ?? 0)))
        print("run \(run) stored in \(db) (teach_run, teach_episode, teach_eval, teach_failure, checkpoint)")
    }
}

/// `ludus teach`'s progress: on a terminal one line redrawn in place (episode i/N, a bar,
/// mean return and success rate over the last 100 episodes, the teacher's summary,
/// environment steps per second, learning included), with each evaluation printed above
/// it; otherwise a plain line at each evaluation.
final class TeachProgress {
    let total: Int
    let terminal: Bool
    let quiet: Bool
    let every: Int
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var returns: [Double] = []
    private var successes: [Bool] = []
    private var steps = 0
    private var current = 0
    private var drawn = false
    private var teacherLine = ""

    init(total: Int, terminal: Bool, quiet: Bool, every: Int) {
        self.total = total
        self.terminal = terminal
        self.quiet = quiet
        self.every = every
    }

    var meanReturn: Double { returns.isEmpty ? 0 : returns.reduce(0, +) / Double(returns.count) }
    var successRate: Double { successes.isEmpty ? 0 : Double(successes.filter { $0 }.count) / Double(successes.count) }
    var stepsPerSecond: Double { Double(steps) / max(Date().timeIntervalSince(start), 1e-9) }

    func episode(_ index: Int, return value: Double, success: Bool, steps length: Int, teacher: @autoclosure () -> String) {
        current = index
        steps += length
        returns.append(value); successes.append(success)
        if returns.count > 100 { returns.removeFirst(); successes.removeFirst() }
        guard terminal, !quiet else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || index == total else { return }
        lastDraw = now
        teacherLine = teacher()
        draw()
    }

    private func draw() {
        let width = 24
        let filled = total > 0 ? min(width, width * current / total) : width
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let elapsed = Date().timeIntervalSince(start)
        let eta = current > 0 && current < total ? " ETA " + ProgressMeter.duration(elapsed / Double(current) * Double(total - current)) : ""
        var line = String(format: "episode %d/%d [%@] return %.3f success %.2f %.0f steps/s%@  ", current, total, bar,
                          meanReturn, successRate, stepsPerSecond, eta) + teacherLine
        let columns = Self.columns()
        if line.count > columns - 1 { line = String(line.prefix(max(10, columns - 1))) }
        FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + line).utf8))
        drawn = true
    }

    func evaluation(_ evaluation: TeachLoop.Evaluation, teacher: String) {
        guard !quiet else { return }
        let line = String(format: "episode %5d/%d  return %.3f  success %.2f  test mastered %5.1f%%  %.0f steps/s  %@", evaluation.episode, total,
                          meanReturn, successRate, 100 * evaluation.mastered, stepsPerSecond, teacher)
        if terminal {
            FileHandle.standardOutput.write(Data(((drawn ? "\r\u{1B}[2K" : "") + line + "\n").utf8))
            teacherLine = teacher
            if evaluation.episode < total { draw() } else { drawn = false }
        } else {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }

    func finish() {
        if terminal && drawn { FileHandle.standardOutput.write(Data("\n".utf8)); drawn = false }
    }

    static func columns() -> Int {
        var size = winsize()
        if withUnsafeMutablePointer(to: &size, { ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), $0) }) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 120
    }
}
