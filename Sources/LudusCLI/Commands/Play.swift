import ArgumentParser
import Foundation
import Ludus
import LudusLua

struct Play: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play an environment yourself in the terminal.",
        discussion: "Type an action (a number, numbers separated by spaces, or text for text actions); 'q' quits, 'r' restarts. In games, the other seats are played by random agents.")

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment id or a .lua file.") var environment: String
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "The seat you play (1-based).") var seat: Int = 1
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter value (repeatable).", valueName: "name=value"))
    var params: [String] = []

    func run() throws {
        LudusCommand.bootstrapLogging()
        let env = try options.load(environment)
        let spec = env.spec
        guard (1...spec.players).contains(seat) else { throw ValidationError("--seat must be in 1...\(spec.players)") }
        let resolved = try spec.parameters.parse(params, environment: spec.id)
        let names = env.spec.actionNames
        print("\(spec.id): \(spec.description)")
        print("actions: \(spec.actionSpace)" + (names.isEmpty ? "" : "  " + names.enumerated().map { "\($0.offset)=\($0.element)" }.joined(separator: " ")))
        var episode = 0
        var legal: [Int] = []
        outer: while true {
            episode += 1
            try env.reset(seed: SeededGenerator.derive(seed, UInt64(episode)), params: resolved)
            let opponents = (0..<spec.players).map { _ in RandomAgent(actionSpace: spec.actionSpace) }
            for (i, agent) in opponents.enumerated() { agent.beginEpisode(seed: SeededGenerator.derive(seed, UInt64(1000 + i)), player: i + 1) }
            var total = Array(repeating: 0.0, count: spec.players)
            var steps = 0
            var chance = SeedStreams(root: SeededGenerator.derive(seed, UInt64(episode))).generator(.chance)
            while true {
                let player = try env.currentPlayer()
                if player == 0 { break }
                try env.legalActions(into: &legal)
                let action: Action
                if player == Chance.player && spec.hasExplicitChance {
                    action = .discrete(ChanceOutcome.sample(try env.chanceOutcomes(), using: &chance).action)
                    print("chance moves")  // the outcome may be a hidden card: not shown
                } else if player == seat {
                    show(env)
                    if !legal.isEmpty { print("legal: \(legal.map { names.indices.contains($0) ? "\($0)=\(names[$0])" : String($0) }.joined(separator: " "))") }
                    print("> ", terminator: "")
                    guard let line = readLine()?.trimmingCharacters(in: .whitespaces) else { break outer }
                    if line == "q" { break outer }
                    if line == "r" { continue outer }
                    guard let parsed = parse(line, names: names, space: spec.actionSpace),
                        legal.isEmpty || legal.contains(parsed.discreteValue ?? -1), spec.actionSpace.contains(parsed)
                    else {
                        print("not a legal action for \(spec.actionSpace); try again")
                        continue
                    }
                    action = parsed
                } else {
                    action = try opponents[player - 1].act(in: env, legalActions: legal)
                    print("player \(player) plays \(action)")
                }
                let step = try env.step(action)
                steps += 1
                for i in total.indices { total[i] += step.rewards[i] }
                if step.isDone || steps >= (spec.maxSteps ?? Int.max) { break }
            }
            show(env)
            print("episode over after \(steps) steps: return \(total.map { String(format: "%.3f", $0) }.joined(separator: ", ")). Enter to play again, q to quit.")
            guard let line = readLine(), line != "q" else { break }
        }
    }

    func show(_ env: LuaEnvironment) {
        // With private observations the omniscient rendering would show every hand: the seat's own view instead.
        if env.spec.hasPrivateObservations {
            print((try? env.observation(of: seat)).map { JSON.encode($0) } ?? "(no view)")
            return
        }
        if let text = try? env.render() { print(text) } else { print(JSON.encode(env.lastObservation)) }
    }

    func parse(_ line: String, names: [String], space: Space) -> Action? {
        switch space {
        case .discrete:
            if let index = names.firstIndex(of: line) { return .discrete(index) }
            return Int(line).map { .discrete($0) }
        case .text: return .text(line)
        default:
            let numbers = line.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
            return numbers.isEmpty ? nil : .vector(numbers)
        }
    }
}

extension Action {
    var discreteValue: Int? { if case .discrete(let i) = self { return i } else { return nil } }
}
