import Foundation
import Testing
import Ludus
import LudusLua

@Suite struct TournamentTests {
    func database() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tournament-\(UUID()).sqlite").path
    }

    func games(_ store: ResultStore, _ id: Int64) throws -> [String] {
        try store.games(id).map { "\($0.gameIndex) \($0.seats) \($0.returns) \($0.length) \($0.outcome) \($0.trajectoryHash)" }
    }

    static let config = TournamentConfig(environment: "tic_tac_toe", agents: ["random", "mcts:10", "mcts:40"], gamesPerPair: 6, seed: 3)

    @Test func oneAndTwoWorkersAgreeBitForBit() throws {
        var results: [[String]] = []
        var ratings: [[Standing]] = []
        for workers in [1, 2] {
            let store = try ResultStore(path: database())
            let (tournament, played) = try TournamentRunner(config: Self.config, catalog: Package.catalog, store: store).run(workers: workers, resume: false)
            #expect(played == 18)
            results.append(try games(store, tournament.id))
            ratings.append(try Standings.compute(store: store, tournament: tournament, bootstrapRounds: 50))
        }
        #expect(results[0] == results[1])
        #expect(ratings[0] == ratings[1])
        #expect(ratings[0].first?.agent.hasPrefix("mcts") == true, "search beats random: \(ratings[0])")
    }

    @Test func resumeFinishesWithoutReplayingOrLosingGames() throws {
        let path = database()
        let store = try ResultStore(path: path)
        let interrupted = TournamentRunner(config: Self.config, catalog: Package.catalog, store: store)
        interrupted.stopAfter = 7
        let (first, played) = try interrupted.run(workers: 2, resume: false)
        #expect(played == 7)
        let resumed = try TournamentRunner(config: Self.config, catalog: Package.catalog, store: ResultStore(path: path)).run(workers: 1, resume: true)
        #expect(resumed.0.id == first.id)
        #expect(resumed.played == 11)

        let reference = try ResultStore(path: database())
        let (full, _) = try TournamentRunner(config: Self.config, catalog: Package.catalog, store: reference).run(workers: 1, resume: false)
        #expect(try games(store, first.id) == games(reference, full.id))
    }

    @Test func externalPythonAgentPlaysAndBrokenOnesForfeit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let crash = directory.appendingPathComponent("crash.py").path
        try "import sys\nsys.stdin.readline()\nprint('{\"type\": \"ready\"}', flush=True)\nsys.stdin.readline()\nsys.exit(3)\n"
            .write(toFile: crash, atomically: true, encoding: .utf8)
        let garbled = directory.appendingPathComponent("garbled.py").path
        try "import sys\nsys.stdin.readline()\nprint('{\"type\": \"ready\"}', flush=True)\nsys.stdin.readline()\nprint('move 3', flush=True)\nsys.stdin.readline()\n"
            .write(toFile: garbled, atomically: true, encoding: .utf8)
        let hang = directory.appendingPathComponent("hang.py").path
        try "import sys, time\nsys.stdin.readline()\nprint('{\"type\": \"ready\"}', flush=True)\ntime.sleep(60)\n"
            .write(toFile: hang, atomically: true, encoding: .utf8)
        let example = Package.root.appendingPathComponent("examples/agents/random_agent.py").path
        let luaAgent = Package.root.appendingPathComponent("examples/agents/first_legal.lua").path
        let config = TournamentConfig(
            environment: "tic_tac_toe",
            agents: ["exec:python3 \(example)", "random", "lua:\(luaAgent)", "exec:python3 \(crash)", "exec:python3 \(garbled)", "exec:python3 \(hang)"],
            gamesPerPair: 2, seed: 1, moveMilliseconds: 500)
        let store = try ResultStore(path: database())
        let (tournament, played) = try TournamentRunner(config: config, catalog: Package.catalog, store: store).run(workers: 2, resume: false)
        #expect(played == 30)
        let records = try store.games(tournament.id)
        let standings = try Standings.compute(store: store, tournament: tournament, bootstrapRounds: 20)
        let python = standings.first { $0.agent.contains("random_agent.py") }
        #expect(python?.forfeits == 0 && python?.games == 10)
        #expect(standings.first { $0.agent.contains("first_legal") }?.forfeits == 0)
        for broken in [crash, garbled, hang] {
            let row = standings.first { $0.agent.contains(broken) }
            // Every game against a working agent is forfeited; against another broken one, whoever moves first does.
            #expect((row?.forfeits ?? 0) >= 6 && (row?.forfeits ?? 0) + (row?.wins ?? 0) == 10, "\(broken): \(String(describing: row))")
        }
        let reasons = Set(records.compactMap(\.reason))
        #expect(reasons.contains { $0.contains("exited") })
        #expect(reasons.contains { $0.contains("not a JSON line") })
        #expect(reasons.contains { $0.contains("no answer within 500 ms") })
    }
}

@Suite struct TournamentConfigTests {
    @Test func configFilesNeedOnlyAgentsAndEnvironments() throws {
        let data = #"{"environments": ["tic_tac_toe", "connect_four"], "agents": ["random", "mcts:30"]}"#.data(using: .utf8)!
        let config = try JSONDecoder().decode(TournamentConfig.self, from: data)
        #expect(config.gamesPerPair == 10 && config.seed == 0 && config.moveMilliseconds == 5000)
        #expect(config.perEnvironment.map(\.environment) == ["tic_tac_toe", "connect_four"])
        #expect(Set(config.perEnvironment.map(\.fingerprint)).count == 2)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TournamentConfig.self, from: #"{"agents": ["random"]}"#.data(using: .utf8)!) }
    }
}
