import Foundation
import GRDB
import LudusLua

/// A stored self-play run.
struct SelfPlayData {
    var database: String
    var id: Int64
    var environment: String
    var student: String
    var config: Value
    /// (episode, opponent, games, wins, draws, losses).
    var evaluations: [(episode: Int, opponent: String, games: Int, wins: Int, draws: Int, losses: Int)]
    /// (episode, opponent, return) of training games.
    var episodes: [(episode: Int, opponent: String, value: Double)]
    var failures: Int

    func command() -> String {
        var words = ["ludus", "selfplay", environment, "--student", student]
        if let opponents = config["opponents"].arrayValue?.compactMap(\.stringValue) { words += ["--opponents", opponents.joined(separator: ",")] }
        for (flag, key) in [("--episodes", "episodes"), ("--seed", "seed"), ("--snapshot-every", "snapshot_every"), ("--eval-every", "eval_every"), ("--eval-games", "eval_games")] {
            if let n = config[key].intValue ?? config[key].stringValue.flatMap(Int.init) { words += [flag, String(n)] }
        }
        for param in config["params"].arrayValue?.compactMap(\.stringValue) ?? [] { words += ["--param", param] }
        words += ["--db", database]
        return words.map(Format.shell).joined(separator: " ")
    }
}

extension ReportDatabase {
    func selfPlayRuns(selection: [RunSelection], notes: inout [String]) -> [SelfPlayData] {
        guard has("selfplay_run", "id", "environment") else { return [] }
        return rows("SELECT * FROM selfplay_run ORDER BY id", notes: &notes).compactMap { row in
            let id: Int64 = row["id"]
            guard RunSelection.admits(selection, kind: .selfplay, id: id) else { return nil }
            let evaluations = !has("selfplay_eval", "run_id", "episode", "opponent", "games", "wins", "draws", "losses") ? [] :
                rows("SELECT * FROM selfplay_eval WHERE run_id = ? ORDER BY episode, opponent", [id], notes: &notes).map { r in
                    (r.int("episode") ?? 0, r.string("opponent") ?? "?", r.int("games") ?? 0, r.int("wins") ?? 0, r.int("draws") ?? 0, r.int("losses") ?? 0)
                }
            let episodes = !has("selfplay_episode", "run_id", "episode", "opponent", "return") ? [] :
                rows("SELECT episode, opponent, return FROM selfplay_episode WHERE run_id = ? ORDER BY episode", [id], notes: &notes).map { r in
                    (r.int("episode") ?? 0, r.string("opponent") ?? "?", r.double("return") ?? .nan)
                }
            let failures = has("selfplay_failure", "run_id")
                ? rows("SELECT COUNT(*) AS n FROM selfplay_failure WHERE run_id = ?", [id], notes: &notes).first?.int("n") ?? 0 : 0
            return SelfPlayData(database: path, id: id, environment: row.string("environment") ?? "?", student: row.string("student") ?? "?",
                                config: (try? JSON.decode(row.string("config") ?? "")) ?? .table([:]), evaluations: evaluations,
                                episodes: episodes, failures: failures)
        }
    }
}

/// The self-play section: the student's score against each fixed opponent at every
/// evaluation (wins 1, draws ½), and its training return per opponent.
struct SelfPlaySection {
    var runs: [SelfPlayData]

    func build() -> ReportSection {
        var section = ReportSection(kind: "selfplay", title: "Self-play (ludus selfplay)",
                                    summary: "\(runs.count) run(s). Score against each fixed opponent over training (wins 1, draws ½, with a 95% Wilson interval), and the training return per opponent.")
        for run in runs {
            var block = ReportBlock(title: "Self-play run \(run.id): \(run.student) on \(run.environment)")
            block.commands = [run.command()]
            let planned = run.config["episodes"].intValue
            let done = max(run.episodes.last?.episode ?? 0, run.evaluations.last?.episode ?? 0)
            if let planned, done < planned {
                block.notes.append("partial: \(done) of \(planned) episodes recorded (still running, or stopped: the same command with --resume finishes it)")
            }
            if run.failures > 0 { block.notes.append("\(run.failures) game(s) failed and were recorded in selfplay_failure") }
            if run.evaluations.isEmpty { block.notes.append("no evaluation recorded yet: no score curve") } else {
                let rows = run.evaluations.map { e -> Value in
                    let score = e.games == 0 ? Double.nan : (Double(e.wins) + 0.5 * Double(e.draws)) / Double(e.games)
                    let (low, high) = Self.wilson(score, games: e.games)
                    return VegaLite.row(["episode": .int(Int64(e.episode)), "opponent": .string(e.opponent), "score": .number(score),
                                         "low": .number(low), "high": .number(high), "record": .string("\(e.wins)-\(e.draws)-\(e.losses)"),
                                         "detail": .string("self-play run \(run.id), evaluation at episode \(e.episode) against \(e.opponent): \(e.wins) wins, \(e.draws) draws, \(e.losses) losses in \(e.games) games. Reproduce: \(run.command())")])
                }
                block.charts.append(ReportChart(title: "Score against each opponent", caption: "Click a point for its record and command.", spec: VegaLite.spec(rows: rows, height: 200, """
                    "encoding":{"x":{"field":"episode","type":"quantitative","title":"training episode"},"color":{"field":"opponent","type":"nominal"}},
                    "layer":[
                      {"mark":{"type":"area","opacity":0.15},"encoding":{"y":{"field":"low","type":"quantitative","title":"score","scale":{"domain":[0,1]}},"y2":{"field":"high"}}},
                      {"mark":{"type":"line","point":{"filled":true,"size":50,"cursor":"pointer"}},"encoding":{"y":{"field":"score","type":"quantitative"},
                        "tooltip":[{"field":"opponent"},{"field":"episode"},{"field":"score","format":".2f"},{"field":"record"}]}}
                    ]
                    """)))
            }
            if !run.episodes.isEmpty {
                let bins = max(1, (run.episodes.last!.episode + 39) / 40)
                var sums: [String: (Double, Int)] = [:]
                for e in run.episodes where e.value.isFinite { sums["\((e.episode - 1) / bins)|\(e.opponent)", default: (0, 0)].0 += e.value; sums["\((e.episode - 1) / bins)|\(e.opponent)"]!.1 += 1 }
                let rows = sums.sorted { $0.key < $1.key }.map { key, sum -> Value in
                    let parts = key.split(separator: "|", maxSplits: 1)
                    return VegaLite.row(["episode": .int(Int64((Int(parts[0]) ?? 0) * bins + bins)), "opponent": .string(String(parts[1])), "return": .number(sum.0 / Double(sum.1))])
                }
                block.charts.append(ReportChart(title: "Training return per opponent", caption: "Mean return of the student's training games in bins of \(bins) episodes.", spec: VegaLite.spec(rows: rows, height: 180, """
                    "mark":{"type":"line"},
                    "encoding":{"x":{"field":"episode","type":"quantitative","title":"training episode"},"y":{"field":"return","type":"quantitative","title":"mean return"},"color":{"field":"opponent","type":"nominal"}}
                    """)))
            }
            section.blocks.append(block)
        }
        return section
    }

    /// The 95% Wilson score interval of a proportion.
    static func wilson(_ p: Double, games: Int) -> (Double, Double) {
        guard games > 0, p.isFinite else { return (.nan, .nan) }
        let n = Double(games), z = 1.959963984540054
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return (max(0, centre - half), min(1, centre + half))
    }
}
