import ArgumentParser
import Foundation
import Ludus

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One self-contained HTML page of the runs stored in one or more databases.",
        discussion: """
            A section per stored run kind: teach (learning curves across seeds with IQM and 95% stratified-bootstrap \
            bands, curriculum maps, final table with P(teacher > random)), tournament (ratings with intervals, \
            head-to-head matrix, Elo over games), critic (accuracy, deception, generator policy per round), selfplay \
            (score against each opponent) and eval. Every script and style is inlined: the page opens offline. Each \
            run names the command that reproduces it. An empty database, an older schema or a partial run is said \
            on the page, not an error. See docs/report.md.
            """)

    @Option(help: ArgumentHelp("A Ludus database (repeatable).", valueName: "file")) var db: [String] = []
    @Option(help: ArgumentHelp("The HTML page to write.", valueName: "file")) var out: String = "report.html"
    @Option(name: .customLong("run"), help: ArgumentHelp("Only these runs (repeatable): KIND:ID (teach:3, tournament:1, critic:2, selfplay:1, eval:1) or ID for any kind.", valueName: "id"))
    var runs: [String] = []
    @Flag(help: "Print only the page's path.") var quiet = false

    func validate() throws {
        guard !db.isEmpty else { throw ValidationError("give at least one --db FILE") }
        for item in runs where RunSelection(item) == nil {
            throw ValidationError("--run \(item): expected KIND:ID (kinds: \(ReportKind.allCases.map(\.rawValue).joined(separator: ", "))) or a number")
        }
    }

    func run() throws {
        let report: Report
        let html: String
        do {
            report = try ReportBuilder(selection: runs.compactMap(RunSelection.init)).build(databases: db)
            html = try ReportPage(report: report).html()
        } catch { throw CommandFailure(error.description) }
        let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(html.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch { throw CommandFailure(ReportError.cannotWrite(path: out, reason: error.localizedDescription).description) }
        if !quiet {
            for section in report.sections {
                print("\(section.kind): \(section.blocks.count) block(s), \(section.chartCount) chart(s)")
            }
            for note in report.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        }
        print("report written to \(out)")
    }
}
