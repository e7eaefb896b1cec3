import Foundation
import GRDB
import LudusLua

/// A stored tournament, as the report reads it.
struct TournamentData {
    var database: String
    var id: Int64
    var environment: String
    var agents: [String]
    var config: Value
    var gamesPlanned: Int?
    var games: [GameRecord]

    /// Agent names made unique (`random`, `random (2)`) for axes and legends, as the ratings table shows them.
    var labels: [String] { AgentLabels.unique(agents) }

    func command() -> String {
        var words = ["ludus", "tournament", "--env", environment, "--agents", agents.joined(separator: ",")]
        if let n = config["gamesPerPair"].intValue { words += ["--games", String(n)] }
        if let schedule = config["schedule"].stringValue, schedule != "round-robin" { words += ["--schedule", schedule] }
        if let rounds = config["rounds"].intValue { words += ["--rounds", String(rounds)] }
        words += ["--seed", config["seed"].intValue.map(String.init) ?? "0"]
        for param in config["params"].arrayValue?.compactMap(\.stringValue) ?? [] { words += ["--param", param] }
        words += ["--db", database]
        return words.map(Format.shell).joined(separator: " ")
    }
}

extension ReportDatabase {
    func tournaments(selection: [RunSelection], notes: inout [String]) -> [TournamentData] {
        guard has("tournament", "id", "environment", "agents"), has("game", "tournament_id", "game_index", "seats", "returns", "outcome") else { return [] }
        var result: [TournamentData] = []
        for row in rows("SELECT * FROM tournament ORDER BY id", notes: &notes) {
            let id: Int64 = row["id"]
            guard RunSelection.admits(selection, kind: .tournament, id: id) else { continue }
            let agents = (try? JSON.decode(row.string("agents") ?? ""))?.arrayValue?.compactMap(\.stringValue) ?? []
            let games = rows("SELECT * FROM game WHERE tournament_id = ? ORDER BY game_index", [id], notes: &notes).map { r in
                GameRecord(tournamentID: id, gameIndex: r.int("game_index") ?? 0, seed: r.string("seed") ?? "", seats: r.string("seats") ?? "[]",
                           returns: r.string("returns") ?? "[]", length: r.int("length") ?? 0, outcome: r.string("outcome") ?? "",
                           forfeitSeat: r.int("forfeit_seat"), reason: r.string("reason"), trajectoryHash: r.string("trajectory_hash") ?? "")
            }
            result.append(TournamentData(database: path, id: id, environment: row.string("environment") ?? "?", agents: agents,
                                         config: (try? JSON.decode(row.string("config") ?? "")) ?? .table([:]),
                                         gamesPlanned: row.int("games_planned"), games: games))
        }
        return result
    }
}

/// The tournament section: Bradley-Terry ratings with bootstrap intervals (forest plot,
/// the same numbers as `ludus ratings`), the head-to-head score matrix, Elo over games.
struct TournamentSection {
    var tournaments: [TournamentData]

    func build() -> ReportSection {
        var section = ReportSection(kind: "tournament", title: "Tournaments (ludus tournament)",
                                    summary: "\(tournaments.count) tournament(s). Bradley-Terry ratings (mean 1000) with bootstrap 95% intervals, the head-to-head score matrix, and Elo after each game in schedule order.")
        for t in tournaments {
            var block = ReportBlock(title: "Tournament \(t.id) on \(t.environment): \(t.agents.joined(separator: ", "))")
            block.commands = [t.command(), "ludus ratings --db \(Format.shell(t.database)) --tournament \(t.id)"]
            let results = Standings.pairwiseResults(t.games, players: t.agents.count).sorted { $0.key < $1.key }
            if let planned = t.gamesPlanned, t.games.count < planned {
                block.notes.append("partial: \(t.games.count) of \(planned) games recorded (still running, or stopped: the same command with --resume plays the rest)")
            }
            let unrated = t.games.count - results.count
            if unrated > 0 { block.notes.append("\(unrated) game(s) not rated (environment errors, or not two-player)") }
            guard !results.isEmpty, t.agents.count >= 2 else {
                block.notes.append("no rated game recorded: nothing to plot")
                section.blocks.append(block)
                continue
            }
            block.charts = [forest(t, results.map(\.value)), matrix(t, results.map(\.value)), elo(t, results)]
            section.blocks.append(block)
        }
        return section
    }

    func forest(_ t: TournamentData, _ games: [PairwiseResult]) -> ReportChart {
        let ratings = BradleyTerry().fitWithIntervals(players: t.agents.count, games: games, rounds: 1000, seed: 0)
        let rows = zip(t.labels, ratings).map { label, r in
            VegaLite.row(["agent": .string(label), "rating": .number(r.rating), "low": .number(r.low), "high": .number(r.high)])
        }
        return ReportChart(title: "Ratings with 95% intervals", caption: "Bradley-Terry maximum likelihood, games resampled 1,000 times (seed 0), as `ludus ratings` prints them.",
                           spec: VegaLite.spec(rows: rows, height: max(60, 28 * t.agents.count), """
            "encoding":{"y":{"field":"agent","type":"nominal","sort":{"field":"rating","order":"descending"},"title":null}},
            "layer":[
              {"mark":{"type":"rule","strokeWidth":2},"encoding":{"x":{"field":"low","type":"quantitative","title":"rating","scale":{"zero":false}},"x2":{"field":"high"}}},
              {"mark":{"type":"point","filled":true,"size":80},"encoding":{"x":{"field":"rating","type":"quantitative"},
                "tooltip":[{"field":"agent"},{"field":"rating","format":".1f"},{"field":"low","format":".1f"},{"field":"high","format":".1f"}]}}
            ]
            """))
    }

    func matrix(_ t: TournamentData, _ games: [PairwiseResult]) -> ReportChart {
        let n = t.agents.count
        var score = Array(repeating: Array(repeating: 0.0, count: n), count: n)
        var count = score
        for g in games where g.first != g.second {
            score[g.first][g.second] += g.score; count[g.first][g.second] += 1
            score[g.second][g.first] += 1 - g.score; count[g.second][g.first] += 1
        }
        let labels = t.labels
        var rows: [Value] = []
        for i in 0..<n { for j in 0..<n where count[i][j] > 0 {
            let s = score[i][j] / count[i][j]
            rows.append(VegaLite.row(["agent": .string(labels[i]), "opponent": .string(labels[j]), "score": .number(s), "games": .int(Int64(count[i][j])),
                                      "detail": .string("\(labels[i]) against \(labels[j]) in tournament \(t.id): score \(Format.fixed(s, 2)) over \(Int(count[i][j])) game(s) (wins 1, draws ½). Reproduce: \(t.command())")]))
        } }
        return ReportChart(title: "Head-to-head score (row against column)", caption: "Mean score of the row agent against the column agent, wins 1, draws ½. Click a cell for the games' command.",
                           spec: VegaLite.spec(rows: rows, width: max(160, 60 * n), height: max(160, 48 * n), """
            "encoding":{"x":{"field":"opponent","type":"nominal","sort":\(JSON.encode(.array(labels.map { .string($0) }))),"title":"opponent"},
                        "y":{"field":"agent","type":"nominal","sort":\(JSON.encode(.array(labels.map { .string($0) }))),"title":"agent"}},
            "layer":[
              {"mark":{"type":"rect","cursor":"pointer"},"encoding":{"color":{"field":"score","type":"quantitative","scale":{"domain":[0,1],"scheme":"redblue"}},
                "tooltip":[{"field":"agent"},{"field":"opponent"},{"field":"score","format":".2f"},{"field":"games"}]}},
              {"mark":{"type":"text","fontSize":11},"encoding":{"text":{"field":"score","type":"quantitative","format":".2f"}}}
            ]
            """))
    }

    func elo(_ t: TournamentData, _ results: [(key: Int, value: PairwiseResult)]) -> ReportChart {
        let labels = t.labels
        var ratings = Array(repeating: Elo().initial, count: t.agents.count)
        var rows: [Value] = []
        let stride = max(1, results.count / 400)
        let byIndex = Dictionary(t.games.map { ($0.gameIndex, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, agent) in labels.enumerated() { rows.append(VegaLite.row(["game": 0, "agent": .string(agent), "elo": .number(ratings[i])])) }
        for (n, (index, game)) in results.enumerated() {
            let expected = Elo.expected(ratings[game.first], against: ratings[game.second])
            ratings[game.first] += Elo().k * (game.score - expected)
            ratings[game.second] -= Elo().k * (game.score - expected)
            guard n % stride == 0 || n == results.count - 1 else { continue }
            let record = byIndex[index]
            let detail = "tournament \(t.id), game \(index + 1): \(labels[game.first]) against \(labels[game.second]), \(record?.outcome ?? "?"), \(record?.length ?? 0) steps, seed \(record?.seed ?? "?"), trajectory hash \(record?.trajectoryHash ?? "?"). No `ludus replay` for it: the moves are not stored. Reproduce: \(t.command())"
            for (i, agent) in labels.enumerated() {
                rows.append(VegaLite.row(["game": .int(Int64(n + 1)), "agent": .string(agent), "elo": .number(ratings[i]), "detail": .string(detail)]))
            }
        }
        return ReportChart(title: "Elo after each game", caption: "Sequential Elo (K = 32) in schedule order, as `ludus ratings` reports it. Click a point for the game.",
                           spec: VegaLite.spec(rows: rows, height: 200, """
            "mark":{"type":"line","point":{"filled":true,"size":14,"cursor":"pointer"}},
            "encoding":{"x":{"field":"game","type":"quantitative","title":"games played"},"y":{"field":"elo","type":"quantitative","title":"Elo","scale":{"zero":false}},
              "color":{"field":"agent","type":"nominal"},"tooltip":[{"field":"agent"},{"field":"game"},{"field":"elo","format":".1f"}]}
            """))
    }
}
