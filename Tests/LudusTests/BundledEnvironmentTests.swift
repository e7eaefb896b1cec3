import Foundation
import Testing
import Ludus
import LudusLua

/// The generic suite every bundled environment must pass, as OpenSpiel runs one
/// suite over every game.
@Suite struct BundledEnvironmentTests {
    @Test func thereAreBundledEnvironments() {
        #expect(Package.bundledIDs.contains("corridor"))
        #expect(Package.bundledIDs.contains("tic_tac_toe"))
    }

    @Test(arguments: Package.bundledIDs)
    func passesTheChecker(id: String) throws {
        var options = CheckOptions()
        options.goldenDirectory = Package.golden
        options.episodes = 5
        let catalog = Package.catalog
        let report = EnvironmentChecker(options: options).check(try catalog.resolve(id), catalog: catalog)
        for problem in report.problems { Issue.record("\(problem)") }
        let golden = report.results.first { $0.name == "golden" }
        #expect(golden?.skipped == nil, "every bundled environment has a golden playthrough: \(golden?.skipped ?? "")")
    }

    @Test(arguments: Package.bundledIDs)
    func sameSeedSameEpisodesOtherSeedOtherEpisodes(id: String) throws {
        func hashes(_ seed: UInt64) throws -> [String] {
            let env = try Package.catalog.load(id)
            let agents = try (0..<env.spec.players).map { _ in try AgentFactory.make("random", for: env.spec) }
            let runner = EpisodeRunner(environment: env, agents: agents)
            return try (1...4).map { episode in
                try runner.run(episode: episode, seed: SeededGenerator.derive(seed, UInt64(episode)), params: env.spec.parameters.defaults).trajectoryHash
            }
        }
        let first = try hashes(11)
        #expect(first == (try hashes(11)))
        #expect(first != (try hashes(12)))
    }

    @Test(arguments: Package.bundledIDs)
    func observationBufferMatchesTheObservation(id: String) throws {
        let env = try Package.catalog.load(id)
        env.capturesDetail = true
        try env.reset(seed: 3, params: env.spec.parameters.defaults)
        var legal: [Int] = []
        let agent = RandomAgent(actionSpace: env.spec.actionSpace)
        agent.beginEpisode(seed: 3, player: 1)
        for _ in 0..<5 {
            let flat = flatten(env.lastObservation, env.spec.observationSpace)
            #expect(flat == Array(env.observation.numbers))
            let player = try env.currentPlayer()
            guard player != 0 else { break }
            if player == Chance.player {  // a chance node: its first outcome
                if try env.step(.discrete(env.chanceOutcomes()[0].action)).isDone { break }
                continue
            }
            try env.legalActions(into: &legal)
            if try env.step(agent.act(in: env, legalActions: legal)).isDone { break }
        }
    }

    /// Flattens a value in the order of its space (dict keys sorted), as the host buffer does.
    func flatten(_ value: Value, _ space: Space) -> [Double] {
        switch space {
        case .dict(let entries): return entries.flatMap { flatten(value[$0.name], $0.space) }
        case .tuple(let parts): return parts.enumerated().flatMap { flatten(value.arrayValue![$0.offset], $0.element) }
        case .text: return []
        default:
            if let d = value.doubleValue { return [d] }
            return value.arrayValue!.flatMap { flatten($0, .box(low: [], high: [], shape: [])) }
        }
    }
}
