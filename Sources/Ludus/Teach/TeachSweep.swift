import Foundation

/// Why a teach sweep cannot be set up.
public enum SweepError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A `--seed` that is not a non-negative integer.
    case badSeed(String)
    /// A teacher or a seed given twice (two runs would be one).
    case duplicateTeacher(String)
    case duplicateSeed(UInt64)

    public var description: String {
        switch self {
        case .badSeed(let text): return "--seed takes non-negative integers, or several separated by commas (1,2,3), not \"\(text)\""
        case .duplicateTeacher(let teacher): return "--teacher \(teacher) is given twice: each teacher × seed is one run"
        case .duplicateSeed(let seed): return "--seed \(seed) is given twice: each teacher × seed is one run"
        }
    }
}

/// A teach sweep: every teacher × seed is one run, in teacher-major order (run `i` has teacher
/// `i / seeds.count` and seed `i % seeds.count`). Each run is a pure function of its teacher, seed
/// and the shared settings, so the runs of a sweep can be run in any process (`--shard K/N`
/// takes a contiguous share of them) and merged into the serial sweep's database.
public struct TeachSweep: Hashable, Sendable {
    public let teachers: [String]
    public let seeds: [UInt64]

    /// - Throws: ``SweepError`` for a teacher or seed given twice.
    public init(teachers: [String], seeds: [UInt64]) throws(SweepError) {
        var seenTeachers = Set<String>(), seenSeeds = Set<UInt64>()
        for teacher in teachers where !seenTeachers.insert(teacher).inserted { throw .duplicateTeacher(teacher) }
        for seed in seeds where !seenSeeds.insert(seed).inserted { throw .duplicateSeed(seed) }
        self.teachers = teachers
        self.seeds = seeds
    }

    /// Parses repeated `--seed` values, each a number or a comma-separated list.
    public static func seeds(_ values: [String]) throws(SweepError) -> [UInt64] {
        var seeds: [UInt64] = []
        for value in values {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let seed = UInt64(part.trimmingCharacters(in: .whitespaces)) else { throw .badSeed(value) }
                seeds.append(seed)
            }
        }
        return seeds
    }

    public var count: Int { teachers.count * seeds.count }

    /// Run `index`'s teacher and seed.
    public func run(_ index: Int) -> (teacher: String, seed: UInt64) {
        (teachers[index / seeds.count], seeds[index % seeds.count])
    }
}

extension TeachSweep {
    /// Runs `body(0..<count)` on up to `workers` threads, each taking the next index as it
    /// finishes one (a sweep's runs are independent, so the results do not depend on the
    /// order). The first error stops the taking of new indices and is rethrown once every
    /// thread is done.
    public static func perform(_ count: Int, workers: Int, _ body: @escaping (Int) throws -> Void) throws {
        if workers <= 1 || count <= 1 {
            for index in 0..<count { try body(index) }
            return
        }
        let queue = WorkQueue(count: count, body: body)
        let group = DispatchGroup()
        for _ in 0..<min(workers, count) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                queue.drain()
            }
            thread.stackSize = 8 << 20  // as tournament workers: Lua and the students recurse
            thread.start()
        }
        group.wait()
        if let error = queue.firstError { throw error }
    }

    /// The indices left and the first failure, shared by the threads under a lock.
    private final class WorkQueue: @unchecked Sendable {
        let count: Int
        let body: (Int) throws -> Void
        private let lock = NSLock()
        private var next = 0
        private(set) var firstError: Error?

        init(count: Int, body: @escaping (Int) throws -> Void) {
            self.count = count
            self.body = body
        }

        func drain() {
            while let index = take() {
                do { try body(index) } catch { lock.withLock { if firstError == nil { firstError = error } } }
            }
        }

        private func take() -> Int? {
            lock.withLock {
                guard firstError == nil, next < count else { return nil }
                defer { next += 1 }
                return next
            }
        }
    }
}
