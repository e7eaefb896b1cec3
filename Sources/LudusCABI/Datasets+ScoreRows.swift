import Foundation
import Ludus
import LudusLua

extension DatasetSource {
    /// Scores `count` lines `{"item": {...}, "answer": "..."}` on the workers, each a
    /// contiguous share of the rows, in order: `row(k, &line)` writes line k into a buffer
    /// the worker reuses. `scores[k]` is line k's score, `status[k]` 0 when scored, else the
    /// failure's status (score NaN) with its message in the JSON array `messages` (one string
    /// per line, empty when scored). Throws a `.partial` failure naming the first bad line.
    /// What `ludus_dataset_score_batch` and `ludus_dataset_score_entries` share: the same
    /// scorer as `ludus score --batch` (lines parsed straight into Lua, else the `Value` way).
    func scoreRows(_ count: Int, scores: UnsafeMutablePointer<Double>, status: UnsafeMutablePointer<Int32>?,
                   messages: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                   row: (Int, inout [UInt8]) throws -> Void) throws {
        let results = Slots<String>(count: count)
        withEnvironments { environments in  // the VMs, while no stream makes a chunk on them
            let workers = environments.count
            let share = (count + workers - 1) / max(1, workers)
            Parallel.run(workers, threads: workers) { w in
                let env = environments[w]
                let script = Dataset.quickScorer(env)
                let lower = w * share, upper = min(count, lower + share)
                guard lower < upper else { return }
                var line: [UInt8] = []
                for k in lower..<upper {
                    do {
                        line.removeAll(keepingCapacity: true)
                        try row(k, &line)
                        scores[k] = try Self.score(env, script, line)
                        status?[k] = 0
                        results.values[k] = ""
                    } catch {
                        let failure = Failure(error)
                        scores[k] = .nan
                        status?[k] = failure.status.rawValue
                        results.values[k] = failure.message
                    }
                }
            }
        }
        let texts = results.values.map { $0 ?? "" }
        messages?.pointee = allocate(JSON.encode(.array(texts.map { .string($0) })))
        if let bad = texts.firstIndex(where: { !$0.isEmpty }) {
            throw Failure(.partial, kind: "partial", "line \(bad + 1): \(texts[bad])")
        }
    }

    /// One line's score: straight into Lua when the script and the line allow it, else decoded.
    private static func score(_ env: LuaEnvironment, _ script: LuaEnvironment?, _ line: [UInt8]) throws -> Double {
        if let score = try Dataset.quickScore(script, line[...]) { return score }
        let pair = try JSON.decode(utf8: line)
        guard case .table = pair["item"], let answer = pair["answer"].stringValue else {
            throw Failure(.argument, kind: "bad_json", "expected {\"item\": {...}, \"answer\": \"...\"}")
        }
        return try Dataset.score(env, item: pair["item"], answer: answer)
    }
}

/// The bytes of a C string from the caller, read in place (valid for the call), or a
/// failure naming the argument: no `String` made of megabytes of JSON lines.
func bytes(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> UnsafeBufferPointer<UInt8> {
    let pointer = try required(pointer, name)
    return UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
}
