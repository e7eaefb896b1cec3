import ArgumentParser
import Logging
import Ludus

@main
struct LudusCommand: ParsableCommand {
    // Every subcommand names itself (`commandName:`): a derived name is `String(describing:)` of
    // the type, whose dynamic casts scan every protocol conformance record of the binary, and
    // ArgumentParser derives all of them at each start: a fifth of the instructions of a
    // `ludus score` start.
    static let configuration = CommandConfiguration(
        commandName: "ludus",
        abstract: "A self-play arena for Lua-scripted environments.",
        subcommands: [List.self, Info.self, Run.self, Check.self, Bench.self, Play.self, ReplayCommand.self, Render.self, Generate.self, Score.self, TournamentCommand.self, RatingsCommand.self, Merge.self, CriticCommand.self, Teach.self, SelfPlay.self, BenchGMM.self, Eval.self, ExploitabilityCommand.self, Levels.self, ReportCommand.self]
    )

    /// Stops OpenBLAS's idle pool before any command runs: its threads spin for a while after
    /// the binary loads and take the second core from tournament workers and benches. A
    /// command that does use BLAS (a PPO student) starts the pool again on its first call.
    static func main() {
        Dataset.stopIdleBLASThreads()
        main(nil)
    }

    static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }
}
