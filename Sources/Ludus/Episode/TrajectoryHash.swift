import LudusLua

/// The one definition of an episode's fingerprint, used by every loop, trace and
/// database: the first observation, then per step the action, the new observation
/// (numbers and texts), every player's reward and both flags, mixed a 64-bit word at a
/// time (the bit patterns of numbers; texts byte by byte).
public struct TrajectoryHash: Sendable {
    private var hash = Mixer()

    public init() {}

    /// A multiply-xorshift mixer over 64-bit words: one multiply per word, where
    /// byte-wise FNV cost eight (the hash was a tenth of a connect_four game).
    struct Mixer: Sendable {
        private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

        @inline(__always)
        mutating func combine(_ word: UInt64) {
            value = (value ^ word) &* 0x9E37_79B9_7F4A_7C15
            value ^= value >> 29
        }
        @inline(__always) mutating func combine(_ d: Double) { combine(d.bitPattern) }
        @inline(__always) mutating func combine(_ b: Bool) { combine(b ? 1 as UInt64 : 0) }
        /// Each UTF-8 byte, then the length: read from the string's own storage when it has
        /// one (a native string: every text a script returns), so the loop is over bytes in
        /// memory, not the UTF-8 view's index steps.
        mutating func combine(_ s: String) {
            let hashed: Void? = s.utf8.withContiguousStorageIfAvailable { bytes in
                var mixed = self
                for byte in bytes { mixed.combine(UInt64(byte)) }
                self = mixed
            }
            if hashed == nil { for byte in s.utf8 { combine(UInt64(byte)) } }
            combine(UInt64(s.utf8.count) | 1 << 63)
        }
        @inline(__always) mutating func combine(_ action: Action) {
            switch action {
            case .discrete(let i): combine(UInt64(bitPattern: Int64(i)))
            case .vector(let v): for x in v { combine(x) }
            case .text(let s): combine(s)
            }
        }
        var hex: String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
    }

    @inline(__always)
    mutating func combine(observation: ObservationView) {
        for x in observation.numbers { hash.combine(x) }
        for text in observation.texts { hash.combine(text) }
    }

    @inline(__always)
    mutating func combine(step: Step, action: Action, observation: ObservationView, players: Int) {
        hash.combine(action)
        combine(observation: observation)
        for i in 0..<players { hash.combine(step.reward(of: i + 1)) }
        hash.combine(step.terminated)
        hash.combine(step.truncated)
    }

    /// The parts of ``combine(step:action:observation:players:)`` around the observation's
    /// numbers, for the driver, which mixes those numbers in while it checks their bounds
    /// (``ObservationBounds/contains(_:visiting:)``): the same words in the same order.
    @inline(__always) mutating func combine(action: Action) { hash.combine(action) }
    @inline(__always) mutating func combine(number: Double) { hash.combine(number) }

    @inline(__always)
    mutating func combine(texts: [String], step: Step, players: Int) {
        for text in texts { hash.combine(text) }
        for i in 0..<players { hash.combine(step.reward(of: i + 1)) }
        hash.combine(step.terminated)
        hash.combine(step.truncated)
    }

    public var value: UInt64 { hash.value }
    /// Sixteen hex digits.
    public var hex: String { hash.hex }
}
