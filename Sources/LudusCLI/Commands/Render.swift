import ArgumentParser
import Foundation
import Ludus
import LudusLua

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a level after reset (and optional steps of an agent) as terminal text or an image.",
        discussion: "Images come from the script's E.render_image (SVG); PNG output converts it with rsvg-convert or ImageMagick when present.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case ansi, svg, png }

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment id or a .lua file.") var environment: String
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter value (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @Option(help: "Steps to take before rendering.") var steps: Int = 0
    @Option(help: "The agent that takes the steps, in every seat: random, mcts:N, ppo:PATH (a trained student shows its gait)...")
    var agent: String = "random"
    @Option(help: "ansi, svg or png (default: from --out's extension, else ansi).") var format: Format?
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var out: String?
    @Option(help: "In a game with private observations: show only this seat's view (E.observe) instead of the omniscient rendering.")
    var seat: Int?
    @Option(help: ArgumentHelp("Render this level file (from `ludus levels`).", valueName: "file")) var level: String?

    func run() throws {
        let env = try options.load(environment)
        let spec = env.spec
        var params = try spec.parameters.parse(params, environment: spec.id)
        if let level { params = try LevelFile.load(level, for: env, params: params).level.params(params) }
        let agents = try (0..<spec.players).map { _ in try AgentFactory.make(agent, for: spec, limits: options.limits) }
        // The steps before the picture are an episode like any other (cut after --steps).
        let result = try EpisodeDriver(environment: env).play(seed: seed, params: params, agents: agents, limit: steps)
        if case .forfeit(let player, let reason) = result.outcome {
            throw CommandFailure("the agent in seat \(player) forfeited after \(result.length) step(s): \(reason)")
        }
        if let seat {
            guard spec.hasPrivateObservations else { throw CommandFailure("\(spec.id) has no E.observe: every seat sees the same, use the rendering") }
            guard (1...spec.players).contains(seat) else { throw CommandFailure("--seat must be in 1...\(spec.players)") }
            try emit(JSON.encode(try env.observation(of: seat)) + (spec.hasInformationStates ? "\ninformation state: " + (try env.informationState(of: seat)) : ""))
            return
        }
        let chosen = format ?? out.flatMap { Format(rawValue: URL(fileURLWithPath: $0).pathExtension.lowercased()) } ?? .ansi
        switch chosen {
        case .ansi:
            guard let text = try env.render() else { throw CommandFailure("\(spec.id) has no E.render") }
            try emit(text)
        case .svg, .png:
            guard spec.functions.contains("render_image") else { throw CommandFailure("\(spec.id) has no E.render_image") }
            guard let svg = try env.call("render_image", [], results: 1).first?.stringValue else {
                throw CommandFailure("E.render_image must return an SVG document as a string")
            }
            if chosen == .svg { try emit(svg) } else { try writePNG(svg) }
        }
    }

    func emit(_ text: String) throws {
        if let out { try text.write(toFile: out, atomically: true, encoding: .utf8) } else { print(text) }
    }

    func writePNG(_ svg: String) throws {
        guard let out else { throw CommandFailure("--format png needs --out FILE") }
        // Sanitized and converted in a private empty folder: an SVG must not draw local files.
        do { try PNGConverter.convert(svg: svg, to: out) } catch let error as PNGConverter.Failure { throw CommandFailure(error.description) }
    }
}
