import ArgumentParser
import Foundation
import Ludus
import LudusLua

struct SelfPlay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selfplay",
        abstract: "Train a student on a two-player game against a pool of opponents (and frozen copies of itself).",
        discussion: """
            Opponents: any agent spec (random, mcts:N, lua:PATH, exec:COMMAND, q:PATH, ppo:PATH) and `self`, a frozen \
            copy of the student refreshed every --snapshot-every episodes. The student changes seats every round of \
            the pool. Every --eval-every episodes it plays --eval-games games against each fixed opponent without \
            learning. Episodes and evaluations go to SQLite (selfplay_run, selfplay_episode, selfplay_eval) and to \
            DIR/selfplay-N.jsonl; the trained student is saved as DIR/student-N.KIND, ready for `ludus tournament \
            --agents KIND:PATH,...`.
            """)

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "A two-player environment.") var environment: String
    @Option(help: "Student: ppo[:settings], q, es[:settings].") var student: String = "ppo"
    @Option(help: "Opponent specs, comma separated (`self` for snapshots).") var opponents: String = "random,self"
    @Option(help: "Training episodes.") var episodes: Int = 2000
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Refresh `self` opponents every N episodes.") var snapshotEvery: Int = 500
    @Option(help: "Evaluate every M episodes.") var evalEvery: Int = 500
    @Option(help: "Games per fixed opponent at each evaluation (seats alternate).") var evalGames: Int = 40
    @Option(name: .customLong("param"), help: ArgumentHelp("An environment parameter (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @Option(help: ArgumentHelp("SQLite database.", valueName: "file")) var db: String = "ludus.sqlite"
    @Option(help: ArgumentHelp("Folder for the JSONL log and the student's parameters.", valueName: "dir")) var out: String = "runs/selfplay"

    func validate() throws {
        guard episodes >= 1, snapshotEvery >= 1, evalEvery >= 1, evalGames >= 1 else {
            throw ValidationError("--episodes, --snapshot-every, --eval-every and --eval-games must be at least 1")
        }
    }

    func run() throws {
        let env = try options.load(environment)
        let studentObject = try StudentFactory.make(student, for: env.spec)
        let pool = opponents.split(separator: ",").map(String.init)
        let loop = try SelfPlayLoop(environment: env, student: studentObject, studentSpec: student, opponents: pool, limits: options.limits)
        loop.snapshotEvery = snapshotEvery
        loop.evaluateEvery = evalEvery
        loop.evaluationGames = evalGames
        loop.params = try env.spec.parameters.parse(params, environment: env.spec.id)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let store = try ResultStore(path: db)
        let config = JSON.encode(.table([
            "environment": .string(env.spec.id), "student": .string(student), "opponents": .array(pool.map { .string($0) }),
            "episodes": .int(Int64(episodes)), "seed": .string(String(seed)), "snapshot_every": .int(Int64(snapshotEvery)),
            "eval_every": .int(Int64(evalEvery)), "eval_games": .int(Int64(evalGames)), "params": .array(params.map { .string($0) }),
        ]))
        let run = try store.startSelfPlayRun(environment: env.spec.id, student: student, config: config)
        let logPath = out + "/selfplay-\(run).jsonl"
        guard FileManager.default.createFile(atPath: logPath, contents: Data((config + "\n").utf8)) else {
            throw CommandFailure("cannot write \(logPath)")
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        loop.workDirectory = out + "/snapshots-\(run)"
        let start = Date()
        var steps = 0
        loop.onEpisode = { episode, opponent, seat, result in
            steps += result.length
            let mine = result.returns[seat - 1]
            try store.recordSelfPlayEpisode(run: run, episode: episode, opponent: opponent, seat: seat, return: mine, length: result.length)
            try log.write(contentsOf: Data("{\"episode\":\(episode),\"opponent\":\(JSON.quote(opponent)),\"seat\":\(seat),\"return\":\(JSON.number(mine)),\"length\":\(result.length)}\n".utf8))
        }
        loop.onEvaluation = { e in
            try store.recordSelfPlayEvaluation(run: run, episode: e.episode, opponent: e.opponent, games: e.games, wins: e.wins, draws: e.draws, losses: e.losses)
            try log.write(contentsOf: Data("{\"evaluation\":\(e.episode),\"opponent\":\(JSON.quote(e.opponent)),\"games\":\(e.games),\"wins\":\(e.wins),\"draws\":\(e.draws),\"losses\":\(e.losses)}\n".utf8))
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "episode %5d/%d  vs %@: %3d-%3d-%3d (score %.2f)  %.0f steps/s", e.episode, episodes, e.opponent,
                         e.wins, e.draws, e.losses, e.score, Double(steps) / max(seconds, 1e-9)))
        }
        _ = try loop.run(episodes: episodes, seed: seed)
        let kind = student.split(separator: ":", maxSplits: 1).first.map(String.init) ?? student
        let path = out + "/student-\(run).\(kind)"
        try studentObject.save(to: path)
        print("student saved to \(path): ludus tournament --env \(env.spec.id) --agents \(kind):\(path),\(pool.filter { $0 != "self" }.joined(separator: ","))")
        print("run \(run) stored in \(db) (selfplay_run, selfplay_episode, selfplay_eval) and \(logPath)")
    }
}
