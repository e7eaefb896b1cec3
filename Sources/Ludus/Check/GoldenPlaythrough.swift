import Foundation
import LudusLua

/// A seeded random playthrough as text, stored under `Tests/Golden/` and diffed,
/// as OpenSpiel does for every game: any change of behaviour shows up in review.
public enum GoldenPlaythrough {
    public static let maxSteps = 200

    public static func fileName(for id: String) -> String {
        id.replacingOccurrences(of: "/", with: "__") + ".txt"
    }

    /// The playthrough text: header, reset observation, then one line per step.
    public static func text(_ environment: any Environment, seed: UInt64) throws -> String {
        let spec = environment.spec
        environment.capturesDetail = true
        defer { environment.capturesDetail = false }
        var lines = ["# \(spec.id) \(spec.version), seed \(seed), random agents, default params"]
        let params = spec.parameters.defaults
        lines.append("params \(JSON.encode(.table(params)))")
        try environment.reset(seed: seed, params: params)
        lines.append("reset observation \(JSON.encode(environment.lastObservation))")
        let agents = (0..<spec.players).map { _ in RandomAgent(actionSpace: spec.actionSpace) }
        for (i, agent) in agents.enumerated() { agent.beginEpisode(seed: SeededGenerator.derive(seed, UInt64(i + 1)), player: i + 1) }
        var legal: [Int] = []
        for t in 1...maxSteps {
            let player = try environment.currentPlayer()
            if player == 0 { break }
            try environment.legalActions(into: &legal)
            let action = try agents[player - 1].act(in: environment, legalActions: legal)
            let step = try environment.step(action)
            let rewards = step.rewards.map(JSON.number).joined(separator: ",")
            lines.append("step \(t) player \(player) action \(action) reward \(rewards) terminated \(step.terminated) truncated \(step.truncated) observation \(JSON.encode(environment.lastObservation))")
            if step.isDone { break }
        }
        if let render = try environment.render() {
            lines.append("final render:")
            lines.append(contentsOf: render.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 })
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension CheckContext {
    mutating func checkGolden() throws(CheckFailure) {
        guard let directory = options.goldenDirectory else { throw .skip("no golden folder") }
        let path = directory + "/" + GoldenPlaythrough.fileName(for: spec.id)
        let actual: String
        do { actual = try GoldenPlaythrough.text(env, seed: options.seed) } catch let error as EnvironmentError {
            throw failure(error)
        } catch { throw CheckFailure(message: "\(error)") }
        if options.recordGolden {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try actual.write(toFile: path, atomically: true, encoding: .utf8)
            } catch { throw CheckFailure(message: "cannot write \(path): \(error)") }
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .skip("no golden file \(EnvironmentCatalog.display(path)) (record one with --record-golden)")
        }
        if expected != actual {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
            let want = line < e.count ? String(e[line]) : "(end of file)"
            let got = line < a.count ? String(a[line]) : "(end of playthrough)"
            problem("golden playthrough \(EnvironmentCatalog.display(path)) differs at line \(line + 1): expected `\(want.prefix(160))`, got `\(got.prefix(160))` (if the change is intended: --record-golden)")
        }
    }
}
