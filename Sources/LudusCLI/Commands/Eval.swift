import ArgumentParser
import Foundation
import Ludus

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluates an agent (an LLM: llm:MODEL@URL) on a held-out set: accuracy and pass@k with 95% intervals; results and transcripts in SQLite.",
        discussion: "Item i is the environment's episode with seed i of the run's episode stream; each is played --samples times. --concurrency workers, each with its own environment, keep that many requests in flight; results do not depend on it. With --cache, requests whose hash has a stored completion in --db are answered from it (a replay gives the same result hash); --cache-only never calls the server. If the server dies, the run stops with the episodes so far kept: the same command with --resume plays the rest. See docs/llm.md.")

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "A single-player environment, e.g. countdown/text.") var environment: String
    @Option(help: "The agent: llm:MODEL@BASE_URL[?options], exec:COMMAND, random, ...") var agent: String
    @Option(help: "Items in the held-out set.") var count: Int = 100
    @Option(help: "Samples per item (pass@k for k = 1 and k = samples).") var samples: Int = 1
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Episodes (requests) in flight.") var concurrency: Int = 8
    @Option(name: .customLong("param"), help: ArgumentHelp("An environment parameter (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @Option(help: ArgumentHelp("A parameter whose values are spread over the items in turn; results are reported per value.", valueName: "name=v1,v2,..."))
    var vary: String?
    @Option(help: ArgumentHelp("SQLite database.", valueName: "file")) var db: String = "ludus.sqlite"
    @Flag(help: "Answer requests from completions stored in --db when their hash matches.") var cache = false
    @Flag(help: "Only stored completions: a request without one fails (no server needed).") var cacheOnly = false
    @Flag(help: "Finish the latest eval run in --db with the same settings.") var resume = false
    @Option(help: "Per-move time limit of exec: agents, in ms.") var moveTime: Int = 5000
    @Flag(help: "No per-episode lines.") var quiet = false

    func validate() throws {
        guard count >= 1, samples >= 1 else { throw ValidationError("--count and --samples must be at least 1") }
        guard (1...512).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 512") }
    }

    func run() throws {
        let probe = try options.load(environment)
        let spec = probe.spec
        guard spec.players == 1 else { throw CommandFailure("eval plays single-player environments; \(spec.id) has \(spec.players) players (use `ludus tournament` for games)") }
        let base = try spec.parameters.parse(params, environment: spec.id)
        var varied: (name: String, values: [Value])?
        if let vary {
            guard let eq = vary.firstIndex(of: "=") else { throw ValidationError("--vary: expected name=v1,v2,...") }
            let name = String(vary[..<eq])
            let values = try vary[vary.index(after: eq)...].split(separator: ",").map { text in
                try spec.parameters.parse(params + ["\(name)=\(text)"], environment: spec.id)[name] ?? .nil
            }
            varied = (name, values)
        }
        _ = try AgentFactory.make(agent, for: spec, limits: options.limits, moveMilliseconds: moveTime)
        let store = try ResultStore(path: db)
        var configFields: [String: Value] = ["agent": .string(LLMOptions.configIdentity(agent)), "count": .int(Int64(count)),
                                             "samples": .int(Int64(samples)), "seed": .int(Int64(seed)), "params": .table(base)]
        if let varied { configFields["vary"] = .table([varied.name: .array(varied.values)]) }
        let config = JSON.encode(.table(configFields))
        let (run, resumed) = try store.evalRun(environment: spec.name, agent: agent, config: config, planned: count * samples, resume: resume)
        let done = Set(try store.evalEpisodes(run: run).map { [$0.item, $0.sample] })
        if resume { print(resumed ? "resuming eval run \(run): \(done.count) of \(count * samples) episode(s) recorded" : "--resume: no eval run with this configuration in \(db); starting run \(run)") }
        let session = LLMSession.shared
        try session.attach(store: store, run: "eval \(run)", cache: cacheOnly ? .only : (cache ? .use : .off))
        let loop = EvalLoop(count: count, samples: samples, seed: seed, params: base, vary: varied,
                            makeEnvironment: { try options.load(environment) },
                            makeAgent: { [agent, options, moveTime] spec in try AgentFactory.make(agent, for: spec, limits: options.limits, moveMilliseconds: moveTime) })
        var batch: [EvalEpisode] = []
        var last = Date()
        let start = Date()
        var played = 0
        func commit() throws {
            try session.flush()  // transcripts first: an episode is never stored without its transcripts
            try store.record(evalEpisodes: batch, run: run)
            batch.removeAll()
            last = Date()
        }
        print("eval run \(run) on \(spec.id): \(count) item(s) x \(samples) sample(s), agent \(agent), \(concurrency) in flight")
        do {
            try loop.run(concurrency: concurrency, done: done) { episode in
                batch.append(episode)
                played += 1
                if !quiet {
                    print("item \(episode.item) sample \(episode.sample): return \(JSON.number(episode.return)) \(episode.outcome)"
                          + (episode.reason.map { " (\($0.prefix(160)))" } ?? ""))
                }
                if batch.count >= 16 || Date().timeIntervalSince(last) > 1 { try commit() }
            }
        } catch {
            try commit()
            let kept = try store.evalEpisodes(run: run).count
            throw CommandFailure("\(error)\nthe eval run stopped: \(kept) of \(count * samples) episode(s) are recorded in \(db); run the same command with --resume to finish it")
        }
        try commit()
        let seconds = Date().timeIntervalSince(start)
        let episodes = try store.evalEpisodes(run: run)
        let summary = EvalSummary(episodes, samples: samples)
        print(String(format: "%d episode(s) played in %.2f s (%.1f/s)", played, seconds, Double(played) / max(seconds, 1e-9)))
        print("group                      items  accuracy [95% interval]    " + (samples > 1 ? "pass@1 [95%]          pass@\(samples) [95%]          " : "") + "mean return  failures")
        for line in summary.lines {
            var text = line.group.padding(toLength: 25, withPad: " ", startingAt: 0) + String(format: "  %5d  %.3f [%.3f, %.3f]", line.items, line.accuracy,
                                                                                           line.accuracyInterval.lowerBound, line.accuracyInterval.upperBound)
            if samples > 1 {
                for p in line.passAt { text += String(format: "   %.3f [%.3f, %.3f]", p.value, p.interval.lowerBound, p.interval.upperBound) }
            }
            print(text + String(format: "   %10.4f  %8d", line.meanReturn, line.failures))
        }
        print(session.summary)
        print("result hash \(summary.resultHash)")
        print("stored in \(db) (tables eval_run, eval_episode, llm_transcript: run 'eval \(run)')")
    }
}
