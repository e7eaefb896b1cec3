import ArgumentParser
import Foundation
import Ludus

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay given actions and write every step as JSON lines.",
        discussion: "FILE holds one JSON object per episode: {\"seed\": 1, \"params\": {...}, \"actions\": [2, 0, 5]}.")

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment id or a .lua file.") var environment: String
    @Option(help: ArgumentHelp("Episodes to replay (JSON lines).", valueName: "file")) var episodes: String
    @Option(help: ArgumentHelp("Where to write the trace (JSON lines).", valueName: "file")) var trace: String

    func run() throws {
        LudusCommand.bootstrapLogging()
        let env = try options.load(environment)
        guard let text = try? String(contentsOfFile: episodes, encoding: .utf8) else {
            throw CommandFailure("cannot read \(episodes)")
        }
        var list: [ReplayEpisode] = []
        for (number, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                list.append(try ReplayEpisode(json: try JSON.decode(String(line))))
            } catch {
                throw CommandFailure("\(episodes):\(number + 1): \(error)")
            }
        }
        let steps: Int
        do { steps = try Replay.run(list, on: env, trace: try TraceWriter(path: trace)) } catch let error as ReplayError {
            throw CommandFailure("\(episodes): \(error)")
        }
        print("replayed \(list.count) episode(s), \(steps) step(s) into \(trace)")
    }
}
