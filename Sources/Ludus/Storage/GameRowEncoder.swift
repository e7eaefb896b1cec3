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
    private var seats = Memo<Int>()
    private var returns = Memo<Double>()

    public init() {}

    /// `[0,1]`: the agent index of each seat, as `JSON.encode` writes it.
    public mutating func seatsJSON(_ agents: [Int]) -> String {
        seats.text(for: agents, same: ==) { JSON.encode(.array(agents.map { .int(Int64($0)) })) }
    }

    /// `[1.0,-1.0]`: each seat's return, as `JSON.encode` writes it. Compared by bit pattern:
    /// `-0.0` and `0.0` are equal doubles but need not encode alike.
    public mutating func returnsJSON(_ values: [Double]) -> String {
        returns.text(for: values, same: { $0.bitPattern == $1.bitPattern }) { JSON.encode(.array(values.map { .number($0) })) }
    }

    /// The last few distinct lists and their texts, searched in order, most recent hit first:
    /// no hashing, no key built per game (a dictionary cost more than the encoding it saved).
    /// Lists beyond ``memoSize`` (returns in chips) replace the oldest: bounded memory.
    struct Memo<Element> {
        private var keys: [[Element]] = []
        private var texts: [String] = []
        private var next = 0

        mutating func text(for list: [Element], same: (Element, Element) -> Bool, encode: () -> String) -> String {
            search: for i in keys.indices {
                let key = keys[i]
                guard key.count == list.count else { continue }
                for j in key.indices where !same(key[j], list[j]) { continue search }
                return texts[i]
            }
            let text = encode()
            if keys.count < GameRowEncoder.memoSize {
                keys.append(list)
                texts.append(text)
            } else {
                keys[next] = list
                texts[next] = text
                next = (next + 1) % GameRowEncoder.memoSize
            }
            return text
        }
    }

    /// How many distinct lists each memo keeps.
    static let memoSize = 16

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
