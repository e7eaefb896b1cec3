import ArgumentParser
import Foundation
import Ludus

struct TournamentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tournament",
        abstract: "Round-robin or Swiss games between agents; every game committed to SQLite as it ends.",
        discussion: "Agents: random, mcts:N, lua:PATH, exec:COMMAND, and trained students (q:PATH...). The same seed gives the same games and ratings with any --workers. After a crash, run the same command with --resume.")

    @OptionGroup var options: EnvironmentOptions
    @Option(help: "An environment id or .lua file of two or more players (seats rotate).") var env: String?
    @Option(help: "Agent specs, comma separated.") var agents: String?
    @Option(help: "Games per pair of agents (seats alternate); with --schedule swiss, per pairing and round (default 10).") var games: Int?
    @Option(help: "round-robin (every pair meets) or swiss (agents on similar scores meet, no rematches).")
    var schedule: TournamentConfig.Format?
    @Option(help: "Swiss rounds (default: ceil(log2 agents) + 1).") var rounds: Int?
    @Option(help: "Seed (default 0).") var seed: UInt64?
    @Option(help: "Worker threads, each with its own VMs.") var workers: Int = 1
    @Option(help: ArgumentHelp("SQLite database.", valueName: "file")) var db: String = "ludus.sqlite"
    @Flag(help: "Finish the tournament with the same settings recorded in --db.") var resume = false
    @Option(name: .customLong("param"), help: ArgumentHelp("An environment parameter (repeatable).", valueName: "name=value"))
    var params: [String] = []
    @Option(help: "Per-move time limit of external agents, in ms (default 5000).") var moveTime: Int?
    @Option(help: ArgumentHelp("A JSON config file instead of flags: {\"environment\" or \"environments\": [...], \"agents\": [...], \"gamesPerPair\", \"schedule\": \"round-robin\" | \"swiss\", \"rounds\", \"seed\", \"params\", \"moveMilliseconds\", \"memoryMiB\", \"callMilliseconds\"}.", valueName: "file"))
    var config: String?
    @Flag(help: "No per-game lines and no progress bar.") var quiet = false
    @Option(help: ArgumentHelp("Play only shard K of N of the round-robin schedule (K from 0), into its own --db; `auto` reads SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/LUDUS_SHARD_COUNT (`auto/N` gives N). Combine the shards with `ludus merge`.", valueName: "K/N"))
    var shard: String?
    @Option(help: ArgumentHelp("Play only games A to B-1 of the round-robin schedule (0-based), into its own --db.", valueName: "A..B"))
    var gamesRange: String?
    @Option(help: ArgumentHelp("Swiss: play only round R (from 0), paired from the games of rounds 0 to R-1 in --from, into its own --db; with --shard K/N, only its share of the round's games. A barrier per round: merge each round's shards before the next (docs/scale-out.md).", valueName: "R"))
    var round: Int?
    @Option(help: ArgumentHelp("With --round R > 0: the database holding every game of rounds 0 to R-1 (`ludus merge --partial` of their shards); only read.", valueName: "file"))
    var from: String?
    @Flag(help: "Answer LLM agents' requests from completions stored in --db when their hash matches.") var cache = false

    func validate() throws {
        if let games, games < 1 { throw ValidationError("--games must be at least 1") }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be from 1 to 256") }
        if let moveTime, moveTime < 1 { throw ValidationError("--move-time must be positive") }
        if config != nil {
            // The file is the whole configuration: a flag beside it would be silently overridden (or override it).
            let beside = [("--env", env != nil), ("--agents", agents != nil), ("--games", games != nil), ("--schedule", schedule != nil),
                          ("--rounds", rounds != nil), ("--seed", seed != nil), ("--param", !params.isEmpty), ("--move-time", moveTime != nil)]
                .filter(\.1).map(\.0)
            if !beside.isEmpty {
                throw ValidationError("\(beside.joined(separator: ", ")) cannot be combined with --config: set it in the file (keys: environment, agents, gamesPerPair, schedule, rounds, seed, params, moveMilliseconds)")
            }
        }
        if let rounds, rounds < 1 { throw ValidationError("--rounds must be at least 1") }
        if shard != nil && gamesRange != nil { throw ValidationError("give --shard or --games-range, not both") }
        if let round, round < 0 { throw ValidationError("--round must be at least 0 (rounds are numbered from 0)") }
        if from != nil && round == nil { throw ValidationError("--from is read by --round R: give the round to play") }
    }

    /// The share of the schedule this process plays, if sharded.
    var selection: ShardSelection? {
        get throws {
            do {
                if let shard { return .shard(try Shard.parse(shard, environment: ProcessInfo.processInfo.environment)) }
                if let gamesRange { return .range(try Shard.parseRange(gamesRange)) }
            } catch { throw CommandFailure("\(error)") }
            return nil
        }
    }

    func run() throws {
        var configuration: TournamentConfig
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else { throw CommandFailure("cannot read \(config)") }
            do { configuration = try TournamentConfig.decode(data, file: config) } catch { throw CommandFailure(error.message) }
        } else {
            guard let env, let agents else { throw ValidationError("give --env and --agents, or --config FILE") }
            configuration = TournamentConfig(environment: env, agents: agents.split(separator: ",").map(String.init), gamesPerPair: games ?? 10,
                                             seed: seed ?? 0, params: params, moveMilliseconds: moveTime ?? 5000,
                                             memoryMiB: options.memoryLimit, callMilliseconds: options.timeLimit,
                                             format: schedule ?? .roundRobin, rounds: rounds)
            // The same bounds as a config file's keys (TournamentConfig.validate).
            do { try configuration.validate() } catch { throw CommandFailure(error.message) }
        }
        let selection = try self.selection
        if selection != nil, configuration.format == .swiss, round == nil { throw CommandFailure(ShardError.swiss.description) }
        // Checked before --db is created: a round that cannot be paired leaves nothing behind.
        let swissRounds = try configuration.perEnvironment.map { single in
            do { return try round.map { try SwissRound(round: $0, config: single, from: from, output: db) } } catch let error as RoundError {
                throw CommandFailure(error.description)
            }
        }
        let store = try ResultStore(path: db)
        try LLMSession.shared.attach(store: store, run: "tournament", cache: cache ? .use : .off)
        defer { try? LLMSession.shared.flush() }
        for (single, swissRound) in zip(configuration.perEnvironment, swissRounds) {
            let runner = TournamentRunner(config: single, catalog: options.catalog, store: store)
            runner.selection = selection
            runner.swissRound = swissRound
            let start = Date()
            let progress = ProgressMeter(label: "tournament", total: 0, unit: "games", quiet: quiet)
            // Quiet: no line and no progress bar, so the writer builds no record's text per game either.
            if !quiet {
                runner.onGame = { record, done, total in
                    progress.setTotal(total)
                    let forfeit = record.reason.map { " (\($0))" } ?? ""
                    progress.print("game \(record.gameIndex + 1)/\(total) seats=\(record.seats) \(record.outcome)\(forfeit) returns=\(record.returns) length=\(record.length)")
                    progress.update(done)
                }
            }
            let (tournament, played) = try runner.run(workers: workers, resume: resume)
            progress.finish()
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "tournament %lld: %d game(s) played in %.2f s (%.0f games/s), %d recorded in %@",
                         tournament.id, played, seconds, Double(played) / max(seconds, 1e-9), try store.finishedGames(tournament.id).count, db))
            if let recorded = try store.shard(of: tournament.id) {
                // A shard's ratings would rate only its share: they come from the merged database.
                print("\(recorded) of \(tournament.gamesPlanned) games; combine the shards with `ludus merge OUT.sqlite SHARD.sqlite ...`"
                      + (round.map { $0 + 1 < single.swiss.rounds ? " (--partial, with the earlier rounds; then --round \($0 + 1) --from OUT.sqlite)" : " (with every earlier round's)" } ?? ""))
                continue
            }
            try RatingsCommand.printTable(store: store, tournament: tournament)
        }
    }
}

struct RatingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ratings",
        abstract: "Bradley-Terry ratings (mean 1000) with bootstrap 95% intervals, Elo, OpenSkill, game counts, mean return per game with a 95% interval, and the payoff matrix.")

    @Option(help: ArgumentHelp("SQLite database.", valueName: "file")) var db: String = "ludus.sqlite"
    @Option(help: "Tournament id (default: the latest).") var tournament: Int64?

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else { throw CommandFailure("no database at \(db)") }
        let store = try ResultStore(path: db, readOnly: true)  // looking changes nothing
        guard let found = try store.latestTournament(id: tournament) else { throw CommandFailure("no tournament in \(db)") }
        try Self.printTable(store: store, tournament: found)
    }

    static func printTable(store: ResultStore, tournament: ResultStore.Tournament) throws {
        let standings = try Standings.compute(store: store, tournament: tournament)
        let width = max(12, standings.map(\.agent.count).max() ?? 0)
        print("tournament \(tournament.id) on \(tournament.environment)")
        print("agent".padding(toLength: width, withPad: " ", startingAt: 0) + "  rating    95% interval        elo  openskill (mu-3sd)  games  wins  draws  losses  forfeits  mean return  95% interval")
        for s in standings {
            print(s.agent.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %6.1f  [%@, %@]  %6.1f  %5.1f±%4.1f (%5.1f)  %5d  %4d  %5d  %6d  %8d  %11.4f  [%@, %@]", s.rating.rating,
                         bound(s.rating.low, "%6.1f"), bound(s.rating.high, "%6.1f"),
                         s.elo, s.skill.mu, s.skill.sigma, s.skill.ordinal, s.games, s.wins, s.draws, s.losses, s.forfeits,
                         s.meanReturn.mean, bound(s.meanReturn.low, "%.4f"), bound(s.meanReturn.high, "%.4f")))
        }
        let byReturn = standings.sorted { $0.meanReturn.mean > $1.meanReturn.mean }
        print("by mean return: " + byReturn.map { String(format: "%@ %.4f", $0.agent, $0.meanReturn.mean) }.joined(separator: " > "))
        if standings.allSatisfy({ $0.nashAveraged != nil }) {
            let byNash = standings.sorted { ($0.nashAveraged!.mean, $0.nashWeight!) > ($1.nashAveraged!.mean, $1.nashWeight!) }
            print("by nash-averaged return (against the Nash mixture of the agents' payoff matrix; weak or repeated agents do not move it): "
                + byNash.map { s in
                    String(format: "%@ %.4f [%.4f, %.4f] weight %.2f", s.agent, s.nashAveraged!.mean, s.nashAveraged!.low, s.nashAveraged!.high, s.nashWeight!)
                }.joined(separator: " > "))
        }
        for s in standings {
            if let note = s.ratingNote { print("note: \(s.agent): rating \(note)") }
            if let note = s.meanReturn.note { print("note: \(s.agent): mean return \(note)") }
        }
        if standings.contains(where: \.multiSeat) {
            print("plackett-luce (whole finishing orders, a game is one observation; Elo scale, bootstrap 95% interval):")
            for s in standings.sorted(by: { $0.plackettLuce.rating > $1.plackettLuce.rating }) {
                print(s.agent.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: "  %6.1f  [%@, %@]", s.plackettLuce.rating, bound(s.plackettLuce.low, "%6.1f"), bound(s.plackettLuce.high, "%6.1f")))
            }
        }
        let matrix = try Standings.payoffs(store: store, tournament: tournament)
        guard matrix.agents.count > 1 else { return }
        print("payoff matrix (mean return of the row agent in games with the column agent):")
        let cell = max(10, matrix.agents.map(\.count).max() ?? 0)
        print("".padding(toLength: width, withPad: " ", startingAt: 0) + matrix.agents.map { "  " + $0.padding(toLength: cell, withPad: " ", startingAt: 0) }.joined())
        for (i, agent) in matrix.agents.enumerated() {
            let cells = matrix.mean[i].map { value in
                "  " + (value.map { String(format: "%.4f", $0) } ?? "-").padding(toLength: cell, withPad: " ", startingAt: 0)
            }
            print(agent.padding(toLength: width, withPad: " ", startingAt: 0) + cells.joined())
        }
    }

    /// A bound as text: `-inf` / `+inf` for an open one.
    static func bound(_ value: Double, _ format: String) -> String {
        value.isInfinite ? (value < 0 ? "  -inf" : "  +inf") : String(format: format, value)
    }
}

extension TournamentConfig.Format: ExpressibleByArgument {}
