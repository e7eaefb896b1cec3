import ArgumentParser
import Foundation
import Ludus
import LudusLua

struct Levels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "levels",
        abstract: "Export generated levels as level files (levels as data: E.level).",
        discussion: """
            Level i is the level of `ludus run ENV --seed S` episode i (same params), written to DIR/level-NNNN.json \
            with the environment id, version, hash and its source (seed, params). Play one with `ludus run ENV --level FILE`, \
            draw it with `ludus render ENV --level FILE`. --mutate N writes, for each level, a child made by N edits (E.mutate) \
            as DIR/level-NNNN-mutated.json.
            """)

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "An environment that declares E.level.") var environment: String
    @Option(help: "Levels to export.") var count: Int = 10
    @Option(help: "Seed of the run the levels come from.") var seed: UInt64 = 0
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter value (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @Option(help: ArgumentHelp("Folder to write the level files to.", valueName: "dir")) var out: String
    @Option(help: "Also write a mutated child of each level, with this many edits.") var mutate: Int?

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        if let mutate, mutate < 1 { throw ValidationError("--mutate must be at least 1") }
    }

    func run() throws {
        let env = try options.load(environment)
        let spec = env.spec
        let resolved = try spec.parameters.parse(params, environment: spec.id)
        let editor = try LevelEditor(environment: env, baseParams: resolved)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let seeds = SeedStreams(root: seed)
        for index in 1...count {
            let episodeSeed = seeds.seed(.episode, index)
            let level = try editor.generate(seed: episodeSeed, params: resolved)
            let name = String(format: "level-%04d", index)
            let source: Value = ["seed": .string(String(episodeSeed)), "params": .table(resolved)]
            try LevelFile(spec: spec, level: level, source: source).write(to: "\(out)/\(name).json")
            var line = "\(name).json hash=\(level.hash) seed=\(episodeSeed)"
            if let solvable = try editor.solvable(level) { line += " solvable=\(solvable)" }
            if let mutate {
                let child = try editor.mutate(level, edits: mutate, seed: SeedStreams(root: episodeSeed).seed(.teacher, 0))
                try LevelFile(spec: spec, level: child, source: ["parent": .string(level.hash), "edits": .int(Int64(mutate))])
                    .write(to: "\(out)/\(name)-mutated.json")
                line += " mutated=\(child.hash)"
            }
            print(line)
        }
    }
}
