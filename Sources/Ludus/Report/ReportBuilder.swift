import Foundation

/// Reads databases into a ``Report``: one section per run kind found, each saying what it
/// shows and what is partial or missing. Nothing here throws for a database that opens:
/// an empty file, an older schema or a killed run is described on the page.
public struct ReportBuilder {
    public var selection: [RunSelection]
    /// Resamples of the stratified bootstrap behind every interval (seeded: same page every time).
    public var bootstrap = StratifiedBootstrap(reps: 2000, seed: 0)

    public init(selection: [RunSelection] = []) { self.selection = selection }

    /// - Throws: ``ReportError/missing(path:)`` when a path names no file (a typo should fail, not draw an empty page).
    public func build(databases paths: [String]) throws(ReportError) -> Report {
        var report = Report(databases: paths)
        var teach: [TeachRun] = [], tournaments: [TournamentData] = [], critics: [CriticData] = [], selfplay: [SelfPlayData] = []
        var evals: [ReportSection] = []
        for path in paths {
            let database: ReportDatabase
            do { database = try ReportDatabase(path: path) } catch {
                if case .missing = error { throw error }
                report.notes.append("\(error); nothing from it is shown")
                continue
            }
            var notes: [String] = []
            let ludus = ["tournament", "teach_run", "critic_run", "selfplay_run", "grdb_migrations"].contains { database.tables[$0] != nil }
            if database.tables.isEmpty {
                report.notes.append("\(path) is empty (no tables): no run has been recorded in it yet")
                continue
            }
            if !ludus && !database.tables.keys.contains(where: { $0.hasPrefix("eval") }) {
                report.notes.append("\(path) is not a Ludus database (tables: \(database.tables.keys.sorted().prefix(8).joined(separator: ", "))): nothing from it is shown")
                continue
            }
            let missing = ["teach_run", "tournament", "critic_run", "selfplay_run", "checkpoint"].filter { database.tables[$0] == nil }
            if !missing.isEmpty, database.tables["grdb_migrations"] != nil {
                let applied = database.rows("SELECT identifier FROM grdb_migrations", notes: &notes).compactMap { $0.string("identifier") }
                report.notes.append("\(path) has no \(missing.joined(separator: ", ")) table(s) (schema migrations applied: \(applied.joined(separator: ", "))): those kinds are not recorded in it")
            }
            let t = database.teachRuns(selection: selection, notes: &notes)
            let g = database.tournaments(selection: selection, notes: &notes)
            let c = database.criticRuns(selection: selection, notes: &notes)
            let s = database.selfPlayRuns(selection: selection, notes: &notes)
            if let e = EvalSection(database: database, selection: selection).build(notes: &notes) { evals.append(e) }
            if t.isEmpty && g.isEmpty && c.isEmpty && s.isEmpty && evals.isEmpty {
                report.notes.append(selection.isEmpty ? "\(path) holds no recorded run yet" : "\(path) holds no run matching --run \(selection.map(\.text).joined(separator: " "))")
            }
            teach += t; tournaments += g; critics += c; selfplay += s
            report.notes += notes
        }
        if !teach.isEmpty { report.sections.append(TeachSection(runs: teach, bootstrap: bootstrap).build()) }
        if !tournaments.isEmpty { report.sections.append(TournamentSection(tournaments: tournaments).build()) }
        if !critics.isEmpty { report.sections.append(CriticSection(runs: critics).build()) }
        if !selfplay.isEmpty { report.sections.append(SelfPlaySection(runs: selfplay).build()) }
        report.sections += evals
        return report
    }
}

extension RunSelection {
    var text: String { (kind.map { $0 + ":" } ?? "") + String(id) }
}
