import Foundation
import Testing
import Ludus
import LudusLua

@Suite struct SwissTests {
    /// Plays a schedule on paper: the lower-numbered agent always wins.
    func simulate(_ swiss: SwissSchedule) -> [[(index: Int, seats: [Int])]] {
        var results: [Int: PairwiseResult] = [:]
        var rounds: [[(index: Int, seats: [Int])]] = []
        for round in 0..<swiss.rounds {
            let games = swiss.games(round: round, results: results)
            for game in games {
                results[game.index] = PairwiseResult(first: game.seats[0], second: game.seats[1], score: game.seats[0] < game.seats[1] ? 1 : 0)
            }
            rounds.append(games)
        }
        return rounds
    }

    @Test func everyAgentPlaysOncePerRoundWithoutRematches() {
        let swiss = SwissSchedule(agents: 8, rounds: 3, gamesPerPair: 2, seed: 7)
        var met = Set<[Int]>()
        var indices: [Int] = []
        for games in simulate(swiss) {
            #expect(games.count == swiss.gamesPerRound)
            let pairings = Set(games.map { $0.seats.sorted() })
            #expect(pairings.count == 4)
            #expect(Set(pairings.flatMap { $0 }) == Set(0..<8), "each agent once per round")
            #expect(met.isDisjoint(with: pairings), "no rematch in three rounds of eight")
            met.formUnion(pairings)
            // Both seats of each pairing: the games of a pairing alternate who moves first.
            for pair in pairings {
                #expect(Set(games.filter { $0.seats.sorted() == pair }.map { $0.seats[0] }).count == 2)
            }
            indices += games.map(\.index)
        }
        #expect(indices.sorted() == Array(0..<swiss.totalGames), "game slots are dense and unique")
    }

    @Test func leadersMeetLeaders() {
        // With the lower number always winning, two agents are 2-0 after two rounds; they have
        // not met (one would have lost), so round 3 must pair them.
        let swiss = SwissSchedule(agents: 8, rounds: 3, gamesPerPair: 1, seed: 1)
        let rounds = simulate(swiss)
        var points = Array(repeating: 0.0, count: 8)
        for games in rounds.prefix(2) {
            for game in games { points[min(game.seats[0], game.seats[1])] += 1 }
        }
        let leaders = (0..<8).filter { points[$0] == 2 }
        #expect(leaders.count == 2)
        #expect(rounds[2].contains { Set($0.seats) == Set(leaders) }, "2-0 agents \(leaders) meet in round 3")
    }

    @Test func oddFieldsRotateTheBye() {
        let swiss = SwissSchedule(agents: 5, rounds: 5, gamesPerPair: 1, seed: 3)
        var byes: [Int] = []
        for games in simulate(swiss) {
            #expect(games.count == 2)
            byes += Set(0..<5).subtracting(games.flatMap(\.seats))
        }
        #expect(byes.sorted() == [0, 1, 2, 3, 4], "each agent sits out once: \(byes)")
    }

    @Test func halfPlayedRoundsArePairedAsBefore() {
        let swiss = SwissSchedule(agents: 6, rounds: 3, gamesPerPair: 2, seed: 11)
        var results: [Int: PairwiseResult] = [:]
        for game in swiss.games(round: 0, results: results) {
            results[game.index] = PairwiseResult(first: game.seats[0], second: game.seats[1], score: 0.5)
        }
        let round1 = swiss.games(round: 1, results: results)
        var partial = results
        for game in round1.prefix(3) { partial[game.index] = PairwiseResult(first: game.seats[0], second: game.seats[1], score: 1) }
        #expect(swiss.games(round: 1, results: partial).map(\.seats) == round1.map(\.seats))
    }

    static let config = TournamentConfig(environment: "tic_tac_toe", agents: ["random", "mcts:10", "mcts:40", "random", "mcts:20"],
                                         gamesPerPair: 2, seed: 5, format: .swiss, rounds: 3)

    func records(_ store: ResultStore, _ id: Int64) throws -> [String] {
        try store.games(id).map { "\($0.gameIndex) \($0.seats) \($0.returns) \($0.outcome) \($0.trajectoryHash)" }
    }

    @Test func swissTournamentsAgreeAcrossWorkersAndResume() throws {
        var runs: [[String]] = []
        for workers in [1, 2] {
            let store = try ResultStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("swiss-\(UUID()).sqlite").path)
            let (tournament, played) = try TournamentRunner(config: Self.config, catalog: Package.catalog, store: store).run(workers: workers, resume: false)
            #expect(played == 3 * 2 * 2)
            #expect(tournament.gamesPlanned == 12)
            runs.append(try records(store, tournament.id))
        }
        #expect(runs[0] == runs[1])

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("swiss-\(UUID()).sqlite").path
        let interrupted = TournamentRunner(config: Self.config, catalog: Package.catalog, store: try ResultStore(path: path))
        interrupted.stopAfter = 6  // a crash in the middle of round 2
        let (first, played) = try interrupted.run(workers: 2, resume: false)
        #expect(played == 6)
        let resumed = try TournamentRunner(config: Self.config, catalog: Package.catalog, store: ResultStore(path: path)).run(workers: 2, resume: true)
        #expect(resumed.0.id == first.id && resumed.played == 6)
        #expect(try records(ResultStore(path: path), first.id) == runs[0])
    }

    @Test func configFilesChooseTheSchedule() throws {
        let json = #"{"environment": "tic_tac_toe", "agents": ["random", "mcts:10"], "schedule": "swiss", "rounds": 4}"#
        let config = try JSONDecoder().decode(TournamentConfig.self, from: Data(json.utf8))
        #expect(config.format == .swiss && config.rounds == 4 && config.plannedGames == 4 * 10)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(TournamentConfig.self, from: Data(#"{"environment": "x", "agents": ["a"], "schedule": "knockout"}"#.utf8))
        }
    }
}
