import ArgumentParser
import Foundation
import Ludus
import LudusLua

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Play episodes and print each one's return, length, outcome and trajectory hash.",
        discussion: "The same seed gives the same output, bit for bit; episode i uses a seed derived from --seed and i."
    )

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment id or a .lua file.") var environment: String
    @Option(help: "Agent for every seat, or one per seat separated by commas.") var agent: String = "random"
    @Option(help: "Number of episodes.") var episodes: Int = 1
    @Option(help: "Seed of the whole run.") var seed: UInt64 = 0
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter value (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @Flag(help: "Print the rendering after every step.") var render = false
    @Option(help: ArgumentHelp("Write every step as JSON lines to this file.", valueName: "file")) var trace: String?
    @Option(help: ArgumentHelp("Play this level file (from `ludus levels`) instead of generating levels.", valueName: "file")) var level: String?

    func validate() throws {
        guard episodes > 0 else { throw ValidationError("--episodes must be at least 1") }
    }

    func run() throws {
        LudusCommand.bootstrapLogging()
        let env = try options.load(environment)
        let spec = env.spec
        var resolved = try spec.parameters.parse(params, environment: spec.id)
        if let level { resolved = try LevelFile.load(level, for: env, params: resolved).level.params(resolved) }
        let specs = agent.split(separator: ",").map(String.init)
        guard specs.count == 1 || specs.count == spec.players else {
            throw CommandFailure("--agent: give one agent or \(spec.players) (one per seat), got \(specs.count)")
        }
        let agents = try (0..<spec.players).map { try AgentFactory.make(specs.count == 1 ? specs[0] : specs[$0], for: spec) }
        let runner = EpisodeRunner(environment: env, agents: agents)
        let traceWriter = try trace.map { try TraceWriter(path: $0) }
        if let traceWriter { runner.observe(with: traceWriter) }
        if render { runner.observe(with: RenderObserver { print($0); print("") }) }
        print("\(spec.id) seed=\(seed) params=\(JSON.encode(.table(resolved.filter { $0.key != Level.parameter })))"
              + (resolved[Level.parameter].map { " level=\(Level($0).hash)" } ?? ""))
        var total = StableHash()
        var failures = 0
        for episode in 1...episodes {
            let episodeSeed = SeedStreams(root: seed).seed(.episode, episode)
            do {
                let result = try runner.run(episode: episode, seed: episodeSeed, params: resolved)
                let returns = result.returns.map { String(format: "%.4f", $0) }.joined(separator: ",")
                var line = "episode \(episode) return=\(returns) length=\(result.length) outcome=\(result.outcome.label(roles: spec.roles))"
                if case .forfeit(let player, let reason) = result.outcome { line += " player=\(player) reason=\(JSON.quote(reason))" }
                print(line + " hash=\(result.trajectoryHash)")
                total.combine(result.trajectoryHash)
            } catch {
                // The episode is lost, not the run: the next reset starts clean.
                failures += 1
                try traceWriter?.flush()
                print("episode \(episode) error=\(error.kind): \(error)")
                total.combine(error.kind)
            }
        }
        try traceWriter?.flush()
        print("run hash=\(total.hex)")
        if failures > 0 {
            print("\(failures) of \(episodes) episode(s) failed")
            throw ExitCode(1)
        }
    }
}
