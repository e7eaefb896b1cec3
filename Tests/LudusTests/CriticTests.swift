import Foundation
import Testing
import Ludus
import LudusLua

@Suite struct CriticTests {
    func rounds(_ id: String, seed: UInt64) throws -> [CriticRound] {
        let env = try Package.catalog.load(id)
        let loop = try CriticLoop(environment: env, params: env.spec.parameters.defaults)
        loop.gamesPerRound = 60
        loop.heldOutSize = 80
        let store = try ResultStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("critic-\(UUID()).sqlite").path)
        let run = try store.startCriticRun(environment: id, config: "{}", errorTypes: loop.errorTypes)
        try loop.run(rounds: 2, seed: seed) { try store.record(run: run, round: $0) }
        return try store.criticRounds(run: run)
    }

    @Test(arguments: ["countdown/critic", "sudoku/critic"])
    func criticLearnsAndRunsAreReproducible(id: String) throws {
        let first = try rounds(id, seed: 4)
        #expect(first.map(\.round) == [0, 1, 2])
        // The untrained critic calls everything wrong; one round of outcomes teaches it better.
        #expect(first[0].meanAccuracy == 0.5)
        #expect(first[1].meanAccuracy > 0.7, "\(first)")
        #expect(first.allSatisfy { abs($0.generatorPolicy.reduce(0, +) - 1) < 1e-9 })
        #expect(first == (try rounds(id, seed: 4)))
    }

    @Test func gamesWithoutTheTwoRolesAreRefused() throws {
        let env = try Package.catalog.load("tic_tac_toe")
        #expect(throws: SetupError.self) { try CriticLoop(environment: env, params: [:]) }
    }
}
