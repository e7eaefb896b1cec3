import Foundation
import GRDB
import LudusLua

/// The eval section, read generically so it shows whatever `ludus eval` stores: every
/// table named `eval_*` with a `run_id`, a score column (`success`, `correct`, `score`, `passed`,
/// `pass`, `accuracy`, `reward`) and a difficulty (`difficulty` or the numeric entries of a
/// JSON `params` column) gives accuracy by difficulty per run; `pass_at_k` columns by k.
struct EvalSection {
    var database: ReportDatabase
    var selection: [RunSelection]

    static let scoreColumns = ["success", "correct", "score", "passed", "pass", "accuracy", "reward"]

    func build(notes: inout [String]) -> ReportSection? {
        let tables = database.tables.keys.filter { $0 == "eval" || $0.hasPrefix("eval_") }.sorted()
        guard !tables.isEmpty else { return nil }
        var scoredRows = 0
        var section = ReportSection(kind: "eval", title: "Evaluations (ludus eval)",
                                    summary: "Tables \(tables.joined(separator: ", ")) of \(database.path): mean score by difficulty per run.")
        var runsShown = false
        if database.has("eval_run", "id") {
            let runs = database.rows("SELECT * FROM eval_run ORDER BY id", notes: &notes)
            if let first = runs.first {
                let columns = Array(first.columnNames.prefix(8))
                var block = ReportBlock(title: "Evaluation runs")
                block.tables.append(ReportTable(caption: "eval_run", header: columns, rows: runs.map { r in columns.map { String((r.string($0) ?? "").prefix(120)) } }))
                block.commands = runs.compactMap { $0.string("command") }
                section.blocks.append(block)
                runsShown = true
            }
        }
        for table in tables where table != "eval_run" {
            guard let columns = database.tables[table], columns.contains("run_id"),
                  let scoreColumn = Self.scoreColumns.first(where: columns.contains) else { continue }
            var rowsOut: [Value] = []
            for r in database.rows("SELECT * FROM \(table.quotedDatabaseIdentifier)", notes: &notes) {
                guard let run = r.int("run_id"), RunSelection.admits(selection, kind: .eval, id: Int64(run)),
                      let score = r.double(scoreColumn) else { continue }
                var difficulties: [(String, Double)] = []
                if let d = r.double("difficulty") { difficulties.append(("difficulty", d)) }
                if let params = (try? JSON.decode(r.string("params") ?? ""))?.tableValue {
                    for (name, value) in params.sorted(by: { $0.key < $1.key }) { if let d = CurriculumMap.numeric(value) { difficulties.append((name, d)) } }
                }
                if difficulties.isEmpty { difficulties.append(("all", 0)) }
                for (name, d) in difficulties {
                    rowsOut.append(VegaLite.row(["run": .string("run \(run)"), "difficulty": .string(name), "value": .number(d), "score": .number(score)]))
                }
            }
            scoredRows += rowsOut.count
            var block = ReportBlock(title: "\(table): mean \(scoreColumn) by difficulty")
            guard !rowsOut.isEmpty else {
                block.notes.append("no scored rows in \(table)")
                section.blocks.append(block)
                continue
            }
            block.charts.append(ReportChart(title: "Mean \(scoreColumn) by difficulty", spec: VegaLite.compound(rows: rowsOut, """
                "facet":{"column":{"field":"difficulty","type":"nominal","title":null}},"resolve":{"scale":{"x":"independent"}},
                "spec":{"width":240,"height":180,"mark":{"type":"line","point":true},
                  "encoding":{"x":{"field":"value","type":"quantitative","title":"value","scale":{"zero":false}},
                    "y":{"aggregate":"mean","field":"score","type":"quantitative","title":"mean \(scoreColumn)"},"color":{"field":"run","type":"nominal"}}}
                """)))
            section.blocks.append(block)
        }
        // Tables that exist but hold nothing (every database migrates them) are no eval run.
        guard scoredRows > 0 || runsShown else { return nil }
        return section
    }
}
