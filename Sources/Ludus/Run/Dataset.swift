import Foundation
import LudusLua

/// Question/answer datasets from text environments, in reasoning-gym's item shape
/// (`{question, answer, metadata}`), and scoring of answers against items.
public enum Dataset {
    /// Item `i` comes from a reset with seed `derive(seed, i)` then `E.item(self)`:
    /// the dataset is deterministic and any item can be regenerated alone.
    public static func items(
        _ environment: any Environment, from first: Int = 0, count: Int, seed: UInt64, params: [String: Value]
    ) throws(EnvironmentError) -> [Value] {
        try requireItems(environment)
        var items: [Value] = []
        items.reserveCapacity(count)
        for index in first..<(first + count) { items.append(try item(environment, index: index, seed: seed, params: params)) }
        return items
    }

    private static func requireItems(_ environment: any Environment) throws(EnvironmentError) {
        guard environment.spec.functions.contains("item") else {
            throw .missingFunction("item", environment: environment.spec.id, purpose: "it cannot make dataset items")
        }
    }

    /// Item `index`: a reset with seed `derive(seed, index)`, then `E.item(self)`.
    private static func item(
        _ environment: any Environment, index: Int, seed: UInt64, params: [String: Value]
    ) throws(EnvironmentError) -> Value {
        try environment.reset(seed: SeededGenerator.derive(seed, UInt64(index)), params: params)
        return try checked(environment.call("item", [], results: 1)[0], of: environment)
    }

    /// `E.item`'s result, if it is an item (a table with a question string).
    private static func checked(_ item: Value, of environment: any Environment) throws(EnvironmentError) -> Value {
        guard item["question"].stringValue != nil else {
            throw .contract(ContractViolation(function: "item", message: "must return a table with a question string, got \(JSON.encode(item))", location: environment.location(of: "item"), file: environment.spec.path))
        }
        return item
    }

    /// Writes `count` items (from index `start`: a shard) as JSON lines, in index order, to `sink`, a batch at a time.
    /// Each environment of `environments` is one worker (its own VM, on its own thread);
    /// item `i` is the same whatever the number of workers, so the output is too.
    public static func writeLines(
        _ environments: [any Environment], from start: Int = 0, count: Int, seed: UInt64, params: [String: Value],
        to sink: (String) throws -> Void
    ) throws {
        try writeBytes(environments, from: start, count: count, seed: seed, params: params) { try sink(String(decoding: $0, as: UTF8.self)) }
    }

    /// ``writeLines(_:from:count:seed:params:to:)`` as UTF-8 bytes, with no String in between.
    public static func writeBytes(
        _ environments: [any Environment], from start: Int = 0, count: Int, seed: UInt64, params: [String: Value],
        to sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        precondition(!environments.isEmpty, "at least one environment")
        try requireItems(environments[0])
        let workers = environments.map { ItemWorker(environment: $0, seed: seed, params: params) }
        let batch = 256 * workers.count
        var first = start
        while first < start + count {
            let end = min(start + count, first + batch)
            let share = (end - first + workers.count - 1) / workers.count
            let batchStart = first
            DispatchQueue.concurrentPerform(iterations: workers.count) { w in
                let lower = min(end, batchStart + w * share)
                workers[w].encode(lower..<min(end, lower + share))
            }
            // Workers hold consecutive ranges: on an error, every item before the failing
            // one is written first, so a long run keeps what it made.
            for worker in workers {
                try worker.bytes.withUnsafeBytes { try sink($0) }
                if let error = worker.error { throw error }
            }
            first = end
        }
    }

    /// One worker's share of a batch: items encoded as JSON lines into `bytes`.
    private final class ItemWorker: @unchecked Sendable {
        let environment: any Environment
        /// A Lua environment: its items are written straight from Lua to JSON.
        let lua: LuaEnvironment?
        let seed: UInt64
        let params: [String: Value]
        var bytes: [UInt8] = []
        var error: Error?

        init(environment: any Environment, seed: UInt64, params: [String: Value]) {
            self.environment = environment
            lua = environment as? LuaEnvironment
            self.seed = seed
            self.params = params
        }

        func encode(_ indices: Range<Int>) {
            bytes.removeAll(keepingCapacity: true)
            do {
                for index in indices {
                    let item: Value
                    if let lua {
                        // E.item's table written straight to JSON; a shape only the `Value` path
                        // writes comes back as a `Value` (E.item still ran once).
                        try environment.reset(seed: SeededGenerator.derive(seed, UInt64(index)), params: params)
                        guard let value = try lua.itemLine(into: &bytes) else { continue }
                        item = try Dataset.checked(value, of: environment)
                    } else {
                        item = try Dataset.item(environment, index: index, seed: seed, params: params)
                    }
                    var line = ""
                    JSON.write(item, to: &line)
                    bytes.append(contentsOf: line.utf8)
                    bytes.append(UInt8(ascii: "\n"))
                }
            } catch { self.error = error }
        }
    }

    /// Scores an answer for an item (one made by ``items(_:count:seed:params:)`` or a
    /// reasoning-gym item) with `E.score_item(self, item, answer)`.
    public static func score(_ environment: any Environment, item: Value, answer: String) throws(EnvironmentError) -> Double {
        guard environment.spec.functions.contains("score_item") else {
            throw .missingFunction("score_item", environment: environment.spec.id, purpose: "it cannot score answers")
        }
        return try checkedScore(try environment.call("score_item", [item, .string(answer)], results: 1)[0], of: environment)
    }

    /// `E.score_item`'s result, if it is a score (a number in [0, 1]).
    static func checkedScore(_ result: Value, of environment: any Environment) throws(EnvironmentError) -> Double {
        guard let score = result.doubleValue, score.isFinite, (0...1).contains(score) else {
            throw .contract(ContractViolation(function: "score_item", message: "must return a number in [0, 1], got \(JSON.encode(result))", location: environment.location(of: "score_item"), file: environment.spec.path))
        }
        return score
    }
}

extension Dataset {
    /// OpenBLAS starts its thread pool when the binary loads, and the idle threads spin
    /// (`sched_yield`) for a while: a fifth of a scoring batch's CPU, taken from the workers.
    /// Datasets use no BLAS, so `generate`, `score` and the C ABI's datasets stop the pool
    /// first (a later threaded BLAS call starts it again). Looked up by name: a BLAS
    /// without that pool is left alone.
    public static func stopIdleBLASThreads() {
        guard let symbol = dlsym(nil, "blas_thread_shutdown_") else { return }  // nil: RTLD_DEFAULT, every loaded library
        _ = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)()
    }
}

extension LuaEnvironment {
    /// `E.item(self)` written as a JSON line into `out` (nil), or its result as a `Value`
    /// when only the `Value` path can write it; errors worded as ``call(_:_:results:)``'s.
    func itemLine(into out: inout [UInt8]) throws(EnvironmentError) -> Value? {
        guard spec.functions.contains("item") else { throw .missingFunction("item", environment: spec.id, purpose: "it was asked for") }
        do { return try script.itemLine("item", into: &out) } catch { throw .script(error, file: file) }
    }

    /// `E.score_item` on a scoring line parsed straight into Lua (or `E.score_prepared` on
    /// the item the script prepared, when it has the hooks): the score, or nil when the line
    /// needs the `Value` path (nothing was called); errors as ``Dataset/score(_:item:answer:)``'s.
    func scoreLine(_ line: UnsafeRawBufferPointer) throws(EnvironmentError) -> Double? {
        var result: Value?
        do {
            result = try script.scorePreparedLine(line)
            if result == nil { result = try script.scoreLine("score_item", line) }
        } catch {
            throw .script(error, file: file)
        }
        return try result.map { (value) throws(EnvironmentError) in try Dataset.checkedScore(value, of: self) }
    }
}
