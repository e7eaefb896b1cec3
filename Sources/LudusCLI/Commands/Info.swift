import ArgumentParser
import Ludus

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show an environment's spaces, parameters and facts.")

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment id or a .lua file.") var environment: String

    func run() throws {
        let spec = try options.load(environment).spec
        print("\(spec.name) \(spec.version)")
        print("  \(spec.description)")
        print("  file:              \(spec.path)")
        print("  players:           \(spec.players) (\(spec.roles.joined(separator: ", ")))")
        print("  observation space: \(spec.observationSpace)")
        print("  action space:      \(spec.actionSpace)")
        if let range = spec.rewardRange { print("  reward range:      [\(range.lowerBound), \(range.upperBound)]") }
        if let threshold = spec.successThreshold { print("  success threshold: \(threshold)") }
        if let steps = spec.maxSteps { print("  max steps:         \(steps)") }
        print("  functions:         \(spec.functions.sorted().joined(separator: ", "))")
        if !spec.gameParameters.isEmpty {
            print("  game params:       fixed at load, given with the name: \(spec.id)(name=value,...)")
            for p in spec.gameParameters.parameters {
                let text = p.description.isEmpty ? "" : "  \(p.description)"
                let value = spec.gameParams[p.name].map { ", now \(JSON.encode($0))" } ?? ""
                print("    \(p.name): \(p.kind.rawValue), \(p.domain), default \(JSON.encode(p.defaultValue))\(value)\(text)")
            }
        }
        if spec.parameters.isEmpty {
            print("  params:            none")
        } else {
            print("  params:")
            for p in spec.parameters.parameters {
                let text = p.description.isEmpty ? "" : "  \(p.description)"
                print("    \(p.name): \(p.kind.rawValue), \(p.domain), default \(JSON.encode(p.defaultValue))\(text)")
            }
        }
    }
}
