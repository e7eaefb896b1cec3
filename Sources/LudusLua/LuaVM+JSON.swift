import CLua
import CLuaShim
import Foundation
import LudusCore

// JSON straight between the Lua stack and bytes, for datasets: an item written as a JSON
// line and a scoring line pushed as tables, with no `Value` in between (building and
// sorting `Value` dictionaries was most of the host's share of an item).
//
// Both are fast paths for the common shapes only. Each gives up (returns false / nil)
// on anything it does not reproduce exactly, and the caller then takes the `Value` path,
// so the bytes and the scores are always those of `JSON.write(read(at:))` and
// `push(JSON.decode(line))`.
extension LuaVM {
    /// Appends the value at `index` as `JSON.write(read(at: index))` would write it.
    /// - Returns: false (with `out` possibly half-written: the caller drops it) for what
    ///   only the `Value` path handles: a table nested deeper than `maxReadDepth`
    ///   (or a cycle), keys other than ASCII strings or a sequence 1...n, more than the copy
    ///   budget, or a float key.
    func writeJSON(at index: Int32, into out: inout [UInt8]) -> Bool {
        var used = (values: 0, bytes: 0)
        return writeJSON(at: lua_absindex(L, index), depth: 0, used: &used, into: &out)
    }

    private func writeJSON(at index: Int32, depth: Int, used: inout (values: Int, bytes: Int), into out: inout [UInt8]) -> Bool {
        used.values += 1
        if used.values > copyBudget.values { return false }
        switch lua_type(L, index) {
        case LUA_TBOOLEAN: out.append(contentsOf: lua_toboolean(L, index) != 0 ? Self.trueBytes : Self.falseBytes)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 {
                Self.appendInteger(Int64(ludus_tointeger(L, index, nil)), to: &out)
            } else {
                out.append(contentsOf: JSON.number(ludus_tonumber(L, index, nil)).utf8)
            }
        case LUA_TSTRING:
            var length = 0
            guard let pointer = lua_tolstring(L, index, &length) else { return false }
            used.bytes += length
            guard used.bytes <= copyBudget.bytes else { return false }
            Self.appendQuoted(UnsafeRawBufferPointer(start: pointer, count: length), to: &out)
        case LUA_TTABLE:
            guard depth < Self.maxReadDepth else { return false }
            return writeTable(at: index, depth: depth, used: &used, into: &out)
        default: out.append(contentsOf: Self.nullBytes)  // nil, functions, userdata: null, as .nil and .opaque write
        }
        return true
    }

    /// A table: `[]`-free sequences 1...n as arrays, ASCII string keys as sorted objects.
    private func writeTable(at table: Int32, depth: Int, used: inout (values: Int, bytes: Int), into out: inout [UInt8]) -> Bool {
        guard lua_checkstack(L, 4) != 0 else { return false }
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        // Keys are kept on the stack (each key below its value) so that their strings stay put.
        var integers = 0, largest: lua_Integer = 0, strings = 0
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            switch lua_type(L, -2) {
            case LUA_TNUMBER where lua_isinteger(L, -2) != 0:
                let key = ludus_tointeger(L, -2, nil)
                guard key >= 1 else { return false }
                integers += 1
                largest = max(largest, key)
            case LUA_TSTRING: strings += 1
            default: return false
            }
            guard integers == 0 || strings == 0 else { return false }
            // Keep the key and the value: [.., key, value] -> [.., key, value, key] for lua_next.
            guard lua_checkstack(L, 3) != 0 else { return false }
            lua_pushvalue(L, -2)
        }
        let count = integers + strings
        if count == 0 { out.append(contentsOf: Self.emptyObject); return true }
        if integers > 0 {
            // Distinct integer keys, all in 1...largest, as many as largest: exactly 1...n.
            guard largest == lua_Integer(integers) else { return false }
            var slots = [Int32](repeating: 0, count: integers)
            for pair in 0..<count {
                let key = base + 1 + Int32(2 * pair)
                slots[Int(ludus_tointeger(L, key, nil)) - 1] = key + 1
            }
            out.append(UInt8(ascii: "["))
            for (k, slot) in slots.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                guard writeJSON(at: slot, depth: depth + 1, used: &used, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
            return true
        }
        var keys: [(bytes: UnsafeRawBufferPointer, slot: Int32)] = []
        keys.reserveCapacity(count)
        for pair in 0..<count {
            let slot = base + 1 + Int32(2 * pair)
            var length = 0
            guard let pointer = lua_tolstring(L, slot, &length) else { return false }
            let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
            // Swift orders ASCII strings byte by byte; other keys go the `Value` way.
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return false }
            keys.append((bytes, slot + 1))
        }
        keys.sort { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        out.append(UInt8(ascii: "{"))
        for (k, key) in keys.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            Self.appendQuoted(key.bytes, to: &out)
            out.append(UInt8(ascii: ":"))
            guard writeJSON(at: key.slot, depth: depth + 1, used: &used, into: &out) else { return false }
        }
        out.append(UInt8(ascii: "}"))
        return true
    }

    private static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8)
    private static let nullBytes = Array("null".utf8), emptyObject = Array("{}".utf8)
    private static let hex = Array("0123456789abcdef".utf8)

    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            if value == .min { out.append(contentsOf: "9223372036854775808".utf8); return }
        }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits, no allocation
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[k]) }
        }
    }

    /// `JSON.writeQuoted` of the string these bytes decode to (invalid UTF-8 repaired as
    /// `String(decoding:as:)` does, as the `Value` path reads strings).
    static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            let text = String(decoding: bytes, as: UTF8.self)
            var copy = text
            copy.withUTF8 { appendQuotedUTF8(UnsafeRawBufferPointer($0), to: &out) }
            return
        }
        appendQuotedUTF8(bytes, to: &out)
    }

    private static func appendQuotedUTF8(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var run = 0
        for (k, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            if run < k { out.append(contentsOf: bytes[run..<k]) }
            run = k + 1
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
            case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
            default: out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
        }
        if run < bytes.count { out.append(contentsOf: bytes[run...]) }
        out.append(UInt8(ascii: "\""))
    }
}
