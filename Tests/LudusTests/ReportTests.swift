import Foundation
@testable import Ludus
import LudusLua
import Testing

@Suite struct ReportTests {
    static func temporary(_ name: String) -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ludus-report-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    /// Two teachers over three seeds, one of them stopped half-way, and a tournament.
    static func database() throws -> String {
        let path = temporary("runs.sqlite")
        let store = try ResultStore(path: path)
        for teacher in ["random", "alp-gmm"] {
            for seed in 1...3 {
                let config = "{\"environment\":\"corridor\",\"teacher\":\"\(teacher)\",\"student\":\"q\",\"episodes\":200,\"seed\":\(seed),\"test_set\":10,\"eval_every\":100,\"params\":{},\"vary\":{\"length\":[5.0,20.0]},\"test_params\":{}}"
                let run = try store.startTeachRun(environment: "corridor", teacher: teacher, student: "q", config: config)
                let stopped = teacher == "alp-gmm" && seed == 3
                for episode in 1...(stopped ? 120 : 200) {
                    try store.recordEpisode(run: run, episode: episode, params: "{\"length\":\(5 + episode % 16)}", return: 1, normalized: 1,
                                            success: episode % 3 != 0, length: 5, seed: UInt64(episode))
                }
                for episode in stride(from: 0, through: stopped ? 100 : 200, by: 100) {
                    let mastered = Double(episode) / 200 * (teacher == "random" ? 0.5 : 0.8) + 0.05 * Double(seed)
                    try store.recordEvaluation(run: run, episode: episode, mastered: mastered, meanReturn: mastered)
                }
            }
        }
        let (tournament, _) = try store.tournament(environment: "tic_tac_toe", agents: ["random", "mcts:5"], config: "{\"gamesPerPair\":2,\"seed\":4}",
                                                   fingerprint: "f", gamesPlanned: 4, resume: false)
        for index in 0..<3 {
            try store.record(GameRecord(tournamentID: tournament.id, gameIndex: index, seed: String(index), seats: index % 2 == 0 ? "[0,1]" : "[1,0]",
                                        returns: "[-1.0,1.0]", length: 7, outcome: "o wins", forfeitSeat: nil, reason: nil, trajectoryHash: "h"))
        }
        return path
    }

    @Test func sectionsStatisticsAndNotes() throws {
        let report = try ReportBuilder().build(databases: [Self.database()])
        #expect(report.sections.map(\.kind) == ["teach", "tournament"])
        let teach = report.sections[0]
        let curves = try #require(teach.blocks.first)
        #expect(curves.commands.count == 6)
        #expect(curves.commands[0] == "ludus teach corridor --teacher random --student q --episodes 200 --seed 1 --test-set 10 --eval-every 100 --vary length=5..20 --db \(report.databases[0])")
        let table = try #require(curves.tables.first)
        #expect(table.rows.map { $0[0] } == ["random", "alp-gmm"])
        // Final mastered: random 0.55, 0.6, 0.65; alp-gmm 0.85, 0.9 and the stopped run's 0.55 (its last evaluation):
        // P(alp-gmm > random) = (3 + 3 + 0.5) / 9.
        #expect(table.rows[0][2].hasPrefix("60.0% ["))
        #expect(table.rows[1][3].hasPrefix("76.7% ["))
        #expect(table.rows[1][5].hasPrefix("0.72 ["), "P(alp-gmm > random): \(table.rows[1])")
        let stopped = teach.blocks.flatMap(\.notes).filter { $0.hasPrefix("partial: 120 of 200 episodes") }
        #expect(stopped.count == 1)
        #expect(report.sections[1].blocks[0].notes.contains { $0.hasPrefix("partial: 3 of 4 games") })
        // Every spec is valid JSON with inline data and the vendored Vega-Lite's schema.
        for chart in report.sections.flatMap({ $0.blocks.flatMap(\.charts) }) {
            let spec = try JSON.decode(chart.spec)
            #expect(spec["$schema"].stringValue == VegaLite.schema)
            #expect(!(spec["data"]["values"].arrayValue ?? []).isEmpty, "\(chart.title) has no data")
        }
    }

    @Test func runSelection() throws {
        let path = try Self.database()
        let report = try ReportBuilder(selection: [RunSelection("teach:2")!, RunSelection("tournament:1")!]).build(databases: [path])
        #expect(report.sections.map(\.kind) == ["teach", "tournament"])
        #expect(report.sections[0].blocks.count == 2)  // curves + run 2
        let none = try ReportBuilder(selection: [RunSelection("critic:9")!]).build(databases: [path])
        #expect(none.sections.isEmpty)
        #expect(none.notes.contains { $0.contains("no run matching --run critic:9") })
        #expect(RunSelection("bogus:1") == nil && RunSelection("x") == nil)
    }

    @Test func badInputIsDescribedNotThrown() throws {
        let empty = Self.temporary("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let text = Self.temporary("text.sqlite")
        #expect(FileManager.default.createFile(atPath: text, contents: Data(String(repeating: "not sqlite\n", count: 200).utf8)))
        let report = try ReportBuilder().build(databases: [empty, text])
        #expect(report.sections.isEmpty)
        #expect(report.notes.contains { $0.contains("is empty") })
        #expect(report.notes.contains { $0.contains("cannot be read as an SQLite database") })
        let html = try ReportPage(report: report).html()
        #expect(html.contains("Nothing to plot"))
        #expect(throws: ReportError.missing(path: "/nonexistent/x.sqlite")) { try ReportBuilder().build(databases: ["/nonexistent/x.sqlite"]) }
    }

    @Test func pageIsSelfContained() throws {
        let html = try ReportPage(report: ReportBuilder().build(databases: [Self.database()])).html()
        #expect(html.contains("window.vegaEmbed="))
        #expect(!html.contains("<script src") && !html.contains("<link "))
        #expect(html.components(separatedBy: "<figure class=\"chart\"").count - 1 == html.components(separatedBy: "type=\"application/json\"").count - 1)
        #expect(ReportPage.runtimeVersion().hasPrefix("vega 6.2.0, vega-lite 6.4"))
    }

    /// Teachers' snapshots go to `teach_teacher_state`, added by an additive migration.
    @Test func teacherSnapshots() throws {
        let env = try Package.catalog.load("corridor")
        let space = try env.spec.parameters.restricted(varying: ["length": 5...20], fixed: [])
        let sec = try TeacherFactory.make("sec", space: space, environment: "corridor")
        let snapshot = try #require((sec as? TeacherSnapshotting)?.reportSnapshot())
        let arms = try #require(snapshot["arms"].arrayValue)
        #expect(!arms.isEmpty)
        #expect(abs(arms.compactMap { $0["probability"].doubleValue }.reduce(0, +) - 1) < 1e-9)
        let alp = try #require(try TeacherFactory.make("alp-gmm", for: env.spec) as? TeacherSnapshotting)
        #expect(alp.reportSnapshot()["gaussians"].arrayValue == [])  // nothing fitted yet
        let path = try Self.database()
        let store = try ResultStore(path: path)
        let batch = ResultBatch()
        batch.teacherState(run: 1, episode: 100, state: JSON.encode(snapshot))
        try store.commit(batch, checkpoint: nil)
        let report = try ReportBuilder(selection: [RunSelection("teach:1")!]).build(databases: [path])
        #expect(report.sections[0].blocks[1].charts.map(\.title).contains("SEC: arm probabilities over training"))
    }
}

extension ReportTests {
    /// A run killed before its first checkpoint: its row is there, none of its episodes.
    @Test func runWithNothingCommittedYet() throws {
        let path = Self.temporary("fresh.sqlite")
        let store = try ResultStore(path: path)
        _ = try store.startTeachRun(environment: "corridor", teacher: "random", student: "q", config: "{\"episodes\":100,\"seed\":1}")
        _ = try store.startCriticRun(environment: "countdown/critic", config: "{\"rounds\":3,\"seed\":1}", errorTypes: ["a"])
        let report = try ReportBuilder().build(databases: [path])
        #expect(report.sections.map(\.kind) == ["teach", "critic"])
        #expect(report.sections.allSatisfy { $0.chartCount == 0 })
        let notes = report.sections.flatMap { $0.blocks.flatMap(\.notes) }
        #expect(notes.contains("no evaluation recorded yet on corridor: no learning curve"))
        #expect(notes.contains("partial: 0 of 100 episodes recorded (still running, or stopped: the same command with --resume finishes it)"))
        #expect(notes.contains("no round recorded: nothing to plot"))
    }
}
