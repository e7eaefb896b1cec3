import ArgumentParser
import Foundation
import Ludus

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check environments against the contract (all of them when none is named).",
        discussion: "Prints one line per problem as file:line: [check] message, and exits non-zero when any check fails."
    )

    @OptionGroup var options: EnvironmentOptions
    @Argument(help: "Environment ids or .lua files.") var environments: [String] = []
    @Option(help: ArgumentHelp("Also write a JUnit XML report to this file.", valueName: "file")) var junit: String?
    @Flag(help: "Write the golden playthroughs instead of comparing with them.") var recordGolden = false
    @Option(help: ArgumentHelp("Folder of golden playthroughs (default: Tests/Golden beside Environments/).", valueName: "dir"))
    var golden: String?
    @Option(help: "Random episodes per environment.") var episodes: Int = 10
    @Option(help: "Seed of the checks.") var seed: UInt64 = 0
    @Flag(help: "List every check, not only problems.") var verbose = false

    func run() throws {
        let catalog = options.catalog
        let scripts = try environments.isEmpty ? catalog.scripts() : environments.map { try catalog.resolve($0) }
        if scripts.isEmpty { throw CommandFailure("no environments to check") }
        var checkOptions = CheckOptions()
        checkOptions.episodes = episodes
        checkOptions.seed = seed
        checkOptions.limits = options.limits
        checkOptions.recordGolden = recordGolden
        checkOptions.goldenDirectory = golden ?? Self.defaultGoldenDirectory()
        let checker = EnvironmentChecker(options: checkOptions)
        var reports: [CheckReport] = []
        for script in scripts {
            let report = checker.check(script, catalog: catalog)
            reports.append(report)
            for problem in report.problems { print(problem) }
            let skipped = report.results.filter { $0.skipped != nil }.map(\.name)
            let summary = report.passed ? "ok" : "FAILED (\(report.problems.count) problem(s))"
            print("\(report.name): \(summary), \(report.results.count) checks\(skipped.isEmpty ? "" : ", skipped: \(skipped.joined(separator: ", "))")")
            if verbose {
                for result in report.results {
                    print("  \(result.passed ? (result.skipped == nil ? "pass" : "skip") : "FAIL") \(result.name)\(result.skipped.map { " (\($0))" } ?? "")")
                }
            }
        }
        if let junit {
            try JUnitReport.xml(reports).write(toFile: junit, atomically: true, encoding: .utf8)
        }
        if recordGolden { print("golden playthroughs written to \(checkOptions.goldenDirectory ?? "-")") }
        if reports.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }

    static func defaultGoldenDirectory() -> String? {
        guard let root = EnvironmentCatalog.bundledRoot() else { return nil }
        return URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("Tests/Golden").path
    }
}
