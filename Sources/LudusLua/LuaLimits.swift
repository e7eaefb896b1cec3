/// Per-state resource limits. Both are enforced without cost on the fast path:
/// the allocator compares a counter, and a watchdog thread arms a hook only once
/// a call has overrun.
public struct LuaLimits: Hashable, Sendable {
    /// Bytes the state may hold at once (default 256 MiB).
    public var memoryBytes: Int
    /// Wall-clock budget of one host call (reset, step, ...) in milliseconds (default 1000).
    /// 0 disables the limit.
    public var callMilliseconds: Int

    public init(memoryBytes: Int = 256 << 20, callMilliseconds: Int = 1000) {
        self.memoryBytes = memoryBytes
        self.callMilliseconds = callMilliseconds
    }

    public static let `default` = LuaLimits()
}
