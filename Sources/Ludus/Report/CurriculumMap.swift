import Foundation
import LudusLua

/// A run's curriculum map: the parameters the teacher sampled, episode by episode, one
/// panel per parameter, coloured by success (PLR's replayed levels as crosses).
struct CurriculumMap {
    var run: TeachRun
    /// Points drawn per run at most (every k-th episode beyond it).
    var maxPoints = 3000

    func chart() -> ReportChart? {
        guard !run.episodes.isEmpty else { return nil }
        let names = orderedUnique(run.episodes.flatMap { $0.params.keys.sorted() }).filter { name in
            run.episodes.contains { Self.numeric($0.params[name]) != nil }
        }
        let varied = Set((run.config["vary"].tableValue ?? [:]).keys)
        let shown = names.filter { varied.isEmpty || varied.contains($0) }
        guard !shown.isEmpty else { return nil }
        let stride = max(1, (run.episodes.count * shown.count + maxPoints - 1) / maxPoints)
        var rows: [Value] = []
        for (i, episode) in run.episodes.enumerated() where i % stride == 0 || i == run.episodes.count - 1 {
            let detail = detail(episode)
            for name in shown {
                guard let value = Self.numeric(episode.params[name]) else { continue }
                rows.append(VegaLite.row(["episode": .int(Int64(episode.episode)), "param": .string(name), "value": .number(value),
                                          "outcome": .string(episode.success ? "success" : "failure"),
                                          "level": .string(episode.replay ? "replayed" : "new"), "detail": .string(detail)]))
            }
        }
        let thinned = stride > 1 ? " Every \(stride)th episode is drawn (\(run.episodes.count) in all)." : ""
        return ReportChart(title: "Curriculum map: parameters sampled by \(run.teacher)",
                           caption: "Each point is a training episode: the value the teacher chose, coloured by success.\(thinned) Click a point for its seed and params.",
                           spec: VegaLite.compound(rows: rows, """
            "facet":{"row":{"field":"param","type":"nominal","title":null}},
            "resolve":{"scale":{"y":"independent"}},
            "spec":{"width":400,"height":\(shown.count > 2 ? 110 : 160),
              "mark":{"type":"point","filled":true,"size":22,"opacity":0.6,"cursor":"pointer"},
              "encoding":{
                "x":{"field":"episode","type":"quantitative","title":"training episode"},
                "y":{"field":"value","type":"quantitative","title":"value","scale":{"zero":false}},
                "color":{"field":"outcome","type":"nominal","scale":{"domain":["success","failure"],"range":["#2a9d4b","#d1495b"]}},
                "shape":{"field":"level","type":"nominal","scale":{"domain":["new","replayed"],"range":["circle","cross"]}},
                "tooltip":[{"field":"episode"},{"field":"param"},{"field":"value"},{"field":"outcome"},{"field":"level"}]}}
            """))
    }

    func detail(_ episode: TeachEpisodeRow) -> String {
        let params = episode.params.sorted { $0.key < $1.key }.map { "\($0.key)=\(TeachRun.text($0.value))" }.joined(separator: " ")
        let seed = episode.seed.map { "seed \($0), " } ?? ""
        return "teach run \(run.id), episode \(episode.episode): \(seed)params \(params)\(episode.replay ? " (a replayed level)" : ""), \(episode.success ? "success" : "failure"). No `ludus replay` for it: the student's actions are not stored. Reproduce the run: \(run.command(db: run.database))"
    }

    static func numeric(_ value: Value?) -> Double? {
        switch value {
        case .int(let i)?: return Double(i)
        case .number(let d)? where d.isFinite: return d
        case .bool(let b)?: return b ? 1 : 0
        default: return nil
        }
    }
}

/// What a teacher believed along a run: PLR's level scores (the student's score of each
/// episode, replayed or new), and the states teachers record at each evaluation
/// (ALP-GMM's Gaussians, SEC's arm probabilities; table `teach_teacher_state`).
struct TeacherStateCharts {
    var run: TeachRun

    func charts() -> [ReportChart] {
        var charts: [ReportChart] = []
        if let buffer = plrBuffer() { charts.append(buffer) } else if run.teacher.hasPrefix("plr"), let plr = plrScores() { charts.append(plr) }
        if let arms = armProbabilities() { charts.append(arms) }
        if let gaussians = gaussians() { charts.append(gaussians) }
        return charts
    }

    func plrScores() -> ReportChart? {
        let scored = run.episodes.filter { $0.studentScore?.isFinite == true }
        guard !scored.isEmpty else { return nil }
        let stride = max(1, scored.count / 3000)
        let rows = scored.enumerated().filter { $0.offset % stride == 0 }.map { _, e in
            VegaLite.row(["episode": .int(Int64(e.episode)), "score": .number(e.studentScore!), "level": .string(e.replay ? "replayed" : "new")])
        }
        return ReportChart(title: "PLR: the student's score of each level (mean |GAE advantage|)",
                           caption: "What PLR ranks its buffer by; replayed levels against new ones.", spec: VegaLite.spec(rows: rows, height: 180, """
            "mark":{"type":"point","filled":true,"size":18,"opacity":0.5},
            "encoding":{"x":{"field":"episode","type":"quantitative","title":"training episode"},
              "y":{"field":"score","type":"quantitative","title":"level score"},
              "color":{"field":"level","type":"nominal","scale":{"domain":["new","replayed"]}}}
            """))
    }

    /// PLR: `{"levels": [{"params": {...}, "score": s, "staleness": t}, ...]}` at each evaluation.
    func plrBuffer() -> ReportChart? {
        var rows: [Value] = []
        for (episode, state) in run.snapshots where state["kind"].stringValue == "plr" {
            for level in state["levels"].arrayValue ?? [] {
                guard let score = level["score"].doubleValue, score.isFinite else { continue }
                let params = (level["params"].tableValue ?? [:]).sorted { $0.key < $1.key }
                let first = params.first.flatMap { CurriculumMap.numeric($0.value) }
                rows.append(VegaLite.row(["episode": .int(Int64(episode)), "score": .number(score), "value": VegaLite.number(first),
                                          "param": .string(params.first?.key ?? "level"), "staleness": level["staleness"],
                                          "level": .string(params.map { "\($0.key)=\(TeachRun.text($0.value))" }.joined(separator: " "))]))
            }
        }
        guard !rows.isEmpty else { return nil }
        return ReportChart(title: "PLR: the level buffer's scores at each evaluation", caption: "The 200 best-scored levels in the buffer, coloured by the first parameter's value.",
                           spec: VegaLite.spec(rows: rows, height: 180, """
            "mark":{"type":"point","filled":true,"size":24,"opacity":0.6},
            "encoding":{"x":{"field":"episode","type":"quantitative","title":"training episode"},
              "y":{"field":"score","type":"quantitative","title":"level score"},
              "color":{"field":"value","type":"quantitative","title":"parameter value"},
              "tooltip":[{"field":"level"},{"field":"score","format":".3f"},{"field":"staleness"}]}
            """))
    }

    /// SEC: `{"arms": [{"label": ..., "probability": p}, ...]}` at each evaluation.
    func armProbabilities() -> ReportChart? {
        var rows: [Value] = []
        var labels: [String] = []
        for (episode, state) in run.snapshots {
            for arm in state["arms"].arrayValue ?? [] {
                if let label = arm["label"].stringValue, !labels.contains(label) { labels.append(label) }
                guard let p = arm["probability"].doubleValue else { continue }
                rows.append(VegaLite.row(["episode": .int(Int64(episode)), "arm": .string(arm["label"].stringValue ?? "?"), "probability": .number(p),
                                          "index": .int(Int64(labels.firstIndex(of: arm["label"].stringValue ?? "") ?? 0))]))
            }
        }
        guard !rows.isEmpty else { return nil }
        return ReportChart(title: "SEC: arm probabilities over training", spec: VegaLite.spec(rows: rows, height: 180, """
            "mark":{"type":"area"},
            "encoding":{"x":{"field":"episode","type":"quantitative","title":"training episode"},
              "y":{"field":"probability","type":"quantitative","stack":"normalize","title":"probability"},
              "color":{"field":"arm","type":"nominal","sort":\(JSON.encode(.array(labels.map { .string($0) })))},"order":{"field":"index","type":"quantitative"}}
            """))
    }

    /// ALP-GMM: `{"params": [names], "gaussians": [{"mean": [..], "std": [..], "weight": w, "alp": a}]}`.
    func gaussians() -> ReportChart? {
        var rows: [Value] = []
        for (episode, state) in run.snapshots {
            let names = state["params"].arrayValue?.compactMap(\.stringValue) ?? []
            for g in state["gaussians"].arrayValue ?? [] {
                let mean = g["mean"].arrayValue?.compactMap(\.doubleValue) ?? [], std = g["std"].arrayValue?.compactMap(\.doubleValue) ?? []
                for (i, name) in names.enumerated() where i < mean.count && i < std.count {
                    rows.append(VegaLite.row(["episode": .int(Int64(episode)), "param": .string(name), "mean": .number(mean[i]),
                                              "low": .number(mean[i] - 2 * std[i]), "high": .number(mean[i] + 2 * std[i]),
                                              "weight": VegaLite.number(g["weight"].doubleValue), "alp": VegaLite.number(g["alp"].doubleValue)]))
                }
            }
        }
        guard !rows.isEmpty else { return nil }
        return ReportChart(title: "ALP-GMM: the fitted Gaussians at each evaluation", caption: "Per parameter: each Gaussian's mean ± 2σ, thicker for more weight, coloured by its absolute learning progress.",
                           spec: VegaLite.compound(rows: rows, """
            "facet":{"row":{"field":"param","type":"nominal","title":null}},"resolve":{"scale":{"y":"independent"}},
            "spec":{"width":400,"height":140,"layer":[
              {"mark":{"type":"rule","opacity":0.7},"encoding":{"x":{"field":"episode","type":"quantitative","title":"training episode"},
                "y":{"field":"low","type":"quantitative","title":"value"},"y2":{"field":"high"},
                "strokeWidth":{"field":"weight","type":"quantitative","scale":{"range":[1,8]}},"color":{"field":"alp","type":"quantitative","title":"ALP"}}},
              {"mark":{"type":"tick","thickness":2},"encoding":{"x":{"field":"episode","type":"quantitative"},"y":{"field":"mean","type":"quantitative"},"color":{"field":"alp","type":"quantitative"}}}
            ]}
            """))
    }
}
