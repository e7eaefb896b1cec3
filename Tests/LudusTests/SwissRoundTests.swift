import Foundation
import Testing
import Ludus
import LudusLua

/// A Swiss tournament sharded round by round (`--round R --from DB`, a barrier per round)
/// merges into the serial Swiss run's database; rounds paired from incomplete or foreign
/// earlier rounds are refused.
@Suite struct SwissRoundTests {
    static let config = TournamentConfig(environment: "tic_tac_toe", agents: ["random", "mcts:5", "mcts:10", "mcts:20", "mcts:40", "random"],
                                         gamesPerPair: 2, seed: 8, format: .swiss, rounds: 3)

    func database(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("swiss-round-\(name)-\(UUID()).sqlite").path
    }

    func games(_ path: String) throws -> [String] {
        let store = try ResultStore(path: path, readOnly: true)
        let tournament = try #require(try store.latestTournament())
        return try store.games(tournament.id).map { "\($0.gameIndex) \($0.seed) \($0.seats) \($0.returns) \($0.outcome) \($0.trajectoryHash)" }
    }

    /// Plays round `round` (shard `shard` of it, if any) from the earlier rounds in `from`.
    func play(round: Int, shard: Shard?, from: String?, config: TournamentConfig = config) throws -> String {
        let path = database("r\(round)-\(shard.map { "\($0.index)" } ?? "all")")
        let runner = TournamentRunner(config: config, catalog: Package.catalog, store: try ResultStore(path: path))
        runner.selection = shard.map { .shard($0) }
        runner.swissRound = try SwissRound(round: round, config: config, from: from, output: path)
        try runner.run(workers: 2, resume: false)
        return path
    }

    @Test func roundsShardedAndMergedAreTheSerialRun() throws {
        let serial = database("serial")
        try TournamentRunner(config: Self.config, catalog: Package.catalog, store: try ResultStore(path: serial)).run(workers: 1, resume: false)
        var from: String?
        var shards: [String] = []
        for round in 0..<3 {
            let parts = try (0..<3).map { try play(round: round, shard: try Shard(index: $0, count: 3), from: from) }
            #expect(try parts.map { try games($0).count } == [2, 2, 2], "round \(round): 6 games in 3 shards")
            shards += parts
            let merged = database("rounds\(round)")
            try ShardMerge.merge((from.map { [$0] } ?? []) + parts, into: merged, partial: true)
            from = merged
        }
        let expected = try games(serial)
        #expect(expected.count == 18)
        #expect(try games(from!) == expected, "the round-by-round merges end at the serial run")
        let all = database("all")
        try ShardMerge.merge(shards.shuffled(), into: all)
        #expect(try games(all) == expected, "every round's shards merged at once")
        let store = try ResultStore(path: serial, readOnly: true), merged = try ResultStore(path: all, readOnly: true)
        let ratings = try Standings.compute(store: store, tournament: try #require(try store.latestTournament()), bootstrapRounds: 50)
        #expect(try Standings.compute(store: merged, tournament: try #require(try merged.latestTournament()), bootstrapRounds: 50) == ratings)
        // A whole round without --shard is the same round.
        let round1 = try play(round: 1, shard: nil, from: try play(round: 0, shard: nil, from: nil))
        #expect(try games(round1) == Array(expected[6..<12]))
    }

    @Test func refusesRoundsThatCannotBePaired() throws {
        let round0 = try (0..<3).map { try play(round: 0, shard: try Shard(index: $0, count: 3), from: nil) }
        let partial = database("partial")
        try ShardMerge.merge([round0[0], round0[2]], into: partial, partial: true)
        #expect(throws: RoundError.incomplete(path: partial, round: 0, before: 1, missing: 2, of: 6, ranges: [2..<4])) {
            try SwissRound(round: 1, config: Self.config, from: partial)
        }
        let complete = database("complete")
        try ShardMerge.merge(round0, into: complete, partial: true)
        #expect(throws: RoundError.incomplete(path: complete, round: 1, before: 2, missing: 6, of: 6, ranges: [6..<12])) {
            try SwissRound(round: 2, config: Self.config, from: complete)
        }
        var other = Self.config
        other.seed = 9
        #expect {
            try SwissRound(round: 1, config: other, from: complete)
        } throws: { error in
            guard case RoundError.differentConfiguration(let path, let found) = error else { return false }
            return path == complete && found.count == 1 && found[0].contains("seed=8 (here 9)")
        }
        #expect(throws: RoundError.missingFrom(round: 1)) { try SwissRound(round: 1, config: Self.config, from: nil) }
        #expect(throws: RoundError.fromForFirstRound) { try SwissRound(round: 0, config: Self.config, from: complete) }
        #expect(throws: RoundError.outOfRange(round: 3, rounds: 3)) { try SwissRound(round: 3, config: Self.config, from: complete) }
        #expect(throws: RoundError.sameDatabase(complete)) { try SwissRound(round: 1, config: Self.config, from: complete, output: complete) }
        var roundRobin = Self.config
        roundRobin.format = .roundRobin
        #expect(throws: RoundError.notSwiss) { try SwissRound(round: 0, config: roundRobin, from: nil) }
        // A resumed round shard must be the same share.
        let runner = TournamentRunner(config: Self.config, catalog: Package.catalog, store: try ResultStore(path: round0[0]))
        runner.selection = .shard(try Shard(index: 1, count: 3))
        runner.swissRound = try SwissRound(round: 0, config: Self.config, from: nil)
        #expect(throws: ShardStoreError.self) { try runner.run(workers: 1, resume: true) }
    }
}
