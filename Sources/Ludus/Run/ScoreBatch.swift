import Foundation
import LudusLua

/// What one line of a scoring batch came to.
public enum ScoredLine: Equatable, Sendable {
    /// A blank line: no output.
    case blank
    /// The answer's score, in [0, 1].
    case score(Double)
    /// Why the line could not be scored (not JSON, not `{"item", "answer"}`, or the scorer failed).
    case failure(String)
}

extension Dataset {
    /// Scores JSON lines of `{"item": {...}, "answer": "..."}`, one result per line, in order.
    /// Each environment of `environments` is one worker (its own VM, on its own thread) that
    /// scores a contiguous share of the lines; scores do not depend on the number of workers.
    /// A bad line is a ``ScoredLine/failure(_:)`` in its place; it never stops the others.
    public static func scoreLines(_ environments: [any Environment], _ lines: [ArraySlice<UInt8>]) -> [ScoredLine] {
        precondition(!environments.isEmpty, "at least one environment")
        let workers = environments.map(ScoreWorker.init)
        let share = (lines.count + workers.count - 1) / max(workers.count, 1)
        DispatchQueue.concurrentPerform(iterations: workers.count) { w in
            let lower = min(lines.count, w * share)
            workers[w].score(lines[lower..<min(lines.count, lower + share)])
        }
        return workers.flatMap(\.results)
    }

    /// Scores one line; see ``scoreLines(_:_:)``.
    public static func scoreLine(_ environment: any Environment, _ line: ArraySlice<UInt8>) -> ScoredLine {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
        if let score = quickScore(environment, line) { return .score(score) }
        let pair: Value
        do { pair = try JSON.decode(utf8: Array(line)) } catch { return .failure("\(error)") }
        guard case .table = pair["item"], let answer = pair["answer"].stringValue else {
            return .failure("expected {\"item\": {...}, \"answer\": \"...\"}")
        }
        do { return .score(try score(environment, item: pair["item"], answer: answer)) } catch {
            return .failure("\(error)")
        }
    }

    /// The score of a line taken straight from its JSON bytes into Lua tables, when the
    /// environment is a script and the line allows it; nil sends it the `Value` way
    /// (``scoreLine(_:_:)``), which gives the same score and words every failure.
    public static func quickScore(_ environment: any Environment, _ line: ArraySlice<UInt8>) -> Double? {
        guard let script = (environment as? LuaEnvironment)?.script, environment.spec.functions.contains("score_item") else { return nil }
        return line.withUnsafeBytes { script.scoreLine("score_item", $0) }
    }

    /// One worker's share of a batch.
    private final class ScoreWorker: @unchecked Sendable {
        let environment: any Environment
        var results: [ScoredLine] = []

        init(_ environment: any Environment) { self.environment = environment }

        func score(_ lines: ArraySlice<ArraySlice<UInt8>>) {
            results.removeAll(keepingCapacity: true)
            results.reserveCapacity(lines.count)
            for line in lines { results.append(Dataset.scoreLine(environment, line)) }
        }
    }
}
