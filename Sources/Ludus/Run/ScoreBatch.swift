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
        scoreShares(environments, count: lines.count) { worker, k in lines[k].withUnsafeBytes { worker.score($0) } }
    }

    /// ``scoreLines(_:_:)`` for lines that are ranges of one buffer (a batch file mapped
    /// into memory, cut by ``lineRanges(_:)``): no copy of the file, no array per line.
    public static func scoreLines(_ environments: [any Environment], in buffer: UnsafeRawBufferPointer, _ lines: ArraySlice<Range<Int>>) -> [ScoredLine] {
        let buffer = SharedBytes(buffer: buffer)
        return scoreShares(environments, count: lines.count) { worker, k in
            worker.score(UnsafeRawBufferPointer(rebasing: buffer.buffer[lines[lines.startIndex + k]]))
        }
    }

    /// Lines 0..<count in contiguous shares, one per worker, scored by `score`.
    private static func scoreShares(_ environments: [any Environment], count: Int, _ score: @Sendable (ScoreWorker, Int) -> ScoredLine) -> [ScoredLine] {
        precondition(!environments.isEmpty, "at least one environment")
        let workers = environments.map(ScoreWorker.init)
        let share = (count + workers.count - 1) / max(workers.count, 1)
        DispatchQueue.concurrentPerform(iterations: workers.count) { w in
            let lower = min(count, w * share)
            let worker = workers[w]
            worker.results = (lower..<min(count, lower + share)).map { score(worker, $0) }
        }
        return workers.flatMap(\.results)
    }

    /// The lines of a batch, cut on the newline byte with `memchr` (as `split(separator: 10,
    /// omittingEmptySubsequences: false)` would, which tests byte by byte and took a
    /// twentieth of a Sudoku batch): k newlines make k + 1 lines, the last one empty when
    /// the batch ends in a newline.
    public static func lineRanges(_ bytes: UnsafeRawBufferPointer) -> [Range<Int>] {
        guard let base = bytes.baseAddress else { return [0..<0] }
        var ranges: [Range<Int>] = []
        var start = 0
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let end = base.distance(to: UnsafeRawPointer(found))
            ranges.append(start..<end)
            start = end + 1
        }
        ranges.append(start..<bytes.count)
        return ranges
    }

    /// Scores one line; see ``scoreLines(_:_:)``.
    public static func scoreLine(_ environment: any Environment, _ line: ArraySlice<UInt8>) -> ScoredLine {
        let lua = quickScorer(environment)
        return line.withUnsafeBytes { scoreLine(environment, lua, $0) }
    }

    static func scoreLine(_ environment: any Environment, _ lua: LuaEnvironment?, _ line: UnsafeRawBufferPointer) -> ScoredLine {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
        do {
            if let score = try lua?.scoreLine(line) { return .score(score) }
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
        guard let lua else { return nil }
        // withUnsafeBytes rethrows untyped: the typed error goes through a Result.
        let result = line.withUnsafeBytes { bytes in Result { () throws(EnvironmentError) in try lua.scoreLine(bytes) } }
        return try result.get()
    }

    /// A batch's bytes shared by the workers, read only while ``scoreLines(_:in:_:)`` runs.
    private struct SharedBytes: @unchecked Sendable {
        let buffer: UnsafeRawBufferPointer
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

        func score(_ line: UnsafeRawBufferPointer) -> ScoredLine { Dataset.scoreLine(environment, lua, line) }
    }
}
