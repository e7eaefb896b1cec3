import Foundation
import Ludus
import LudusLua

/// Opaque handles: a retained Swift object behind a `void *`, released by the matching
/// `*_free` function. A handle is used by one caller thread at a time (the Python
/// package holds a lock per handle); a batch fans its work out to its own threads.
enum Handle {
    static func make(_ object: AnyObject) -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(object).toOpaque()
    }

    static func get<T: AnyObject>(_ pointer: UnsafeMutableRawPointer?, as type: T.Type) throws -> T {
        guard let pointer else { throw Failure(.argument, kind: "null", "the handle is NULL") }
        return Unmanaged<T>.fromOpaque(pointer).takeUnretainedValue()
    }

    static func release(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        Unmanaged<AnyObject>.fromOpaque(pointer).release()
    }
}

/// Where environments are found and the limits they run under, from a JSON options object:
/// `{"paths": [...], "environments": DIR, "memory_limit": MiB, "time_limit": ms}`
/// (the CLI's `--path`, `LUDUS_ENVIRONMENTS`, `--memory-limit`, `--time-limit`).
struct LoadOptions {
    var catalog: EnvironmentCatalog
    var limits: LuaLimits

    init(_ options: [String: Value]) throws {
        let paths = options["paths"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let bundled = options["environments"]?.stringValue ?? EnvironmentCatalog.bundledRoot()
        catalog = EnvironmentCatalog(extraPaths: paths, bundled: bundled)
        let memory = options["memory_limit"]?.intValue ?? 256
        let time = options["time_limit"]?.intValue ?? 1000
        guard (1...65_536).contains(memory) else { throw Failure(.setup, kind: "bad_option", "memory_limit must be from 1 to 65536 MiB, got \(memory)") }
        guard (0...3_600_000).contains(time) else { throw Failure(.setup, kind: "bad_option", "time_limit must be from 0 to 3600000 ms, got \(time)") }
        limits = LuaLimits(memoryBytes: memory << 20, callMilliseconds: time)
    }

    func load(_ location: ScriptLocation) throws -> LuaEnvironment {
        try catalog.load(location, limits: limits)
    }

    /// `count` instances of one script, loaded on up to `threads` threads.
    func load(_ name: String, count: Int, threads: Int) throws -> [LuaEnvironment] {
        let location = try catalog.resolve(name)
        let first = try load(location)
        guard count > 1 else { return [first] }
        let slots = Slots<LuaEnvironment>(count: count)
        slots.values[0] = first
        Parallel.run(count - 1, threads: threads) { i in
            do { slots.values[i + 1] = try load(location) } catch { slots.errors[i + 1] = error }
        }
        if let error = slots.errors.compactMap({ $0 }).first { throw error }
        return slots.values.map { $0! }
    }
}

/// Results written by index from several threads (each index by one thread only).
final class Slots<T>: @unchecked Sendable {
    var values: [T?]
    var errors: [(any Error)?]
    init(count: Int) {
        values = Array(repeating: nil, count: count)
        errors = Array(repeating: nil, count: count)
    }
}

/// The batch's thread pool: `count` items cut into `threads` contiguous chunks, run with
/// `DispatchQueue.concurrentPerform` (the caller's thread takes a chunk too); one thread
/// runs inline.
enum Parallel {
    static func run(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let share = (count + workers - 1) / workers
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lower = w * share
                let upper = min(count, lower + share)
                if lower < upper { for i in lower..<upper { box.value(i) } }
            }
        }
    }
}

struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
