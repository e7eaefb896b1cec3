import ArgumentParser
import Logging

@main
struct LudusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ludus",
        abstract: "A self-play arena for Lua-scripted environments.",
        subcommands: [List.self, Info.self, Run.self, Check.self, Bench.self, Play.self, ReplayCommand.self, Render.self, Generate.self, Score.self, TournamentCommand.self, RatingsCommand.self, Merge.self, CriticCommand.self, Teach.self, SelfPlay.self, BenchGMM.self, Eval.self, ExploitabilityCommand.self, Levels.self, ReportCommand.self]
    )

    static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }
}
