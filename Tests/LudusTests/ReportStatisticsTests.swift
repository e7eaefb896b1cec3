import Foundation
import Ludus
import LudusLua
import Testing

@Suite struct ReportStatisticsTests {
    /// Three algorithms, 6 runs x 4 tasks, with ties and scores above 1 (optimality gap clips them).
    static func scores() -> [String: ScoreMatrix] {
        var generator = SeededGenerator(seed: 11)
        func matrix(_ shift: Double) -> ScoreMatrix {
            (0..<6).map { _ in (0..<4).map { _ in (min(1.3, max(0, generator.nextDouble() + shift)) * 20).rounded() / 20 } }
        }
        return ["random": matrix(-0.2), "alp-gmm": matrix(0), "plr": matrix(0.15)]
    }

    @Test func aggregatesByHand() {
        let scores: ScoreMatrix = [[0, 1], [0.5, 0.25], [1, 0.75], [0.2, 2]]
        #expect(Aggregate.mean(scores) == (0.425 + 1.0) / 2)
        #expect(Aggregate.median(scores) == (0.425 + 1.0) / 2)
        // Sorted: 0 0.2 0.25 0.5 0.75 1 1 2; trim 2 each end: mean(0.25, 0.5, 0.75, 1).
        #expect(Aggregate.iqm(scores) == 0.625)
        #expect(abs(Aggregate.optimalityGap(scores) - (1 - (0 + 1 + 0.5 + 0.25 + 1 + 0.75 + 0.2 + 1) / 8)) < 1e-12)
        // Pairs (1,1) half, (1,0), (2,1), (2,0) wins: 3.5 / 4.
        #expect(probabilityOfImprovement([[1], [2]], over: [[1], [0]]) == 0.875)
        #expect(probabilityOfImprovement(scores, over: scores) == 0.5)
        #expect(performanceProfile(scores, thresholds: [0, 0.9]) == [7.0 / 8, 3.0 / 8])
    }

    @Test func bootstrapIsSeededAndStratified() {
        let scores = Self.scores()["plr"]!
        let bootstrap = StratifiedBootstrap(reps: 50, seed: 3)
        #expect(bootstrap.resampleIndices(runs: 6, tasks: 4) == bootstrap.resampleIndices(runs: 6, tasks: 4))
        #expect(bootstrap.estimate(scores) { Aggregate.iqm($0) } == bootstrap.estimate(scores) { Aggregate.iqm($0) })
        // Each task's column is resampled from that task's runs only.
        for indices in bootstrap.resampleIndices(runs: 6, tasks: 4) {
            let resampled = StratifiedBootstrap.resample(scores, indices)
            for task in 0..<4 { #expect(resampled.allSatisfy { row in scores.contains { $0[task] == row[task] } }) }
        }
        let estimate = bootstrap.estimate(scores) { Aggregate.mean($0) }
        #expect(estimate.low <= estimate.value && estimate.value <= estimate.high && estimate.low < estimate.high)
    }

    /// The same data through rliable 1.2.0 (PyPI), fed the same resamples: agreement to 1e-6
    /// (bench/rliable_crosscheck.py; `make report-deps` installs rliable).
    @Test func agreesWithRliable() throws {
        let scores = Self.scores()
        let reps = 200
        let bootstrap = StratifiedBootstrap(reps: reps, seed: 5)
        let wide = StratifiedBootstrap(reps: 2000, seed: 9)
        let taus = stride(from: 0.0, through: 1.2, by: 0.1).map { $0 }
        func estimate(_ e: Estimate) -> Value { ["value": .number(e.value), "low": .number(e.low), "high": .number(e.high)] }
        var swift: [String: Value] = [:]
        for (name, matrix) in scores {
            var fields: [String: Value] = [:]
            for (key, aggregate) in [("mean", Aggregate.mean), ("median", .median), ("iqm", .iqm), ("optimality_gap", .optimalityGap)] {
                fields[key] = estimate(bootstrap.estimate(matrix) { aggregate($0) })
            }
            fields["iqm_2000"] = estimate(wide.estimate(matrix) { Aggregate.iqm($0) })
            fields["mean_2000"] = estimate(wide.estimate(matrix) { Aggregate.mean($0) })
            let profile = bootstrap.estimates(matrix) { performanceProfile($0, thresholds: taus) }
            fields["profile"] = ["value": .array(profile.map { .number($0.value) }), "low": .array(profile.map { .number($0.low) }),
                                 "high": .array(profile.map { .number($0.high) })]
            swift[name] = .table(fields)
        }
        let pairs: [(String, String)] = [("plr", "random"), ("alp-gmm", "random"), ("random", "plr"), ("plr", "alp-gmm")]
        let improvement: [Value] = pairs.map { x, y in ["x": .string(x), "y": .string(y), "value": .number(probabilityOfImprovement(scores[x]!, over: scores[y]!))] }
        let indices = bootstrap.resampleIndices(runs: 6, tasks: 4).map { Value.array($0.map { .array($0.map { .int(Int64($0)) }) }) }
        let document: Value = ["scores": .table(scores.mapValues { .array($0.map { .array($0.map { .number($0) }) }) }),
                               "indices": .array(indices), "taus": .array(taus.map { .number($0) }), "swift": .table(swift),
                               "improvement": .array(improvement)]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ludus-rliable-\(UUID().uuidString).json")
        try JSON.encode(document).write(to: file, atomically: true, encoding: .utf8)
        defer { if ProcessInfo.processInfo.environment["LUDUS_KEEP"] == nil { try? FileManager.default.removeItem(at: file) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Package.root.appendingPathComponent("bench/rliable_crosscheck.py").path, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "rliable disagrees (or is not installed: make report-deps):\n\(output)")
        #expect(output.contains("rliable cross-check: 0 disagreement(s)"), "\(output)")
    }
}
