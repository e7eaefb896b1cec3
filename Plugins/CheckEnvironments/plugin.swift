import Foundation
import PackagePlugin

/// `swift package check-environments [ludus check options]`: builds `ludus` and runs
/// the conformance checker over the package's `Environments/` folder.
@main
struct CheckEnvironments: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let tool = try context.tool(named: "ludus")
        let environments = context.package.directoryURL.appendingPathComponent("Environments").path
        let process = Process()
        process.executableURL = tool.url
        process.arguments = ["check"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LUDUS_ENVIRONMENTS"] = environments
        process.environment = environment
        process.currentDirectoryURL = context.package.directoryURL
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Diagnostics.error("ludus check found problems (exit \(process.terminationStatus))")
            throw ExitCode(process.terminationStatus)
        }
    }
}

struct ExitCode: Error, CustomStringConvertible {
    var status: Int32
    init(_ status: Int32) { self.status = status }
    var description: String { "exit \(status)" }
}
