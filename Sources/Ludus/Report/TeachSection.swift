import Foundation
import LudusLua

/// The teach section: learning curves per teacher across seeds (IQM and mean with 95%
/// stratified-bootstrap bands), a curriculum map per run, and the final table teacher ×
/// mastered % with intervals and the probability of beating `random`.
struct TeachSection {
    var runs: [TeachRun]
    var bootstrap: StratifiedBootstrap

    /// Groups of seeds, labelled (`alp-gmm`, or `alp-gmm · ppo` when students differ).
    func groups() -> [(label: String, runs: [TeachRun])] {
        var order: [String] = []
        var byKey: [String: [TeachRun]] = [:]
        for run in runs {
            if byKey[run.groupKey] == nil { order.append(run.groupKey) }
            byKey[run.groupKey, default: []].append(run)
        }
        let students = Set(runs.map(\.student)).count > 1
        var used: [String: Int] = [:]
        return order.map { key in
            let first = byKey[key]![0]
            var label = first.teacher + (students ? " · " + first.student : "")
            used[label, default: 0] += 1
            if used[label]! > 1 { label += " (\(used[label]!))" }
            return (label, byKey[key]!)
        }
    }

    func build() -> ReportSection {
        var section = ReportSection(kind: "teach", title: "Curricula (ludus teach)",
                                    summary: "\(runs.count) run(s). Test-set mastery and mean return at each evaluation, per teacher across seeds: IQM (line) and mean (dashed) with 95% stratified-bootstrap bands; a curriculum map per run; the final table with intervals and P(teacher > random).")
        let groups = groups()
        for environment in orderedUnique(runs.map(\.environment)) {
            let here = groups.filter { $0.runs[0].environment == environment }
            var block = ReportBlock(title: "Learning curves on \(environment)")
            for group in here { block.commands += group.runs.map { $0.command(db: $0.database) } }
            guard here.contains(where: { $0.runs.contains { !$0.evaluations.isEmpty } }) else {
                block.notes.append("no evaluation recorded yet on \(environment): no learning curve")
                section.blocks.append(block)
                continue
            }
            block.charts.append(curve(here, metric: "mastered", title: "Mastered on the held-out test set"))
            block.charts.append(curve(here, metric: "mean_return", title: "Mean test return"))
            block.tables.append(finalTable(here, environment: environment))
            if let profile = profileChart(here) { block.charts.append(profile) }
            section.blocks.append(block)
        }
        for run in runs {
            var block = ReportBlock(title: "Run \(run.id): \(run.teacher) teaching \(run.student) on \(run.environment), seed \(run.seed)")
            block.commands = [run.command(db: run.database)]
            block.notes = progressNotes(run)
            if let map = CurriculumMap(run: run).chart() { block.charts.append(map) } else {
                block.notes.append("no training episodes recorded: no curriculum map")
            }
            block.charts += TeacherStateCharts(run: run).charts()
            section.blocks.append(block)
        }
        return section
    }

    func progressNotes(_ run: TeachRun) -> [String] {
        var notes: [String] = []
        if let planned = run.plannedEpisodes, run.lastEpisode < planned {
            let at = run.checkpointed.map { ", last checkpoint at episode \($0)" } ?? ""
            notes.append("partial: \(run.lastEpisode) of \(planned) episodes recorded\(at) (still running, or stopped: the same command with --resume finishes it)")
        }
        if run.evaluations.isEmpty { notes.append("no evaluation recorded yet: no learning curve for this run") }
        if run.failures > 0 { notes.append("\(run.failures) episode(s) failed and were recorded in teach_failure") }
        return notes
    }

    /// Evaluation episodes → the runs' values at it, per group.
    func curve(_ groups: [(label: String, runs: [TeachRun])], metric: String, title: String) -> ReportChart {
        var rows: [Value] = []
        for group in groups {
            var byEpisode: [Int: [(run: TeachRun, value: Double)]] = [:]
            for run in group.runs {
                for e in run.evaluations { byEpisode[e.episode, default: []].append((run, metric == "mastered" ? e.mastered : e.meanReturn)) }
            }
            for (episode, values) in byEpisode.sorted(by: { $0.key < $1.key }) {
                let matrix = values.map { [$0.value] }
                for (name, aggregate) in [("IQM", Aggregate.iqm), ("mean", Aggregate.mean)] {
                    let estimate = bootstrap.estimate(matrix) { aggregate($0) }
                    rows.append(VegaLite.row(["teacher": .string(group.label), "episode": .int(Int64(episode)), "statistic": .string(name),
                                              "value": VegaLite.number(estimate.value), "low": VegaLite.number(estimate.low),
                                              "high": VegaLite.number(estimate.high), "runs": .int(Int64(values.count))]))
                }
                for (run, value) in values {
                    rows.append(VegaLite.row(["teacher": .string(group.label), "episode": .int(Int64(episode)), "statistic": "run",
                                              "value": VegaLite.number(value), "run": .int(run.id),
                                              "detail": .string("teach run \(run.id) (seed \(run.seed)), evaluation at episode \(episode): \(metric) \(Format.fixed(value)). Reproduce: \(run.command(db: run.database))")]))
                }
            }
        }
        let percent = metric == "mastered"
        let axis = percent ? ",\"axis\":{\"format\":\".0%\"},\"scale\":{\"domain\":[0,1]}" : ""
        return ReportChart(title: title, caption: "Lines: IQM across seeds (dashed: mean); bands: 95% stratified-bootstrap intervals; dots: single runs (click one for its command).", spec: VegaLite.spec(rows: rows, """
            "encoding":{"x":{"field":"episode","type":"quantitative","title":"training episode"},"color":{"field":"teacher","type":"nominal","legend":{"symbolOpacity":1}}},
            "layer":[
              {"transform":[{"filter":"datum.statistic === 'IQM'"}],"mark":{"type":"area","opacity":0.18},
               "encoding":{"y":{"field":"low","type":"quantitative","title":"\(metric == "mastered" ? "mastered" : "mean return")"\(axis)},"y2":{"field":"high"}}},
              {"transform":[{"filter":"datum.statistic !== 'run'"}],"mark":{"type":"line","point":false},
               "encoding":{"y":{"field":"value","type":"quantitative"},"strokeDash":{"field":"statistic","type":"nominal","scale":{"domain":["IQM","mean"]}}}},
              {"transform":[{"filter":"datum.statistic === 'run'"}],"mark":{"type":"point","filled":true,"size":40,"opacity":0.7,"cursor":"pointer"},
               "encoding":{"y":{"field":"value","type":"quantitative"},"tooltip":[{"field":"teacher"},{"field":"run"},{"field":"episode"},{"field":"value","format":".3f"}]}}
            ]
            """))
    }

    /// The final evaluation of each run per group, as a runs × 1 matrix.
    func finals(_ runs: [TeachRun]) -> ScoreMatrix {
        runs.compactMap { $0.evaluations.last.map { [$0.mastered] } }
    }

    func finalTable(_ groups: [(label: String, runs: [TeachRun])], environment: String) -> ReportTable {
        let random = groups.first { $0.runs[0].teacher == "random" }.map { finals($0.runs) }
        let rows: [[String]] = groups.map { group in
            let scores = finals(group.runs)
            guard !scores.isEmpty else { return [group.label, "0", "–", "–", "–", "–"] }
            let iqm = bootstrap.estimate(scores) { Aggregate.iqm($0) }
            let mean = bootstrap.estimate(scores) { Aggregate.mean($0) }
            let gap = bootstrap.estimate(scores) { Aggregate.optimalityGap($0) }
            var improvement = "–"
            if let random, !random.isEmpty, group.runs[0].teacher != "random" {
                improvement = Format.interval(bootstrap.probabilityOfImprovement(scores, over: random), digits: 2)
            }
            return [group.label, String(scores.count), Format.interval(iqm, percent: true), Format.interval(mean, percent: true),
                    Format.interval(gap, digits: 3), improvement]
        }
        return ReportTable(caption: "Final mastered % on \(environment) (last evaluation of each run; 95% stratified-bootstrap intervals, \(bootstrap.reps) resamples)",
                           header: ["teacher", "seeds", "IQM", "mean", "optimality gap", "P(teacher > random)"], rows: rows)
    }

    /// Performance profiles of the final mastered fraction: P(score > τ) per teacher.
    func profileChart(_ groups: [(label: String, runs: [TeachRun])]) -> ReportChart? {
        let thresholds = stride(from: 0.0, through: 1.0, by: 0.05).map { $0 }
        var rows: [Value] = []
        for group in groups {
            let scores = finals(group.runs)
            guard !scores.isEmpty else { continue }
            let profile = bootstrap.estimates(scores) { performanceProfile($0, thresholds: thresholds) }
            for (tau, estimate) in zip(thresholds, profile) {
                rows.append(VegaLite.row(["teacher": .string(group.label), "tau": .number(tau), "value": .number(estimate.value),
                                          "low": .number(estimate.low), "high": .number(estimate.high)]))
            }
        }
        guard !rows.isEmpty else { return nil }
        return ReportChart(title: "Performance profile of the final mastered fraction", caption: "Fraction of runs whose final mastered fraction exceeds τ, with 95% bootstrap bands (rliable's score distributions).",
                           spec: VegaLite.spec(rows: rows, height: 200, """
            "encoding":{"x":{"field":"tau","type":"quantitative","title":"τ (mastered fraction)"},"color":{"field":"teacher","type":"nominal","legend":{"symbolOpacity":1}}},
            "layer":[
              {"mark":{"type":"area","opacity":0.18},"encoding":{"y":{"field":"low","type":"quantitative","title":"fraction of runs > τ","scale":{"domain":[0,1]}},"y2":{"field":"high"}}},
              {"mark":{"type":"line","interpolate":"step-after"},"encoding":{"y":{"field":"value","type":"quantitative"}}}
            ]
            """))
    }
}

func orderedUnique<T: Hashable>(_ items: [T]) -> [T] {
    var seen = Set<T>()
    return items.filter { seen.insert($0).inserted }
}
