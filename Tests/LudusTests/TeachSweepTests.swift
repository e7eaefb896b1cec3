import Testing
import Ludus

/// A teach sweep's runs: teacher-major order, seeds from repeated or listed `--seed`, no run twice.
@Suite struct TeachSweepTests {
    @Test func runsAreTeacherMajor() throws {
        let sweep = try TeachSweep(teachers: ["random", "plr:replay=0.5,beta=0.1"], seeds: try TeachSweep.seeds(["3,1", "2"]))
        #expect(sweep.seeds == [3, 1, 2])
        #expect(sweep.count == 6)
        #expect((0..<6).map { "\(sweep.run($0).teacher) \(sweep.run($0).seed)" }
                == ["random 3", "random 1", "random 2", "plr:replay=0.5,beta=0.1 3", "plr:replay=0.5,beta=0.1 1", "plr:replay=0.5,beta=0.1 2"])
        // Shards of the runs cover each run once, in order (as the games of a tournament).
        let shares = try (0..<4).map { try Shard(index: $0, count: 4).range(of: sweep.count) }
        #expect(shares.flatMap { Array($0) } == Array(0..<6))
    }

    @Test func refusesRepeatedRunsAndBadSeeds() throws {
        #expect(throws: SweepError.duplicateSeed(2)) { try TeachSweep(teachers: ["random"], seeds: [1, 2, 2]) }
        #expect(throws: SweepError.duplicateTeacher("alp-gmm")) { try TeachSweep(teachers: ["alp-gmm", "random", "alp-gmm"], seeds: [1]) }
        #expect(throws: SweepError.badSeed("1,x")) { try TeachSweep.seeds(["1,x"]) }
        #expect(throws: SweepError.badSeed("-1")) { try TeachSweep.seeds(["-1"]) }
        #expect(throws: SweepError.badSeed("1,,2")) { try TeachSweep.seeds(["1,,2"]) }
    }
}
