import ArgumentParser
import Foundation
import Ludus
import LudusLua

struct SelfPlay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selfplay",
        abstract: "Train a student on a game of two or more players against a pool of opponents (and frozen copies of itself); its seat rotates.",
        discussion: """
            Opponents: any agent spec (random, mcts:N, lua:PATH, exec:COMMAND, q:PATH, ppo:PATH) and `self`, a frozen \
            copy of the student refreshed every --snapshot-every episodes. The student changes seats every round of \
            the pool. Every --eval-every episodes it plays --eval-games games against each fixed opponent without \
            learning. Episodes and evaluations go to SQLite (selfplay_run, selfplay_episode, selfplay_eval) and to \
            DIR/selfplay-N.jsonl; the trained student is saved as DIR/student-N.KIND, ready for `ludus tournament \
            --agents KIND:PATH,...` (saved at each evaluation too). Every --checkpoint-every episodes and at each \
            evaluation the run state (student, snapshot) is checkpointed to SQLite with the episodes since the last \
            one; after a crash the same command with --resume finishes the run with results identical to an \
            uninterrupted one. A failed game is recorded (selfplay_failure) and training goes on.
            """)

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment of two or more players.") var environment: String
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
    @OptionGroup var resumeOptions: ResumeOptions
    @Option(help: "Checkpoint every N episodes (and at each evaluation).") var checkpointEvery: Int = 100
    @Flag(help: "No progress bar and no evaluation lines (the final lines only).") var quiet = false

    func validate() throws {
        guard episodes >= 1, snapshotEvery >= 1, evalEvery >= 1, evalGames >= 1, checkpointEvery >= 1 else {
            throw ValidationError("--episodes, --snapshot-every, --eval-every, --eval-games and --checkpoint-every must be at least 1")
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
        loop.checkpointEvery = checkpointEvery
        let (run, resumed) = try resumeOptions.run(.selfplay, store: store, environment: env.spec.name, config: config, db: db) {
            try store.startSelfPlayRun(environment: env.spec.name, student: student, config: config)
        }
        let logPath = out + "/selfplay-\(run).jsonl"
        let log = try CheckpointedLog(path: logPath, header: config, resumingAt: resumed?.logOffset)
        loop.workDirectory = out + "/snapshots-\(run)"
        let kind = student.split(separator: ":", maxSplits: 1).first.map(String.init) ?? student
        let path = out + "/student-\(run).\(kind)"
        let batch = ResultBatch()
        let start = Date()
        var steps = 0
        let progress = ProgressMeter(label: "selfplay", total: episodes, quiet: quiet)
        loop.onEpisode = { episode, opponent, seat, result in
            steps += result.length
            progress.update(episode)
            let mine = result.returns[seat - 1]
            batch.selfPlayEpisode(run: run, episode: episode, opponent: opponent, seat: seat, return: mine, length: result.length)
            log.append("{\"episode\":\(episode),\"opponent\":\(JSON.quote(opponent)),\"seat\":\(seat),\"return\":\(JSON.number(mine)),\"length\":\(result.length)}")
        }
        loop.onEvaluation = { e in
            batch.selfPlayEvaluation(run: run, episode: e.episode, opponent: e.opponent, games: e.games, wins: e.wins, draws: e.draws, losses: e.losses)
            log.append("{\"evaluation\":\(e.episode),\"opponent\":\(JSON.quote(e.opponent)),\"games\":\(e.games),\"wins\":\(e.wins),\"draws\":\(e.draws),\"losses\":\(e.losses)}")
            try studentObject.save(to: path)
            let seconds = Date().timeIntervalSince(start)
            if !quiet {
                progress.print(String(format: "episode %5d/%d  vs %@: %3d-%3d-%3d (score %.2f)  %.0f steps/s", e.episode, episodes, e.opponent,
                                      e.wins, e.draws, e.losses, e.score, Double(steps) / max(seconds, 1e-9)))
            }
        }
        loop.onFailure = { episode, opponent, game, error in
            batch.selfPlayFailure(run: run, episode: episode, opponent: opponent, evaluationGame: game, kind: error.kind, message: error.description)
            log.append("{\"failure\":\(episode),\"opponent\":\(JSON.quote(opponent)),\"evaluation_game\":\(game.map(String.init) ?? "null"),\"kind\":\(JSON.quote(error.kind)),\"message\":\(JSON.quote(error.description))}")
            FileHandle.standardError.write(Data("episode \(episode) vs \(opponent)\(game.map { " (evaluation game \($0))" } ?? ""): \(error.description); recorded, going on\n".utf8))
        }
        loop.onCheckpoint = { checkpoint in
            let offset = try log.flush()
            try store.commit(batch, checkpoint: StoredCheckpoint(loop: .selfplay, run: run, progress: checkpoint.episode,
                                                                 state: checkpoint.encoded(), logOffset: offset))
        }
        _ = try loop.run(episodes: episodes, seed: seed, from: resumed.map { try SelfPlayLoop.Checkpoint.decode($0.state) })
        progress.finish()
        try studentObject.save(to: path)
        if kind == "exec" {
            print("the external student was asked to save itself to \(path) ({\"type\":\"save\"})")
        } else {
            print("student saved to \(path): ludus tournament --env \(env.spec.id) --agents \(kind):\(path),\(pool.filter { $0 != "self" }.joined(separator: ","))")
        }
        print("run \(run) stored in \(db) (selfplay_run, selfplay_episode, selfplay_eval, selfplay_failure, checkpoint) and \(logPath)")
    }
}
