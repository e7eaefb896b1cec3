import Foundation
import GRDB
import LudusLua

/// A stored `ludus teach` run, as the report reads it.
struct TeachRun {
    var database: String
    var id: Int64
    var environment: String
    var teacher: String
    var student: String
    var config: Value
    var evaluations: [(episode: Int, mastered: Double, meanReturn: Double)] = []
    var episodes: [TeachEpisodeRow] = []
    var failures = 0
    /// Episodes done at the last checkpoint (nil: none committed or not recorded).
    var checkpointed: Int?
    /// The teacher's recorded state at each evaluation (``TeacherSnapshot``), when stored.
    var snapshots: [(episode: Int, state: Value)] = []

    var plannedEpisodes: Int? { config["episodes"].intValue }
    var seed: String { config["seed"].intValue.map(String.init) ?? config["seed"].stringValue ?? "?" }
    var lastEpisode: Int { max(episodes.last?.episode ?? 0, evaluations.last?.episode ?? 0) }

    /// Runs with the same settings but the seed are seeds of one experiment.
    var groupKey: String {
        var fields = config.tableValue ?? [:]
        fields["seed"] = nil
        return environment + "|" + teacher + "|" + student + "|" + JSON.encode(.table(fields))
    }

    /// The command that reproduces the run.
    func command(db: String) -> String {
        var words = ["ludus", "teach", environment, "--teacher", teacher, "--student", student]
        if let n = config["episodes"].intValue { words += ["--episodes", String(n)] }
        words += ["--seed", seed]
        if let n = config["test_set"].intValue { words += ["--test-set", String(n)] }
        if let n = config["eval_every"].intValue { words += ["--eval-every", String(n)] }
        for (name, value) in (config["params"].tableValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            words += ["--param", "\(name)=\(Self.text(value))"]
        }
        for (name, range) in (config["vary"].tableValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let bounds = range.arrayValue?.compactMap(\.doubleValue) ?? []
            words += ["--vary", bounds.count == 2 && range.arrayValue?.count == 2 ? "\(name)=\(Self.text(.number(bounds[0])))..\(Self.text(.number(bounds[1])))" : name]
        }
        for (name, value) in (config["test_params"].tableValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            words += ["--test-param", "\(name)=\(Self.text(value))"]
        }
        words += ["--db", db]
        return words.map(Format.shell).joined(separator: " ")
    }

    /// A parameter value as `--param` takes it (`6`, not `6.0`).
    static func text(_ value: Value) -> String {
        switch value {
        case .number(let d) where d == d.rounded() && abs(d) < 1e15: return String(Int64(d))
        case .string(let s): return s
        default: return JSON.encode(value)
        }
    }
}

struct TeachEpisodeRow {
    var episode: Int
    var params: [String: Value]
    var success: Bool
    var normalizedReturn: Double
    var seed: String?
    var replay: Bool
    var studentScore: Double?
}

extension Value {
    var tableValue: [String: Value]? { if case .table(let t) = self { return t } else { return nil } }
}

extension ReportDatabase {
    /// Every teach run, with its rows; what is missing goes to `notes`.
    func teachRuns(selection: [RunSelection], notes: inout [String]) -> [TeachRun] {
        guard has("teach_run", "id", "environment", "teacher", "student", "config") else { return [] }
        let checkpoints = checkpoints("teach", notes: &notes)
        var runs: [TeachRun] = []
        for row in rows("SELECT id, environment, teacher, student, config FROM teach_run ORDER BY id", notes: &notes) {
            let id: Int64 = row["id"]
            guard RunSelection.admits(selection, kind: .teach, id: id) else { continue }
            let config = (try? JSON.decode(row.string("config") ?? "")) ?? .table([:])
            var run = TeachRun(database: path, id: id, environment: row.string("environment") ?? "?", teacher: row.string("teacher") ?? "?",
                               student: row.string("student") ?? "?", config: config, checkpointed: checkpoints[id])
            if has("teach_eval", "run_id", "episode", "mastered", "mean_return") {
                run.evaluations = rows("SELECT episode, mastered, mean_return FROM teach_eval WHERE run_id = ? ORDER BY episode", [id], notes: &notes)
                    .compactMap { r in
                        guard let e = r.int("episode"), let m = r.double("mastered"), let mr = r.double("mean_return") else { return nil }
                        return (e, m, mr)
                    }
            }
            if has("teach_episode", "run_id", "episode", "params", "success") {
                let extra = ["seed", "replay", "student_score", "normalized_return"].filter { tables["teach_episode"]!.contains($0) }
                let columns = (["episode", "params", "success"] + extra).joined(separator: ", ")
                run.episodes = rows("SELECT \(columns) FROM teach_episode WHERE run_id = ? ORDER BY episode", [id], notes: &notes).compactMap { r in
                    guard let e = r.int("episode") else { return nil }
                    let params = (try? JSON.decode(r.string("params") ?? "{}"))?.tableValue ?? [:]
                    return TeachEpisodeRow(episode: e, params: params, success: (r.int("success") ?? 0) != 0,
                                           normalizedReturn: r.double("normalized_return") ?? .nan, seed: r.string("seed"),
                                           replay: (r.int("replay") ?? 0) != 0, studentScore: r.double("student_score"))
                }
            }
            if has("teach_failure", "run_id") {
                run.failures = rows("SELECT COUNT(*) AS n FROM teach_failure WHERE run_id = ?", [id], notes: &notes).first?.int("n") ?? 0
            }
            if has("teach_teacher_state", "run_id", "episode", "state") {
                run.snapshots = rows("SELECT episode, state FROM teach_teacher_state WHERE run_id = ? ORDER BY episode", [id], notes: &notes).compactMap { r in
                    guard let e = r.int("episode"), let state = try? JSON.decode(r.string("state") ?? "") else { return nil }
                    return (e, state)
                }
            }
            runs.append(run)
        }
        return runs
    }
}
