import ArgumentParser
import Logging
import Ludus
import LudusLua

/// Where environments are found and the limits they run under.
struct EnvironmentOptions: ParsableArguments {
    @Option(name: .customLong("path"), help: ArgumentHelp("An extra folder of environments (repeatable).", valueName: "dir"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Memory cap of each environment VM, in MiB.", valueName: "mib"))
    var memoryLimit: Int = 256

    @Option(help: ArgumentHelp("Time budget of each reset or step call, in milliseconds (0: none).", valueName: "ms"))
    var timeLimit: Int = 1000

    var limits: LuaLimits { LuaLimits(memoryBytes: memoryLimit << 20, callMilliseconds: timeLimit) }
    var catalog: EnvironmentCatalog { EnvironmentCatalog(extraPaths: paths) }
    var logger: Logger { Logger(label: "ludus.script") }

    func validate() throws {
        guard (1...65_536).contains(memoryLimit) else { throw ValidationError("--memory-limit must be from 1 to 65536 MiB") }
        guard (0...3_600_000).contains(timeLimit) else { throw ValidationError("--time-limit must be from 0 to 3600000 ms") }
    }

    func load(_ name: String) throws -> LuaEnvironment {
        try catalog.load(name, limits: limits, logger: logger)
    }
}

/// Errors reach the user as one clear line, never a crash.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func describe(_ space: Space) -> String { space.description }
