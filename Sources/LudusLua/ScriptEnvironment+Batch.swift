import CLua
import CLuaShim
import Foundation
import LudusCore

// Dataset fast paths: an item written straight to JSON bytes, a scoring line pushed
// straight from JSON (LuaVM+JSON.swift, LuaVM+JSONPush.swift). Each returns nil when
// it gives up, and the caller then takes the `Value` path (which also reports errors),
// so results are the same either way.
extension ScriptEnvironment {
    /// Calls `E.name(self)` and appends its result as a JSON line (`JSON.write` plus "\n")
    /// when it is a table with a string `question`. Nil when the fast path gave up (`out`
    /// is then as it was); the call may have run, so the caller redoes the whole item.
    public func itemLine(_ name: String, into out: inout [UInt8]) -> Bool? {
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard let function = try? module.functionRef(name), lua_checkstack(L, 4) != 0 else { return nil }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(function))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        guard ludus_call(L, 1, 1) == LUDUS_OK.rawValue, lua_type(L, -1) == LUA_TTABLE, hasStringQuestion(at: -1) else { return nil }
        let start = out.count
        guard vm.writeJSON(at: -1, into: &out) else {
            out.removeSubrange(start...)
            return nil
        }
        out.append(UInt8(ascii: "\n"))
        return true
    }

    /// Whether the table at `index` has a string field `question` (read with `lua_next`:
    /// looking it up would push a key, which can raise).
    private func hasStringQuestion(at index: Int32) -> Bool {
        let L = vm.L
        let table = lua_absindex(L, index)
        guard lua_checkstack(L, 3) != 0 else { return false }
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            if lua_type(L, -2) == LUA_TSTRING {
                var length = 0
                if let key = lua_tolstring(L, -2, &length), length == 8, memcmp(key, "question", 8) == 0 {
                    let isString = lua_type(L, -1) == LUA_TSTRING
                    ludus_pop(L, 2)
                    return isString
                }
            }
            ludus_pop(L, 1)
        }
        return false
    }

    /// `E.name(self, item, answer)` for a line `{"item": {...}, "answer": "..."}`: its score
    /// when it is a number in [0, 1]. Nil when the fast path gave up or the call failed.
    public func scoreLine(_ name: String, _ line: UnsafeRawBufferPointer) -> Double? {
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard let function = try? module.functionRef(name), lua_checkstack(L, 6) != 0 else { return nil }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(function))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        guard vm.pushScoringPair(line), ludus_call(L, 3, 1) == LUDUS_OK.rawValue, lua_type(L, -1) == LUA_TNUMBER else { return nil }
        let score = ludus_tonumber(L, -1, nil)
        guard score.isFinite, (0...1).contains(score) else { return nil }
        return score
    }
}
