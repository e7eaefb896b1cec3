import Foundation

/// Where the item and the answer sit in a scoring line `{"item": {...}, "answer": "..."}`,
/// found without parsing the item: the item's bytes are then the key of the prepared-item
/// cache (`PreparedItemCache`), and a line whose item was seen before never parses it.
///
/// Only the two shapes writers use are taken: exactly the keys `item` and `answer`, in
/// either order, once each, spelt without escapes. Item first (json.dumps' order), the answer
/// is found from the end of the line (the last string); answer first, the item runs to the
/// last `}`. The spans are not checked here: the item must parse (`pushItem`) to exactly its
/// span and the answer to exactly its string before either is used, and identical item bytes
/// parse alike, so a line taken here is one `pushScoringPair` would push the same way. Every
/// other line is nil, and goes that general way.
struct ScoringLineLayout {
    /// The item object's bytes, `{` to `}`.
    let item: Range<Int>
    /// The answer string's bytes, its quotes included.
    let answer: Range<Int>

    init?(_ line: UnsafeRawBufferPointer) {
        var scan = Scan(bytes: line)
        guard scan.take(UInt8(ascii: "{")) else { return nil }
        if scan.key("item"), scan.take(UInt8(ascii: ":")) {
            scan.skipSpace()
            let itemStart = scan.index
            // From the end: `"answer": "..."` `}`.
            var end = Scan.trimmedEnd(line, line.count)
            guard end > itemStart, line[end - 1] == UInt8(ascii: "}") else { return nil }
            end = Scan.trimmedEnd(line, end - 1)
            guard end > itemStart, line[end - 1] == UInt8(ascii: "\"") else { return nil }
            guard let open = Scan.openingQuote(line, closing: end - 1, lowerBound: itemStart) else { return nil }
            var before = Scan.trimmedEnd(line, open)
            guard before > itemStart, line[before - 1] == UInt8(ascii: ":") else { return nil }
            before = Scan.trimmedEnd(line, before - 1)
            guard Scan.endsWith(line, before, #""answer""#, lowerBound: itemStart) else { return nil }
            before = Scan.trimmedEnd(line, before - 8)
            guard before > itemStart, line[before - 1] == UInt8(ascii: ",") else { return nil }
            let itemEnd = Scan.trimmedEnd(line, before - 1)
            guard itemEnd > itemStart, line[itemStart] == UInt8(ascii: "{"), line[itemEnd - 1] == UInt8(ascii: "}") else { return nil }
            item = itemStart..<itemEnd
            answer = open..<end
            return
        }
        scan = Scan(bytes: line)
        guard scan.take(UInt8(ascii: "{")), scan.key("answer"), scan.take(UInt8(ascii: ":")) else { return nil }
        scan.skipSpace()
        let answerStart = scan.index
        guard let answerEnd = scan.stringEnd() else { return nil }
        scan.index = answerEnd
        guard scan.take(UInt8(ascii: ",")), scan.key("item"), scan.take(UInt8(ascii: ":")) else { return nil }
        scan.skipSpace()
        let itemStart = scan.index
        var end = Scan.trimmedEnd(line, line.count)
        guard end > itemStart, line[end - 1] == UInt8(ascii: "}") else { return nil }
        end = Scan.trimmedEnd(line, end - 1)
        guard end > itemStart, line[itemStart] == UInt8(ascii: "{"), line[end - 1] == UInt8(ascii: "}") else { return nil }
        item = itemStart..<end
        answer = answerStart..<answerEnd
    }

    /// A cursor over the line, with the white space `JSONPushReader` skips.
    private struct Scan {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

        mutating func skipSpace() {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A key spelt `"name"` exactly.
        mutating func key(_ name: StaticString) -> Bool {
            skipSpace()
            let count = name.utf8CodeUnitCount
            guard index + count + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\""),
                  bytes[index + count + 1] == UInt8(ascii: "\""),
                  memcmp(bytes.baseAddress! + index + 1, name.utf8Start, count) == 0 else { return false }
            index += count + 2
            return true
        }

        /// The end (after the closing quote) of the string opening at `index`.
        func stringEnd() -> Int? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            var k = index + 1
            while k < bytes.count {
                switch bytes[k] {
                case UInt8(ascii: "\""): return k + 1
                case UInt8(ascii: "\\"): k += 2
                default: k += 1
                }
            }
            return nil
        }

        /// `end` moved back over white space.
        static func trimmedEnd(_ bytes: UnsafeRawBufferPointer, _ end: Int) -> Int {
            var end = end
            while end > 0, isSpace(bytes[end - 1]) { end -= 1 }
            return end
        }

        /// Whether bytes[..<end] ends with `text`, not reaching below `lowerBound`.
        static func endsWith(_ bytes: UnsafeRawBufferPointer, _ end: Int, _ text: StaticString, lowerBound: Int) -> Bool {
            let count = text.utf8CodeUnitCount
            return end - count >= lowerBound && memcmp(bytes.baseAddress! + end - count, text.utf8Start, count) == 0
        }

        /// The opening quote of the string whose closing quote is at `closing`: the nearest
        /// quote before it not escaped (an even run of backslashes before it).
        static func openingQuote(_ bytes: UnsafeRawBufferPointer, closing: Int, lowerBound: Int) -> Int? {
            let base = bytes.baseAddress!
            var end = closing  // search bytes[lowerBound..<end]
            while end > lowerBound, let k = lastQuote(base, lowerBound, end) {
                var slashes = 0
                while k - 1 - slashes >= lowerBound, bytes[k - 1 - slashes] == UInt8(ascii: "\\") { slashes += 1 }
                if slashes % 2 == 0 { return k }
                end = k
            }
            return nil
        }
    }
}

/// The offset of the last `"` in base[lower..<end] (Glibc's module does not export `memrchr`).
private func lastQuote(_ base: UnsafeRawPointer, _ lower: Int, _ end: Int) -> Int? {
    var k = end - 1
    while k >= lower {
        if base.load(fromByteOffset: k, as: UInt8.self) == UInt8(ascii: "\"") { return k }
        k -= 1
    }
    return nil
}
