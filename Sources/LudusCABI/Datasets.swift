import Foundation
import Ludus
import LudusLua

/// A text environment that makes and scores question/answer items (`E.item`,
/// `E.score_item`), with one VM per worker: what `ludus generate` and `ludus score` use.
final class DatasetSource: @unchecked Sendable {
    /// The VMs, one per worker: entered only through `withEnvironments`.
    private let environments: [LuaEnvironment]
    private let lock = NSLock()
    let spec: EnvironmentSpec

    init(environments: [LuaEnvironment]) throws {
        self.environments = environments
        spec = environments[0].spec
        // As `ludus score` does: scoring runs on a freshly reset instance.
        for env in environments { try env.reset(seed: 0, params: env.spec.parameters.defaults) }
    }

    /// Runs `body` on the VMs, one caller at a time: a stream makes its next chunk on a
    /// thread of its own (`DatasetStream`) while the caller may score on the same VMs, and a
    /// VM must never be entered from two threads at once. Rethrows what `body` throws.
    func withEnvironments<T>(_ body: ([LuaEnvironment]) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(environments)
    }
}

private func source(_ handle: UnsafeMutableRawPointer?) throws -> DatasetSource { try Handle.get(handle, as: DatasetSource.self) }

/// Loads `workers` instances of a dataset environment (`countdown`, `sudoku`...).
/// `options`: see LoadOptions.
@_cdecl("ludus_dataset_create")
public func ludus_dataset_create(_ name: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?, _ workers: Int32,
                                 _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                 _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let out = try required(out, "out")
        guard (1...256).contains(workers) else { throw Failure(.argument, kind: "bad_argument", "workers must be from 1 to 256") }
        let load = try LoadOptions(try object(options, "options"))
        Dataset.stopIdleBLASThreads()
        let environments = try load.load(try string(name, "name"), count: Int(workers), threads: Int(workers))
        out.pointee = Handle.make(try DatasetSource(environments: environments))
    }
}

@_cdecl("ludus_dataset_free")
public func ludus_dataset_free(_ handle: UnsafeMutableRawPointer?) { Handle.release(handle) }

/// Items `first..<first+count` of the dataset with this seed and parameters (a JSON object,
/// checked and completed with defaults): the lines `ludus generate --seed SEED --count N`
/// writes, as JSON lines in one malloc'd string.
@_cdecl("ludus_dataset_items")
public func ludus_dataset_items(_ handle: UnsafeMutableRawPointer?, _ first: Int64, _ count: Int64, _ seed: UInt64,
                                _ params: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let s = try source(handle)
        let out = try required(out, "out")
        guard first >= 0, count >= 0 else { throw Failure(.argument, kind: "bad_argument", "first and count must be 0 or more") }
        let resolved = try s.spec.parameters.resolve(try object(params, "params"), environment: s.spec.id)
        var bytes: [UInt8] = []
        try s.withEnvironments {
            try Dataset.writeBytes($0, from: Int(first), count: Int(count), seed: seed, params: resolved) { bytes.append(contentsOf: $0) }
        }
        out.pointee = allocate(bytes)
    }
}

/// The score in [0, 1] of `answer` for `item` (a JSON item from `ludus generate` or
/// reasoning-gym), as `ludus score --item ITEM --answer ANSWER` prints it.
@_cdecl("ludus_dataset_score")
public func ludus_dataset_score(_ handle: UnsafeMutableRawPointer?, _ item: UnsafePointer<CChar>?, _ answer: UnsafePointer<CChar>?,
                                _ score: UnsafeMutablePointer<Double>?,
                                _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let s = try source(handle)
        let value = try JSON.decode(try string(item, "item"))
        guard case .table = value else { throw Failure(.argument, kind: "bad_json", "the item must be a JSON object") }
        let text = try string(answer, "answer")
        score?.pointee = try s.withEnvironments { try Dataset.score($0[0], item: value, answer: text) }
    }
}

/// Scores `count` JSON lines `{"item": {...}, "answer": "..."}` on the workers, in order:
/// `scores[k]` for line k, `status[k]` 0 when scored, else non-zero (score NaN) with the
/// line's message in the JSON array `messages` (one string per line, empty when scored).
/// Returns 5 when some line failed.
@_cdecl("ludus_dataset_score_batch")
public func ludus_dataset_score_batch(_ handle: UnsafeMutableRawPointer?, _ lines: UnsafePointer<CChar>?, _ count: Int64,
                                      _ scores: UnsafeMutablePointer<Double>?, _ status: UnsafeMutablePointer<Int32>?,
                                      _ messages: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                      _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let s = try source(handle)
        guard let scores else { throw Failure(.argument, kind: "null", "scores is NULL") }
        let text = try bytes(lines, "lines")
        let rows = Array(text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(Int(count)))
        guard rows.count == Int(count) else { throw Failure(.argument, kind: "bad_argument", "\(count) lines expected, got \(rows.count)") }
        try s.scoreRows(rows.count, scores: scores, status: status, messages: messages) { k, line in line.append(contentsOf: rows[k]) }
    }
}

/// The environment's facts as JSON (see `SpecJSON`).
@_cdecl("ludus_dataset_spec_json")
public func ludus_dataset_spec_json(_ handle: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                    _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let s = try source(handle)
        let out = try required(out, "out")
        out.pointee = allocate(JSON.encode(SpecJSON.spec(s.spec)))
    }
}
