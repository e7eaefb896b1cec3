/// xoshiro256** seeded through SplitMix64: fast, small state, the same stream on
/// every platform. Used by the Lua `rng` objects and by host-side agents.
public struct SeededGenerator: RandomNumberGenerator, Hashable, Sendable {
    public var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var mixer = seed
        state = (Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer), Self.splitMix(&mixer))
    }

    public init(state: (UInt64, UInt64, UInt64, UInt64)) { self.state = state }

    /// A seed derived from a parent seed and a stream index: independent streams per episode or worker.
    public static func derive(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
        var mixer = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)
        _ = splitMix(&mixer)
        return splitMix(&mixer)
    }

    static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // Inlinable, with `nextInt`: a random agent draws once per move from another module
    // (the driver's random seats), where a call per draw was a visible part of a tournament game.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) <<< 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 <<< 45
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in `low...high` (unbiased, Lemire's method).
    @inlinable
    public mutating func nextInt(_ low: Int64, _ high: Int64) -> Int64 {
        let span = UInt64(bitPattern: high &- low) &+ 1
        if span == 0 { return Int64(bitPattern: next()) }  // the full 64-bit range
        var product = next().multipliedFullWidth(by: span)
        if product.low < span {
            let threshold = (0 &- span) % span
            while product.low < threshold { product = next().multipliedFullWidth(by: span) }
        }
        return low &+ Int64(bitPattern: product.high)
    }

    /// Standard normal deviate (Box-Muller, one value per call: reproducible and stateless).
    public mutating func nextGaussian() -> Double {
        var u = nextDouble()
        while u <= 0 { u = nextDouble() }
        let v = nextDouble()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.state.0 == b.state.0 && a.state.1 == b.state.1 && a.state.2 == b.state.2 && a.state.3 == b.state.3
    }
    public func hash(into h: inout Hasher) { h.combine(state.0); h.combine(state.1); h.combine(state.2); h.combine(state.3) }
}

infix operator <<< : BitwiseShiftPrecedence
@inlinable @inline(__always) func <<< (x: UInt64, k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
