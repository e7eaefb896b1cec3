import Testing
import Ludus
import LudusCore

/// Observations copied on first read (random play, rollouts: ``Environment/copiesObservation``
/// off) are the ones copied eagerly: after a reset as after a step, read at once, later or not
/// at all between two reads.
@Suite struct LazyObservationTests {
    @Test(arguments: Package.bundledIDs)
    func aLazyObservationIsTheEagerOne(id: String) throws {
        let eager = try Package.catalog.load(try Package.catalog.resolve(id))
        let lazy = try Package.catalog.load(try Package.catalog.resolve(id))
        guard case .discrete(let n, let start) = eager.spec.actionSpace else { return }  // text and vector actions: the same path
        lazy.copiesObservation = false
        var generator = SeededGenerator(seed: 11)
        var legal: [Int] = [], lazyLegal: [Int] = []
        func same(_ what: String) {
            let a = eager.observation, b = lazy.observation
            #expect(Array(a.numbers) == Array(b.numbers) && a.texts == b.texts, "\(id): \(what)")
        }
        for episode in 0..<3 {
            let params = eager.spec.parameters.defaults
            try eager.reset(seed: UInt64(episode), params: params)
            try lazy.reset(seed: UInt64(episode), params: params)
            if episode != 1 { same("episode \(episode), after the reset") }  // episode 1: first read after a step
            for move in 0..<60 {
                let player = try eager.turn(legal: &legal)
                #expect(try lazy.turn(legal: &lazyLegal) == player && lazyLegal == legal, "\(id): the same turn")
                if player == 0 { break }
                let action: Int
                if player == Chance.player {
                    action = ChanceOutcome.sample(try eager.chanceOutcomes(), using: &generator).action
                } else if legal.isEmpty {
                    action = start + Int(generator.nextInt(0, Int64(n - 1)))
                } else {
                    action = legal[Int(generator.nextInt(0, Int64(legal.count - 1)))]
                }
                let outcome = try eager.stepDiscrete(action)
                #expect(try lazy.stepDiscrete(action) == outcome, "\(id) episode \(episode) move \(move)")
                if move % 3 == 2 || outcome.terminated || outcome.truncated { same("episode \(episode), move \(move)") }
                if outcome.terminated || outcome.truncated { break }
            }
        }
    }
}
