import Foundation
import LudusLua

/// Memory held by environment instances living side by side in one process (a vector
/// env holds thousands): the process's resident set before and after loading them.
public enum InstanceMemory {
    public struct Measurement: Sendable {
        public var instances: Int
        /// Resident set growth over the instances, in bytes (includes Swift-side buffers and the allocator's slack).
        public var residentBytes: Int
        /// What the Lua heaps of the instances hold, summed (the capped allocator's count).
        public var luaBytes: Int
        public var residentKiBPerInstance: Double { Double(residentBytes) / 1024 / Double(instances) }
        public var luaKiBPerInstance: Double { Double(luaBytes) / 1024 / Double(instances) }
    }

    /// Why the resident set cannot be read.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String { "cannot read the resident set size from /proc/self/statm (Linux only)" }
    }

    /// Loads `instances` environments, resets each and steps it `steps` times with random
    /// actions (so that buffers and caches reach their working size), then reads the
    /// resident set. The instances stay alive until the reading is taken.
    public static func measure(
        instances: Int, steps: Int, seed: UInt64, params: [String: Value],
        makeEnvironment: () throws -> LuaEnvironment
    ) throws -> Measurement {
        // Load one instance first and let it go, so the libraries, the catalog's caches and
        // the allocator's first arenas are not counted against the instances measured.
        try warm(try makeEnvironment(), steps: steps, seed: seed, params: params)
        guard let before = residentBytes() else { throw Unavailable() }
        var held: [LuaEnvironment] = []
        held.reserveCapacity(instances)
        for index in 0..<instances {
            let environment = try makeEnvironment()
            try warm(environment, steps: steps, seed: SeededGenerator.derive(seed, UInt64(index)), params: params)
            held.append(environment)
        }
        guard let after = residentBytes() else { throw Unavailable() }
        let lua = held.reduce(0) { $0 + $1.memoryUsed }
        return withExtendedLifetime(held) {
            Measurement(instances: instances, residentBytes: max(0, after - before), luaBytes: lua)
        }
    }

    private static func warm(_ environment: LuaEnvironment, steps: Int, seed: UInt64, params: [String: Value]) throws {
        var generator = SeededGenerator(seed: seed)
        var legal: [Int] = []
        let agent = RandomAgent(actionSpace: environment.spec.actionSpace)
        agent.beginEpisode(seed: seed, player: 1)
        try environment.reset(seed: seed, params: params)
        for _ in 0..<steps {
            let player = try environment.turn(legal: &legal)
            if player == Chance.player { break }  // warming needs no chance sampling
            let outcome = try environment.stepOutcome(try agent.act(in: environment, legalActions: legal))
            if outcome.terminated || outcome.truncated || player == 0 {
                try environment.reset(seed: generator.next() & SeedStreams.mask, params: params)
            }
        }
    }

    /// The process's resident set in bytes, from `/proc/self/statm` (nil elsewhere).
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
