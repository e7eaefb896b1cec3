/// FNV-1a, 64 bits: a stable hash for trajectories (Swift's `Hasher` is seeded per process).
public struct StableHash: Sendable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    @inline(__always)
    public mutating func combine(_ word: UInt64) {
        var w = word
        for _ in 0..<8 {
            value ^= w & 0xFF
            value &*= 0x0100_0000_01B3
            w >>= 8
        }
    }

    public mutating func combine(_ d: Double) { combine(d.bitPattern) }
    public mutating func combine(_ b: Bool) { combine(b ? 1 as UInt64 : 0) }
    public mutating func combine(_ s: String) {
        for byte in s.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0100_0000_01B3
        }
        combine(UInt64(s.utf8.count))
    }

    /// An action, without building its description (no allocation for discrete actions).
    public mutating func combine(_ action: Action) {
        switch action {
        case .discrete(let i): combine(UInt64(bitPattern: Int64(i)))
        case .vector(let v): for x in v { combine(x) }
        case .text(let s): combine(s)
        }
    }

    /// Sixteen hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
