import Foundation
import GRDB
import LudusLua

/// A stored generator/critic run.
struct CriticData {
    var database: String
    var id: Int64
    var environment: String
    var config: Value
    var errorTypes: [String]
    var rounds: [CriticRound]
    var checkpointed: Int?

    func command() -> String {
        var words = ["ludus", "critic", environment]
        for (flag, key) in [("--rounds", "rounds"), ("--games-per-round", "games_per_round"), ("--heldout", "heldout"), ("--seed", "seed")] {
            if let n = config[key].intValue { words += [flag, String(n)] }
        }
        for (name, value) in (config["params"].tableValue ?? [:]).sorted(by: { $0.key < $1.key }) { words += ["--param", "\(name)=\(TeachRun.text(value))"] }
        words += ["--db", database]
        return words.map(Format.shell).joined(separator: " ")
    }
}

extension ReportDatabase {
    func criticRuns(selection: [RunSelection], notes: inout [String]) -> [CriticData] {
        guard has("critic_run", "id", "environment"), has("critic_round", "run_id", "round") else { return [] }
        let checkpoints = checkpoints("critic", notes: &notes)
        return rows("SELECT * FROM critic_run ORDER BY id", notes: &notes).compactMap { row in
            let id: Int64 = row["id"]
            guard RunSelection.admits(selection, kind: .critic, id: id) else { return nil }
            let rounds = rows("SELECT * FROM critic_round WHERE run_id = ? ORDER BY round", [id], notes: &notes).map { r in
                CriticRound(round: r.int("round") ?? 0, accuracyOnCorrect: r.double("accuracy_correct") ?? .nan,
                            accuracyOnErroneous: r.double("accuracy_erroneous") ?? .nan, deceptionRate: r.double("deception_rate") ?? .nan,
                            generatorPolicy: (try? JSON.decode(r.string("generator_policy") ?? ""))?.arrayValue?.compactMap(\.doubleValue) ?? [],
                            games: r.int("games") ?? 0)
            }
            return CriticData(database: path, id: id, environment: row.string("environment") ?? "?",
                              config: (try? JSON.decode(row.string("config") ?? "")) ?? .table([:]),
                              errorTypes: (try? JSON.decode(row.string("error_types") ?? ""))?.arrayValue?.compactMap(\.stringValue) ?? [],
                              rounds: rounds, checkpointed: checkpoints[id])
        }
    }
}

/// The critic section: held-out accuracy on correct and erroneous steps per round, the
/// deception rate, and the sneaky generator's policy over error types.
struct CriticSection {
    var runs: [CriticData]

    func build() -> ReportSection {
        var section = ReportSection(kind: "critic", title: "Generator/critic self-play (ludus critic)",
                                    summary: "\(runs.count) run(s). The critic's accuracy on the held-out correct and erroneous steps after each round, how often the generator deceived it, and the generator's policy over error types.")
        for run in runs {
            var block = ReportBlock(title: "Critic run \(run.id) on \(run.environment), seed \(run.config["seed"].intValue.map(String.init) ?? "?")")
            block.commands = [run.command()]
            let planned = run.config["rounds"].intValue
            let done = run.rounds.map(\.round).max() ?? 0
            if let planned, done < planned {
                block.notes.append("partial: \(done) of \(planned) rounds recorded (still running, or stopped: the same command with --resume finishes it)")
            }
            guard !run.rounds.isEmpty else {
                block.notes.append("no round recorded: nothing to plot")
                section.blocks.append(block)
                continue
            }
            var rows: [Value] = []
            for round in run.rounds {
                for (name, value) in [("accuracy on correct steps", round.accuracyOnCorrect), ("accuracy on erroneous steps", round.accuracyOnErroneous),
                                      ("deception rate", round.deceptionRate)] {
                    rows.append(VegaLite.row(["round": .int(Int64(round.round)), "measure": .string(name), "value": VegaLite.number(value)]))
                }
            }
            block.charts.append(ReportChart(title: "Critic accuracy and deception per round", caption: "Round 0 is the untrained critic.", spec: VegaLite.spec(rows: rows, height: 200, """
                "mark":{"type":"line","point":true},
                "encoding":{"x":{"field":"round","type":"quantitative","axis":{"tickMinStep":1}},"y":{"field":"value","type":"quantitative","title":"rate","scale":{"domain":[0,1]}},
                  "color":{"field":"measure","type":"nominal"},"tooltip":[{"field":"round"},{"field":"measure"},{"field":"value","format":".3f"}]}
                """)))
            var policy: [Value] = []
            for round in run.rounds {
                for (i, p) in round.generatorPolicy.enumerated() {
                    let name = i < run.errorTypes.count ? run.errorTypes[i] : "type \(i + 1)"
                    policy.append(VegaLite.row(["round": .int(Int64(round.round)), "error type": .string(name), "probability": VegaLite.number(p)]))
                }
            }
            if policy.isEmpty { block.notes.append("no generator policy recorded") } else {
                block.charts.append(ReportChart(title: "The generator's policy over error types", spec: VegaLite.spec(rows: policy, height: 200, """
                    "mark":{"type":"area"},
                    "encoding":{"x":{"field":"round","type":"quantitative","axis":{"tickMinStep":1}},"y":{"field":"probability","type":"quantitative","stack":"normalize"},
                      "color":{"field":"error type","type":"nominal"},"tooltip":[{"field":"round"},{"field":"error type"},{"field":"probability","format":".3f"}]}
                    """)))
            }
            section.blocks.append(block)
        }
        return section
    }
}
