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

    /// The lines of a batch file, cut on the newline byte with `memchr` (as
    /// `split(separator: 10, omittingEmptySubsequences: false)`, which tests byte by byte
    /// and took a twentieth of a Sudoku batch): k newlines make k + 1 lines, the last
    /// one empty when the file ends in a newline.
    public static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        let ranges = bytes.withUnsafeBytes { buffer -> [Range<Int>] in
            guard let base = buffer.baseAddress else { return [0..<0] }
            var ranges: [Range<Int>] = []
            var start = 0
            while let found = memchr(base + start, 0x0A, buffer.count - start) {
                let end = base.distance(to: UnsafeRawPointer(found))
                ranges.append(start..<end)
                start = end + 1
            }
            ranges.append(start..<buffer.count)
            return ranges
        }
        return ranges.map { bytes[$0] }
    }

    /// Scores one line; see ``scoreLines(_:_:)``.
    public static func scoreLine(_ environment: any Environment, _ line: ArraySlice<UInt8>) -> ScoredLine {
        scoreLine(environment, quickScorer(environment), line)
    }

    static func scoreLine(_ environment: any Environment, _ lua: LuaEnvironment?, _ line: ArraySlice<UInt8>) -> ScoredLine {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
        do {
            if let score = try quickScore(lua, line) { return .score(score) }
        } catch {
            return .failure("\(error)")
        }
        let pair: Value
        do { pair = try JSON.decode(utf8: Array(line)) } catch { return .failure("\(error)") }
        guard case .table = pair["item"], let answer = pair["answer"].stringValue else {
            return .failure("expected {\"item\": {...}, \"answer\": \"...\"}")
        }
        do { return .score(try score(environment, item: pair["item"], answer: answer)) } catch {
            return .failure("\(error)")
        }
    }

    /// The Lua environment ``quickScore(_:_:)`` scores with, found once per worker (nil: none).
    public static func quickScorer(_ environment: any Environment) -> LuaEnvironment? {
        guard let lua = environment as? LuaEnvironment, lua.spec.functions.contains("score_item") else { return nil }
        return lua
    }

    /// The score of a line taken straight from its JSON bytes into Lua tables, when the
    /// environment is a script and the line allows it; nil sends it the `Value` way
    /// (``scoreLine(_:_:)``), which scores alike and words every failure of a line it did not call.
    /// - Throws: what ``score(_:item:answer:)`` would for the same item and answer.
    public static func quickScore(_ lua: LuaEnvironment?, _ line: ArraySlice<UInt8>) throws(EnvironmentError) -> Double? {
        try lua?.scoreLine(line)
    }

    /// One worker's share of a batch.
    private final class ScoreWorker: @unchecked Sendable {
        let environment: any Environment
        let lua: LuaEnvironment?
        var results: [ScoredLine] = []

        init(_ environment: any Environment) {
            self.environment = environment
            lua = Dataset.quickScorer(environment)
        }

        func score(_ lines: ArraySlice<ArraySlice<UInt8>>) {
            results.removeAll(keepingCapacity: true)
            results.reserveCapacity(lines.count)
            for line in lines { results.append(Dataset.scoreLine(environment, lua, line)) }
        }
    }
}
