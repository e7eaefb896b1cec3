import ArgumentParser
import Ludus

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the environments found under Environments/ (and --path folders).")

    @OptionGroup var options: EnvironmentOptions

    func run() throws {
        let scripts = options.catalog.scripts()
        if scripts.isEmpty {
            print("no environments found (searched: \(options.catalog.roots.joined(separator: ", ")))")
            return
        }
        var failures = 0
        for script in scripts {
            do {
                let spec = try options.catalog.load(script, limits: options.limits, logger: options.logger).spec
                let params = spec.parameters.parameters.map { "\($0.name)=\($0.compactDomain)" }.joined(separator: " ")
                let game = spec.gameParameters.parameters.map { "\($0.name)=\($0.compactDomain)" }.joined(separator: ",")
                let name = game.isEmpty ? spec.id : "\(spec.id)(\(game))"
                print("\(name)\tplayers=\(spec.players)\tobs=\(spec.observationSpace)\taction=\(spec.actionSpace)\tparams: \(params.isEmpty ? "-" : params)")
            } catch {
                failures += 1
                print("\(script.displayName)\tERROR \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
