import ArgumentParser
import Foundation
import Ludus

struct CriticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "critic",
        abstract: "Generator/critic self-play (SPC) on a two-role environment; per-round figures go to SQLite.",
        discussion: "Each round the sneaky generator (a bandit over E.error_types) and the critic (logistic regression over the step's features) play games, the environment's verifier decides the truth, and both learn from the outcomes. The critic is scored after every round on a fixed held-out set of correct and sneaky steps. Each round is committed with a checkpoint of the whole run state; after a crash the same command with --resume finishes the run with results identical to an uninterrupted one.")

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "A generator/critic environment, e.g. countdown/critic.") var environment: String
    @Option(help: "Training rounds.") var rounds: Int = 5
    @Option(help: "Games per round.") var gamesPerRound: Int = 200
    @Option(help: "Size of the held-out set (half correct, half sneaky steps).") var heldout: Int = 400
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("SQLite database.", valueName: "file")) var db: String = "ludus.sqlite"
    @Option(name: .customLong("param"), help: ArgumentHelp("An environment parameter (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @OptionGroup var resumeOptions: ResumeOptions
    @Option(help: "The generator's seat: builtin (the bandit) or an agent spec (llm:MODEL@URL, exec:COMMAND, random, ...).") var generator: String = "builtin"
    @Option(help: "The critic's seat: builtin (logistic regression) or an agent spec (llm:MODEL@URL, exec:COMMAND, ...).") var critic: String = "builtin"
    @Flag(help: "Answer LLM requests from completions stored in --db when their hash matches.") var cache = false
    @Option(help: "Per-move time limit of exec: agents, in ms.") var moveTime: Int = 5000
    @Flag(help: "No progress bar and no per-round lines (the final line only).") var quiet = false

    func validate() throws {
        guard rounds >= 1, gamesPerRound >= 1, heldout >= 2 else {
            throw ValidationError("--rounds and --games-per-round must be at least 1, --heldout at least 2")
        }
    }

    func run() throws {
        let env = try options.load(environment)
        let resolved = try env.spec.parameters.parse(params, environment: env.spec.id)
        let loop = try CriticLoop(environment: env, params: resolved)
        loop.gamesPerRound = gamesPerRound
        loop.heldOutSize = heldout
        if generator != "builtin" { loop.generatorAgent = try AgentFactory.make(generator, for: env.spec, limits: options.limits, moveMilliseconds: moveTime) }
        if critic != "builtin" { loop.criticAgent = try AgentFactory.make(critic, for: env.spec, limits: options.limits, moveMilliseconds: moveTime) }
        let store = try ResultStore(path: db)
        var config = "{\"rounds\":\(rounds),\"games_per_round\":\(gamesPerRound),\"heldout\":\(heldout),\"seed\":\(seed),\"params\":\(JSON.encode(.table(resolved)))}"
        if generator != "builtin" || critic != "builtin" {
            // Runs with built-in sides keep the configuration they always had (older runs still resume).
            config = String(config.dropLast()) + ",\"generator\":\(JSON.quote(LLMOptions.configIdentity(generator))),\"critic\":\(JSON.quote(LLMOptions.configIdentity(critic)))}"
        }
        let (run, resumed) = try resumeOptions.run(.critic, store: store, environment: env.spec.name, config: config, db: db, unit: "round") {
            try store.startCriticRun(environment: env.spec.name, config: config, errorTypes: loop.errorTypes)
        }
        let batch = ResultBatch()
        try LLMSession.shared.attach(store: store, run: "critic \(run)", cache: cache ? .use : .off)
        loop.onCheckpoint = { checkpoint in
            try LLMSession.shared.flush()
            try store.commit(batch, checkpoint: StoredCheckpoint(loop: .critic, run: run, progress: checkpoint.round, state: checkpoint.encoded()))
        }
        let progress = ProgressMeter(label: "critic", total: rounds, unit: "rounds", quiet: quiet)
        if !quiet {
            print("critic run \(run) on \(env.spec.id): error types \(loop.errorTypes.joined(separator: ", "))")
            print("round  acc(correct)  acc(erroneous)   mean  harmonic  deception  generator policy")
        }
        do {
        try loop.run(rounds: rounds, seed: seed, from: resumed.map { try CriticLoop.Checkpoint.decode($0.state) }) { round in
            try batch.criticRound(run: run, round: round)
            defer { progress.update(round.round) }
            guard !quiet else { return }
            let policy = zip(loop.errorTypes, round.generatorPolicy).map { "\($0)=\(String(format: "%.2f", $1))" }.joined(separator: " ")
            progress.print(String(format: "%5d  %12.3f  %14.3f  %5.3f  %8.3f  %9.3f  ", round.round, round.accuracyOnCorrect,
                         round.accuracyOnErroneous, round.meanAccuracy, round.harmonicAccuracy, round.deceptionRate)
                  + (round.generatorPolicy.isEmpty ? generator : policy) + (round.answerFailures > 0 ? "  (\(round.answerFailures) unusable answer(s))" : ""))
        }
        } catch let error as EpisodeError {
            try? LLMSession.shared.flush()
            let kept = try store.checkpoint(.critic, run: run)?.progress
            throw CommandFailure("\(error)\nthe critic run stopped; rounds up to \(kept.map(String.init) ?? "none") are kept in \(db): run the same command with --resume to finish it")
        }
        progress.finish()
        try LLMSession.shared.flush()
        if generator != "builtin" || critic != "builtin" { print(LLMSession.shared.summary) }
        print("stored in \(db) (tables critic_run, critic_round, checkpoint)")
    }
}
