import LudusLua

/// Builds the text of a tournament game's row from its values, where the old path built a
/// ``GameRecord`` of strings and JSON and the writer parsed that JSON back for the seats:
/// at tens of thousands of games a second the formatting and parsing cost more than SQLite.
///
/// Every text is the one the old path stored, byte for byte: the seats and returns JSON
/// come from ``JSON/encode(_:)`` itself, remembered per distinct value list (a tournament
/// has few: seat rotations, and returns such as `[1.0,-1.0]`); the seed is the decimal and
/// the hash the sixteen hex digits of ``TrajectoryHash/hex``, written into a buffer.
public struct GameRowEncoder {
    private var seats: [[Int]: String] = [:]
    /// Keyed by bit patterns: `-0.0` and `0.0` are equal doubles but need not encode alike.
    private var returns: [[UInt64]: String] = [:]
    /// Past this many distinct lists (returns in chips) the memo starts over: bounded memory.
    static let memoLimit = 4096

    public init() {}

    /// `[0,1]`: the agent index of each seat, as `JSON.encode` writes it.
    public mutating func seatsJSON(_ agents: [Int]) -> String {
        if let known = seats[agents] { return known }
        let text = JSON.encode(.array(agents.map { .int(Int64($0)) }))
        if seats.count >= Self.memoLimit { seats.removeAll(keepingCapacity: true) }
        seats[agents] = text
        return text
    }

    /// `[1.0,-1.0]`: each seat's return, as `JSON.encode` writes it.
    public mutating func returnsJSON(_ values: [Double]) -> String {
        let key = values.map(\.bitPattern)
        if let known = returns[key] { return known }
        let text = JSON.encode(.array(values.map { .number($0) }))
        if returns.count >= Self.memoLimit { returns.removeAll(keepingCapacity: true) }
        returns[key] = text
        return text
    }

    /// The return a `game_seat` row stores: what decoding the returns JSON gives back
    /// (the old path parsed it), which is the value itself except that `-0.0` is written `0.0`.
    @inline(__always)
    public static func seatReturn(_ value: Double) -> Double { value == 0 ? 0 : value }

    /// ``TrajectoryHash/hex``: sixteen lowercase hex digits, zero-padded.
    public static func hex(_ value: UInt64) -> String {
        withHex(value) { String(decoding: $0, as: UTF8.self) }
    }

    /// The sixteen hex digits of `value` in a stack buffer, for binding without a `String`.
    @inline(__always)
    public static func withHex<R>(_ value: UInt64, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { buffer in
            let digits: StaticString = "0123456789abcdef"
            for i in 0..<16 { buffer[i] = digits.utf8Start[Int((value >> UInt64(60 - 4 * i)) & 0xF)] }
            return body(UnsafeBufferPointer(buffer))
        }
    }

    /// `String(value)` (the `seed` column) in a stack buffer.
    @inline(__always)
    public static func withDecimal<R>(_ value: UInt64, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var v = value, start = 20
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v != 0
            return body(UnsafeBufferPointer(rebasing: buffer[start..<20]))
        }
    }
}
