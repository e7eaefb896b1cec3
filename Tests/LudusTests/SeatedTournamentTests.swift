import Foundation
import GRDB
import Testing
import Ludus
import LudusLua

@Suite struct SeatedTournamentTests {
    func database() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("seated-\(UUID()).sqlite").path
    }

    static let kuhn3 = TournamentConfig(environment: "kuhn_poker(players=3)", agents: ["random", "mcts:10", "cfr:100", "random"], gamesPerPair: 6, seed: 4)

    /// Every combination of 3 of the 4 agents meets 6 times, seats rotated: each agent plays each seat equally often.
    @Test func threeSeatsRotate() throws {
        let games = Self.kuhn3.roundRobinGames(players: 3)
        #expect(games.count == 4 * 6 && Self.kuhn3.plannedGames(players: 3) == 24)
        var seatCounts = Array(repeating: Array(repeating: 0, count: 3), count: 4)
        for seats in games { for (seat, agent) in seats.enumerated() { seatCounts[agent][seat] += 1 } }
        for counts in seatCounts { #expect(Set(counts).count == 1, "\(seatCounts)") }
        // Two seats: the schedule of two-player tournaments, unchanged.
        let two = TournamentConfig(environment: "tic_tac_toe", agents: ["a", "b", "c"], gamesPerPair: 4, seed: 0)
        #expect(two.roundRobinGames(players: 2) == two.roundRobinGames)
    }

    @Test(arguments: [1, 3])
    func aThreePlayerTournamentStoresEverySeatAndRatesTheSameForAnyWorkers(_ workers: Int) throws {
        let store = try ResultStore(path: database())
        let (tournament, played) = try TournamentRunner(config: Self.kuhn3, catalog: Package.catalog, store: store).run(workers: workers, resume: false)
        #expect(played == 24)
        let seats = try store.gameSeats(tournament.id)
        #expect(seats.count == 24 * 3)
        let games = try store.games(tournament.id)
        for game in games {
            let returns = (try JSON.decode(game.returns)).arrayValue!.compactMap(\.doubleValue)
            #expect(returns.count == 3 && abs(returns.reduce(0, +)) < 1e-9, "zero-sum chips: \(game.returns)")
            #expect(seats.filter { $0.gameIndex == game.gameIndex }.map(\.return) == returns)
        }
        let standings = try Standings.compute(store: store, tournament: tournament, bootstrapRounds: 50)
        #expect(standings.map(\.games).reduce(0, +) == 24 * 3)
        #expect(tournament.environment == "kuhn_poker(players=3)", "the game parameters are part of what is recorded")
        #expect(standings.allSatisfy { $0.multiSeat && $0.plackettLuce.low <= $0.plackettLuce.rating && $0.plackettLuce.rating <= $0.plackettLuce.high })
        #expect(abs(standings.reduce(0) { $0 + $1.meanReturn.mean * Double($1.games) }) < 1e-9)
        let matrix = try Standings.payoffs(store: store, tournament: tournament)
        #expect(matrix.games[0][1] > 0 && matrix.mean[0][0] == nil)
        let reference = try ResultStore(path: database())
        let (other, _) = try TournamentRunner(config: Self.kuhn3, catalog: Package.catalog, store: reference).run(workers: 2, resume: false)
        #expect(try games.map(\.trajectoryHash) == reference.games(other.id).map(\.trajectoryHash))
        #expect(try standings == Standings.compute(store: reference, tournament: other, bootstrapRounds: 50))
    }

    @Test func aThreePlayerTournamentResumesWithIdenticalRatings() throws {
        let path = database()
        let interrupted = TournamentRunner(config: Self.kuhn3, catalog: Package.catalog, store: try ResultStore(path: path))
        interrupted.stopAfter = 9
        _ = try interrupted.run(workers: 2, resume: false)
        let store = try ResultStore(path: path)
        let (resumed, played) = try TournamentRunner(config: Self.kuhn3, catalog: Package.catalog, store: store).run(workers: 1, resume: true)
        #expect(played == 24 - 9)
        let full = try ResultStore(path: database())
        let (whole, _) = try TournamentRunner(config: Self.kuhn3, catalog: Package.catalog, store: full).run(workers: 1, resume: false)
        #expect(try Standings.compute(store: store, tournament: resumed, bootstrapRounds: 50) == Standings.compute(store: full, tournament: whole, bootstrapRounds: 50))
    }

    /// Self-play on 3-player Kuhn: the student's seat rotates through all three, and a cfr
    /// opponent (which keeps its seat's information state) gets an instance per seat.
    @Test func selfPlayRotatesThroughThreeSeats() throws {
        let environment = try Package.catalog.load("kuhn_poker(players=3)")
        let student = try StudentFactory.make("q", for: environment.spec)
        let loop = try SelfPlayLoop(environment: environment, student: student, studentSpec: "q", opponents: ["random", "cfr:20"])
        loop.evaluateEvery = 12
        loop.evaluationGames = 6
        loop.workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("selfplay3-\(UUID())").path
        var seats: [Int] = []
        var failures = 0
        loop.onEpisode = { _, _, seat, result in
            seats.append(seat)
            #expect(result.returns.count == 3 && result.outcome.forfeitingPlayer == nil, "\(result.outcome)")
        }
        loop.onFailure = { _, _, _, _ in failures += 1 }
        let evaluations = try loop.run(episodes: 12, seed: 2)
        #expect(seats == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3] && failures == 0)
        #expect(evaluations.allSatisfy { $0.games == 6 })
    }

    @Test func tooFewAgentsForTheSeatsIsRefused() throws {
        let config = TournamentConfig(environment: "kuhn_poker(players=4)", agents: ["random", "random", "random"], gamesPerPair: 2, seed: 0)
        #expect(throws: SetupError.self) { try TournamentRunner(config: config, catalog: Package.catalog, store: try ResultStore(path: database())).run(workers: 1, resume: false) }
    }

    /// The same spec entered twice gets two distinct rows: `random` and `random (2)`, in the
    /// ratings, the payoff matrix and the report alike; the stored specs stay as given.
    @Test func repeatedAgentsAreToldApart() throws {
        #expect(AgentLabels.unique(["random", "mcts:5", "random", "random"]) == ["random", "mcts:5", "random (2)", "random (3)"])
        #expect(AgentLabels.unique(["a", "b"]) == ["a", "b"])
        let store = try ResultStore(path: database())
        let config = TournamentConfig(environment: "tic_tac_toe", agents: ["random", "mcts:5", "random"], gamesPerPair: 2, seed: 3)
        let (tournament, _) = try TournamentRunner(config: config, catalog: Package.catalog, store: store).run(workers: 1, resume: false)
        #expect(tournament.agents == ["random", "mcts:5", "random"])
        let standings = try Standings.compute(store: store, tournament: tournament, bootstrapRounds: 20)
        #expect(Set(standings.map(\.agent)) == ["random", "mcts:5", "random (2)"])
        #expect(standings.allSatisfy { $0.games == 4 })
        #expect(try Standings.payoffs(store: store, tournament: tournament).agents == ["random", "mcts:5", "random (2)"])
    }

    /// An unbeaten agent's interval is open, not zero-width; a constant return gets a bound, and says why.
    @Test func intervalsStayHonestWhenOneAgentWinsEverything() throws {
        let constant = MeanInterval.of(Array(repeating: 1, count: 50), range: -1...1)
        #expect(constant.low < 1 && constant.high == 1 && constant.note?.contains("Hoeffding") == true)
        let unbounded = MeanInterval.of(Array(repeating: 1, count: 50), range: nil)
        #expect(unbounded.low == -.infinity && unbounded.high == .infinity)
        let varied = MeanInterval.of([0, 1, 0, 1], range: 0...1)
        #expect(varied.note == nil && abs(varied.mean - 0.5) < 1e-12 && varied.high - varied.low > 0.5)

        let store = try ResultStore(path: database())
        let config = TournamentConfig(environment: "tic_tac_toe", agents: ["mcts:300", "lua:" + Package.script("return { act = function(self, obs, legal) return legal[1] end }", name: "first").path],
                                      gamesPerPair: 6, seed: 1)
        let (tournament, _) = try TournamentRunner(config: config, catalog: Package.catalog, store: store).run(workers: 1, resume: false)
        let standings = try Standings.compute(store: store, tournament: tournament, bootstrapRounds: 50)
        let winner = try #require(standings.first)
        #expect(winner.wins == winner.games, "\(standings)")
        #expect(winner.rating.high == .infinity && winner.ratingNote != nil)
        #expect(standings.last?.rating.low == -.infinity)
        #expect(winner.meanReturn.high > winner.meanReturn.low)
    }

    /// A database from before `game_seat` opens, and its games get their seat rows.
    @Test func olderDatabasesGainTheirSeats() throws {
        let path = database()
        do {
            let store = try ResultStore(path: path)
            _ = try TournamentRunner(config: Self.kuhn3, catalog: Package.catalog, store: store).run(workers: 1, resume: false)
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TABLE game_seat")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v7-game-seats'")
        }
        let reopened = try ResultStore(path: path)
        let tournament = try #require(try reopened.latestTournament())
        #expect(try reopened.gameSeats(tournament.id).count == 24 * 3)
    }
}
