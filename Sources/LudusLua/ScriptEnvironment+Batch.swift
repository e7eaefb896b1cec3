import CLua
import CLuaShim
import Foundation
import LudusCore

// Dataset fast paths: an item written straight to JSON bytes, a scoring line pushed
// straight from JSON (LuaVM+JSON.swift, LuaVM+JSONPush.swift). Each returns nil when
// it gives up, and the caller then takes the `Value` path (which also reports errors),
// so results are the same either way.
extension ScriptEnvironment {
    /// Calls `E.name(self)` once and appends its result as a JSON line (`JSON.write` plus
    /// "\n") when it is a table with a string `question`, returning nil; otherwise returns
    /// the result as a `Value` (as `call` would) for the caller to check and write.
    /// - Throws: the call's ``ScriptError``, as `callMethod` would.
    public func itemLine(_ name: String, into out: inout [UInt8]) throws(ScriptError) -> Value? {
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        let function = try module.functionRef(name)
        guard lua_checkstack(L, 4) != 0 else { throw ScriptError.memoryLimit(bytes: vm.limits.memoryBytes) }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(function))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        try vm.check(ludus_call(L, 1, 1))
        if lua_type(L, -1) == LUA_TTABLE, hasStringQuestion(at: -1) {
            let start = out.count
            if vm.writeJSON(at: -1, into: &out) {
                out.append(UInt8(ascii: "\n"))
                return nil
            }
            out.removeSubrange(start...)
        }
        return try vm.read(at: -1, what: "a result")
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

    /// `E.name(self, item, answer)` for a line `{"item": {...}, "answer": "..."}` parsed
    /// straight into Lua: its result, or nil when the line needs the `Value` path (nothing
    /// was called then).
    /// - Throws: the call's ``ScriptError``, as `callMethod` would.
    public func scoreLine(_ name: String, _ line: UnsafeRawBufferPointer) throws(ScriptError) -> Value? {
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        let function = try module.functionRef(name)
        guard lua_checkstack(L, 6) != 0 else { return nil }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(function))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        guard vm.pushScoringPair(line) else { return nil }
        try vm.check(ludus_call(L, 3, 1))
        if lua_type(L, -1) == LUA_TNUMBER {
            return lua_isinteger(L, -1) != 0 ? .int(Int64(ludus_tointeger(L, -1, nil))) : .number(ludus_tonumber(L, -1, nil))
        }
        return try vm.read(at: -1, what: "a result")
    }
}
