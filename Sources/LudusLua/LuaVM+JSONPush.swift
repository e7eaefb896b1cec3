import CLua
import CLuaShim
import Foundation
import LudusCore

// A scoring line `{"item": {...}, "answer": "..."}` parsed straight onto the Lua stack
// (see LuaVM+JSON.swift): the tables `push(JSON.decode(line)["item"])` would build, the
// same sizes, keys inserted in the same (sorted) order, so even `pairs` sees the same
// table. Anything else (escapes other than the short ones, non-integer or long numbers,
// duplicate or non-ASCII keys, deep nesting, malformed JSON) gives up, and the caller
// takes the `Value` path, which also words the errors.
//
// Raising: tables and strings are created by the protected helpers; `lua_rawset` and
// `lua_rawseti` then only fill slots the table was created with (`narr` array slots,
// `nrec` distinct keys), so they never grow a table and cannot raise.
extension LuaVM {
    /// Pushes the item (a table) and the answer (a string) of a scoring line; on false the
    /// stack is as it was.
    func pushScoringPair(_ line: UnsafeRawBufferPointer) -> Bool {
        let base = lua_gettop(L)
        guard lua_checkstack(L, 8) != 0 else { return false }
        lua_pushnil(L)  // item
        lua_pushnil(L)  // answer
        var reader = JSONPushReader(L: L, bytes: line)
        guard reader.pushPair(item: base + 1, answer: base + 2),
              lua_type(L, base + 1) == LUA_TTABLE, lua_type(L, base + 2) == LUA_TSTRING else {
            lua_settop(L, base)
            return false
        }
        lua_settop(L, base + 2)
        return true
    }

    /// Pushes the item of a scoring line, the object at `span` (``ScoringLineLayout``), as
    /// ``pushScoringPair(_:)`` would; false (stack as it was) unless it parses to exactly `span`.
    func pushItem(_ line: UnsafeRawBufferPointer, _ span: Range<Int>) -> Bool {
        let base = lua_gettop(L)
        var reader = JSONPushReader(L: L, bytes: line)
        reader.index = span.lowerBound
        guard line[span.lowerBound] == UInt8(ascii: "{"), reader.pushValue(depth: 1), reader.index == span.upperBound else {
            lua_settop(L, base)
            return false
        }
        return true
    }

    /// Pushes the answer of a scoring line, the string at `span` (its quotes included), as
    /// ``pushScoringPair(_:)`` would; false (stack as it was) unless it parses to exactly `span`.
    func pushAnswer(_ line: UnsafeRawBufferPointer, _ span: Range<Int>) -> Bool {
        let base = lua_gettop(L)
        guard lua_checkstack(L, 4) != 0 else { return false }
        var reader = JSONPushReader(L: L, bytes: line)
        reader.index = span.lowerBound
        guard line[span.lowerBound] == UInt8(ascii: "\""), reader.pushString(), reader.index == span.upperBound else {
            lua_settop(L, base)
            return false
        }
        return true
    }
}

private struct JSONPushReader {
    let L: OpaquePointer
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(L: OpaquePointer, bytes: UnsafeRawBufferPointer) {
        self.L = L
        self.bytes = bytes
    }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// The top-level object: `item` and `answer` into their slots (the last of each wins,
    /// as in a decoded dictionary), other fields parsed and dropped.
    mutating func pushPair(item: Int32, answer: Int32) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return false }
        var itemIsObject = false
        while true {
            skipSpace()
            guard let key = readKey(), take(UInt8(ascii: ":")) else { return false }
            skipSpace()
            let opening = current
            guard pushValue(depth: 1) else { return false }
            if key.elementsEqual("item".utf8) {
                // An object only: `[]` would be a table here but an array to the `Value` path.
                itemIsObject = opening == UInt8(ascii: "{")
                lua_copy(L, -1, item)
            } else if key.elementsEqual("answer".utf8) {
                lua_copy(L, -1, answer)
            }
            ludus_pop(L, 1)
            if take(UInt8(ascii: "}")) { return itemIsObject && atEnd() }
            guard take(UInt8(ascii: ",")) else { return false }
        }
    }

    mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    /// A key without escapes (nearly all keys): its bytes.
    mutating func readKey() -> UnsafeRawBufferPointer? {
        guard current == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") {
            guard bytes[end] < 0x80 else { return nil }
            end += 1
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        index = end + 1
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    mutating func pushValue(depth: Int) -> Bool {
        guard depth < 100, lua_checkstack(L, 4) != 0 else { return false }
        skipSpace()
        guard let b = current else { return false }
        switch b {
        case UInt8(ascii: "{"): index += 1; return pushObject(depth: depth)
        case UInt8(ascii: "["): index += 1; return pushArray(depth: depth)
        case UInt8(ascii: "\""): return pushString()
        case UInt8(ascii: "t"): guard literal("true") else { return false }; lua_pushboolean(L, 1); return true
        case UInt8(ascii: "f"): guard literal("false") else { return false }; lua_pushboolean(L, 0); return true
        case UInt8(ascii: "n"): guard literal("null") else { return false }; lua_pushnil(L); return true
        default: return pushInteger()
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
              UnsafeRawBufferPointer(rebasing: bytes[index..<(index + count)]).elementsEqual(UnsafeRawBufferPointer(start: word.utf8Start, count: count))
        else { return false }
        index += count
        return true
    }

    /// JSONParser's short-integer case only (at most 17 digits, nothing after them that
    /// continues a number); anything else gives up.
    mutating func pushInteger() -> Bool {
        var negative = false
        if current == UInt8(ascii: "-") { negative = true; index += 1 }
        var value: Int64 = 0
        var digits = 0
        while let b = current, b >= 0x30, b <= 0x39, digits < 18 {
            value = value * 10 + Int64(b - 0x30)
            digits += 1
            index += 1
        }
        guard digits > 0, digits < 18 else { return false }
        if let b = current, (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e")
            || b == UInt8(ascii: "E") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") { return false }
        lua_pushinteger(L, lua_Integer(negative ? -value : value))
        return true
    }

    /// A string with at most the short escapes JSONParser maps byte for byte.
    mutating func pushString() -> Bool {
        index += 1
        var end = index
        var escaped = false, wide = false
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
            if bytes[end] == UInt8(ascii: "\\") {
                escaped = true
                guard end + 1 < bytes.count, bytes[end + 1] != UInt8(ascii: "u") else { return false }
                end += 1
            } else if bytes[end] >= 0x80 {
                wide = true
            }
            end += 1
        }
        guard end < bytes.count else { return false }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[index..<end])
        index = end + 1
        guard escaped || wide else { return push(raw) }
        // Unescaped into a scratch buffer on the stack (no heap allocation per string).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) { out in
            var count = 0, k = 0
            while k < raw.count {
                var b = raw[k]
                if b == UInt8(ascii: "\\") {
                    k += 1
                    switch raw[k] {
                    case UInt8(ascii: "n"): b = 0x0A
                    case UInt8(ascii: "t"): b = 0x09
                    case UInt8(ascii: "r"): b = 0x0D
                    case UInt8(ascii: "b"): b = 0x08
                    case UInt8(ascii: "f"): b = 0x0C
                    default: b = raw[k]
                    }
                }
                out[count] = b
                count += 1
                k += 1
            }
            let bytes = UnsafeRawBufferPointer(start: out.baseAddress, count: count)
            guard wide else { return push(bytes) }
            // As JSONParser builds a String from the bytes: invalid UTF-8 repaired.
            var text = String(decoding: bytes, as: UTF8.self)
            return text.withUTF8 { push(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Pushes a string with the protected helper (on failure the caller resets the stack).
    func push(_ string: UnsafeRawBufferPointer) -> Bool {
        ludus_push_string(L, string.baseAddress?.assumingMemoryBound(to: CChar.self), string.count) == LUDUS_OK.rawValue
    }

    mutating func pushArray(depth: Int) -> Bool {
        let base = lua_gettop(L)
        var count: Int32 = 0
        if !take(UInt8(ascii: "]")) {
            while true {
                guard pushValue(depth: depth + 1) else { lua_settop(L, base); return false }
                count += 1
                if take(UInt8(ascii: "]")) { break }
                guard take(UInt8(ascii: ",")) else { lua_settop(L, base); return false }
            }
        }
        guard ludus_new_table(L, count, 0) == LUDUS_OK.rawValue else { lua_settop(L, base); return false }
        for k in 0..<count {
            lua_pushvalue(L, base + 1 + k)
            lua_rawseti(L, -2, lua_Integer(k + 1))
        }
        lua_copy(L, -1, base + 1)
        lua_settop(L, base + 1)
        return true
    }

    mutating func pushObject(depth: Int) -> Bool {
        let base = lua_gettop(L)
        var keys: [(bytes: UnsafeRawBufferPointer, slot: Int32)] = []
        if !take(UInt8(ascii: "}")) {
            while true {
                skipSpace()
                guard let key = readKey(), take(UInt8(ascii: ":")), pushValue(depth: depth + 1) else { lua_settop(L, base); return false }
                keys.append((key, lua_gettop(L)))
                if take(UInt8(ascii: "}")) { break }
                guard take(UInt8(ascii: ",")) else { lua_settop(L, base); return false }
            }
        }
        // In `push(.table)`'s order: sorted keys (ASCII: byte order is Swift's order).
        keys.sort { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        for k in keys.indices.dropFirst() where keys[k].bytes.elementsEqual(keys[k - 1].bytes) { lua_settop(L, base); return false }
        guard ludus_new_table(L, 0, Int32(keys.count)) == LUDUS_OK.rawValue else { lua_settop(L, base); return false }
        for key in keys {
            guard push(key.bytes) else { lua_settop(L, base); return false }
            lua_pushvalue(L, key.slot)
            lua_rawset(L, -3)
        }
        lua_copy(L, -1, base + 1)
        lua_settop(L, base + 1)
        return true
    }
}
