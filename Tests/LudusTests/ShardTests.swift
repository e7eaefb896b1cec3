import Foundation
import Testing
import Ludus
import LudusLua

/// Sharded tournaments merged with `ShardMerge` are the serial run: the same game rows,
/// hashes and ratings for 1, 2 and 3 shards; tampered, mismatched and incomplete shards are refused.
@Suite struct ShardTests {
    static let config = TournamentConfig(environment: "tic_tac_toe", agents: ["random", "mcts:5", "mcts:20"], gamesPerPair: 5, seed: 11)

    func database(_ name: String = "db") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("shard-\(name)-\(UUID()).sqlite").path
    }

    /// Every game column, in index order, and the ratings of the (only) tournament.
    func contents(_ path: String) throws -> (games: [String], ratings: [Standing], tournament: ResultStore.Tournament) {
        let store = try ResultStore(path: path, readOnly: true)
        let tournament = try #require(try store.latestTournament())
        let games = try store.games(tournament.id).map {
            "\($0.tournamentID) \($0.gameIndex) \($0.seed) \($0.seats) \($0.returns) \($0.length) \($0.outcome) \(String(describing: $0.forfeitSeat)) \(String(describing: $0.reason)) \($0.trajectoryHash)"
        }
        return (games, try Standings.compute(store: store, tournament: tournament, bootstrapRounds: 50), tournament)
    }

    /// Runs SQL on a database with the sqlite3 shell (as a hand editing a shard would).
    func sqlite(_ path: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", "-cmd", ".timeout 30000", path, sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    func play(_ config: TournamentConfig = config, selection: ShardSelection?, into path: String, workers: Int = 1) throws {
        let runner = TournamentRunner(config: config, catalog: Package.catalog, store: try ResultStore(path: path))
        runner.selection = selection
        try runner.run(workers: workers, resume: false)
    }

    func shards(_ count: Int, _ config: TournamentConfig = config) throws -> [String] {
        try (0..<count).map { index in
            let path = database("part\(index)")
            try play(config, selection: .shard(try Shard(index: index, count: count)), into: path, workers: 2)
            return path
        }
    }

    @Test func oneTwoAndThreeShardsMergeIntoTheSerialDatabase() throws {
        let serial = database("serial")
        try play(selection: nil, into: serial)
        let expected = try contents(serial)
        #expect(expected.games.count == 15)
        for count in [1, 2, 3] {
            let parts = try shards(count)
            let merged = database("merged\(count)")
            // Given in reverse order: the merge does not depend on it.
            let summary = try ShardMerge.merge(parts.reversed(), into: merged)
            #expect(summary.games == 15 && summary.duplicates == 0)
            let got = try contents(merged)
            #expect(got.games == expected.games, "\(count) shard(s)")
            #expect(got.ratings == expected.ratings, "\(count) shard(s)")
            #expect(got.tournament == expected.tournament)
            #expect(try ResultStore(path: merged, readOnly: true).shard(of: got.tournament.id) == nil)
        }
    }

    @Test func shardsPartitionTheScheduleInOrder() throws {
        for total in [0, 1, 7, 15, 100] {
            for count in 1...5 {
                let ranges = try (0..<count).map { try Shard(index: $0, count: count).range(of: total) }
                #expect(ranges.flatMap { Array($0) } == Array(0..<total))
            }
        }
        let huge = try Shard(index: 999_999, count: 1_000_000).range(of: Int.max / 2)
        #expect(huge.upperBound == Int.max / 2 && huge.count == (Int.max / 2) / 1_000_000 + 1)
    }

    @Test func parsesShardsAndSchedulerVariables() throws {
        #expect(try Shard.parse("2/3", environment: [:]) == Shard(index: 2, count: 3))
        #expect(try Shard.parse("auto", environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "3"]) == Shard(index: 1, count: 3))
        #expect(try Shard.parse("auto", environment: ["JOB_COMPLETION_INDEX": "0", "LUDUS_SHARD_COUNT": "4"]) == Shard(index: 0, count: 4))
        #expect(try Shard.parse("auto/2", environment: ["JOB_COMPLETION_INDEX": "1"]) == Shard(index: 1, count: 2))
        #expect(throws: ShardError.outOfRange(index: 3, count: 3)) { try Shard.parse("3/3", environment: [:]) }
        #expect(throws: ShardError.malformed("1-3")) { try Shard.parse("1-3", environment: [:]) }
        #expect(throws: ShardError.noSchedulerVariables) { try Shard.parse("auto", environment: [:]) }
        #expect(throws: ShardError.missingCount(indexVariable: "JOB_COMPLETION_INDEX")) { try Shard.parse("auto", environment: ["JOB_COMPLETION_INDEX": "1"]) }
        #expect(throws: ShardError.steppedArray(step: "2")) { try Shard.parse("auto", environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "3"]) }
        #expect(try Shard.parseRange("3..9") == 3..<9)
    }

    @Test func aRepeatedIdenticalGameIsKeptOnce() throws {
        let first = database("a"), overlapping = database("b")
        try play(selection: .range(0..<10), into: first)
        try play(selection: .range(5..<15), into: overlapping)
        let merged = database("merged")
        let summary = try ShardMerge.merge([first, overlapping], into: merged)
        #expect(summary.games == 15 && summary.duplicates == 5)
        let serial = database("serial")
        try play(selection: nil, into: serial)
        #expect(try contents(merged).games == contents(serial).games)
    }

    @Test func refusesTamperedMismatchedAndIncompleteShards() throws {
        let parts = try shards(3)
        // A missing shard is named with its games.
        let partial = database("partial")
        #expect {
            try ShardMerge.merge([parts[0], parts[2]], into: partial)
        } throws: { error in
            "\(error)".contains("shard 1/3 (games 5..<10)") && "\(error)".contains("5 of 15 games missing")
        }
        #expect(!FileManager.default.fileExists(atPath: partial), "a failed merge leaves nothing behind")
        // A shard of another configuration.
        var other = Self.config
        other.seed = 12
        let foreign = database("foreign")
        try play(other, selection: .shard(try Shard(index: 1, count: 3)), into: foreign)
        #expect {
            try ShardMerge.merge([parts[0], foreign, parts[2]], into: database("mixed"))
        } throws: { error in
            "\(error)".contains("different tournaments") && "\(error)".contains("seed=12") && "\(error)".contains(foreign)
        }
        // A game recorded twice with different trajectories.
        let tampered = database("tampered")
        try play(selection: .range(0..<15), into: tampered)
        try sqlite(tampered, "UPDATE game SET trajectory_hash = 'tampered' WHERE game_index = 7")
        #expect {
            try ShardMerge.merge(parts + [tampered], into: database("conflict"))
        } throws: { error in
            guard case MergeError.conflictingGame(_, let index, let first, _, let other, let hash) = error else { return false }
            return index == 7 && first == parts[1] && other == tampered && hash == "tampered"
        }
    }

    @Test func swissRefusesShards() throws {
        var swiss = Self.config
        swiss.format = .swiss
        #expect(throws: ShardError.swiss) { try play(swiss, selection: .shard(try Shard(index: 0, count: 2)), into: database()) }
    }

    @Test func aResumedShardMustBeTheSameShard() throws {
        let path = database()
        try play(selection: .shard(try Shard(index: 0, count: 3)), into: path)
        let runner = TournamentRunner(config: Self.config, catalog: Package.catalog, store: try ResultStore(path: path))
        runner.selection = .shard(try Shard(index: 1, count: 3))
        #expect(throws: ShardStoreError.self) { try runner.run(workers: 1, resume: true) }
    }

    @Test func datasetShardsConcatenateToTheSerialFile() throws {
        func lines(_ range: Range<Int>, workers: Int) throws -> String {
            let environments = try (0..<workers).map { _ in try Package.catalog.load(Package.catalog.resolve("countdown/text"), limits: .init()) }
            let params = try environments[0].spec.parameters.parse([], environment: environments[0].spec.id)
            var text = ""
            try Dataset.writeLines(environments, from: range.lowerBound, count: range.count, seed: 4, params: params) { text += $0 }
            return text
        }
        let serial = try lines(0..<50, workers: 1)
        for count in [2, 3] {
            let parts = try (0..<count).map { try lines(try Shard(index: $0, count: count).range(of: 50), workers: 2) }
            #expect(parts.joined() == serial)
        }
    }
}
