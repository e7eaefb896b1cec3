import Foundation
import LudusLua

/// A seeded random playthrough as text, stored under `Tests/Golden/` and diffed,
/// as OpenSpiel does for every game: any change of behaviour shows up in review.
public enum GoldenPlaythrough {
    public static let maxSteps = 200

    /// `gridworld/empty` → `gridworld__empty.txt`; `kuhn_poker(players=3)` → `kuhn_poker__players-3.txt`.
    public static func fileName(for name: String) -> String {
        var file = ""
        for c in name {
            switch c {
            case "/", "(": file += "__"
            case ",": file += "_"
            case "=": file += "-"
            case ")": continue
            default: file.append(c)
            }
        }
        return file + ".txt"
    }

    /// The playthrough text: header, reset observation, then one line per step.
    /// - Throws: ``EpisodeError`` when the environment fails.
    public static func text(_ environment: any Environment, seed: UInt64) throws(EpisodeError) -> String {
        let spec = environment.spec
        let writer = Writer()
        writer.lines = ["# \(spec.name) \(spec.version), seed \(seed), random agents, default params"]
        let params = spec.parameters.defaults
        writer.lines.append("params \(JSON.encode(.table(params)))")
        let driver = EpisodeDriver(environment: environment)
        driver.observers = [writer]
        driver.onAgentFailure = .stop
        let agents = (0..<spec.players).map { _ in RandomAgent(actionSpace: spec.actionSpace) }
        _ = try driver.play(seed: seed, params: params, agents: agents, limit: maxSteps)
        let render: String?
        do { render = try environment.render() } catch { throw .environment(error) }
        if let render {
            writer.lines.append("final render:")
            writer.lines.append(contentsOf: render.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 })
        }
        return writer.lines.joined(separator: "\n") + "\n"
    }

    /// Writes the reset and every step as a line.
    final class Writer: EpisodeObserver {
        var lines: [String] = []
        var needsDetail: Bool { true }
        func didReset(_ environment: any Environment, episode: Int, seed: UInt64, params: [String: Value]) throws {
            lines.append("reset observation \(JSON.encode(environment.lastObservation))")
        }
        func didStep(_ environment: any Environment, episode: Int, length: Int, player: Int, action: Action, step: Step) throws {
            let rewards = step.rewards.map(JSON.number).joined(separator: ",")
            lines.append("step \(length) player \(player) action \(action) reward \(rewards) terminated \(step.terminated) truncated \(step.truncated) observation \(JSON.encode(environment.lastObservation))")
        }
    }
}

extension CheckContext {
    mutating func checkGolden() throws(CheckFailure) {
        guard options.goldenDirectory != nil else { throw .skip("no golden folder") }
        try compareGolden(env)
    }

    /// Compares (or records) `environment`'s playthrough with its golden file, named by ``EnvironmentSpec/name``.
    mutating func compareGolden(_ environment: LuaEnvironment) throws(CheckFailure) {
        guard let directory = options.goldenDirectory else { return }
        let path = directory + "/" + GoldenPlaythrough.fileName(for: environment.spec.name)
        let actual: String
        do { actual = try GoldenPlaythrough.text(environment, seed: options.seed) } catch { throw failure(error) }
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
