import Foundation
import Testing
import Ludus
import LudusLua

@Suite struct SelfPlayTests {
    func loop(episodes: Int, opponents: [String], seed: UInt64 = 4) throws -> [SelfPlayLoop.Evaluation] {
        let environment = try Package.catalog.load("tic_tac_toe")
        let student = try StudentFactory.make("q", for: environment.spec)
        let loop = try SelfPlayLoop(environment: environment, student: student, studentSpec: "q", opponents: opponents)
        loop.evaluateEvery = episodes
        loop.snapshotEvery = 100
        loop.evaluationGames = 200
        loop.workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("selfplay-\(UUID())").path
        var seats: [Int] = []
        loop.onEpisode = { _, _, seat, _ in seats.append(seat) }
        let evaluations = try loop.run(episodes: episodes, seed: seed)
        // Every opponent is met from both seats: the seat flips after each round of the pool.
        if episodes >= 2 * opponents.count {
            #expect(Array(seats.prefix(2 * opponents.count)) == Array(repeating: 1, count: opponents.count) + Array(repeating: 2, count: opponents.count))
        }
        return evaluations
    }

    @Test func aQStudentLearnsToBeatRandomPlay() throws {
        let untrained = try loop(episodes: 1, opponents: ["random"])
        let trained = try loop(episodes: 4000, opponents: ["random"])
        #expect(untrained.count == 1 && trained.count == 1)
        #expect(trained[0].score > untrained[0].score + 0.15, "untrained \(untrained[0]) trained \(trained[0])")
    }

    @Test func snapshotsAndSeedsReplayBitForBit() throws {
        let first = try loop(episodes: 300, opponents: ["random", "self"])
        let second = try loop(episodes: 300, opponents: ["random", "self"])
        #expect(first == second)
        #expect(first.map(\.opponent) == ["random"], "`self` is trained against, not evaluated")
    }

    @Test func singlePlayerEnvironmentsAndUnloadableSnapshotsAreRefused() throws {
        let corridor = try Package.catalog.load("corridor")
        #expect(throws: SetupError.self) {
            try SelfPlayLoop(environment: corridor, student: StudentFactory.make("q", for: corridor.spec), studentSpec: "q", opponents: ["random"])
        }
        let game = try Package.catalog.load("tic_tac_toe")
        #expect(throws: SetupError.self) {
            try SelfPlayLoop(environment: game, student: StudentFactory.make("mcts:5", for: game.spec), studentSpec: "mcts:5", opponents: ["self"])
        }
        #expect(throws: SetupError.self) {
            try SelfPlayLoop(environment: game, student: StudentFactory.make("q", for: game.spec), studentSpec: "q", opponents: ["no-such-agent"])
        }
    }
}
