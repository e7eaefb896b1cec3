import CLua
import CLuaShim

// Scoring many answers per item: a script may split `E.score_item(self, item, answer)` into
//
//     E.prepare_item(self, item)            -- once per distinct item: what scoring needs
//     E.score_prepared(self, prepared, answer)
//
// with `E.score_prepared(self, E.prepare_item(self, item), answer) == E.score_item(self, item,
// answer)` for every answer, bit for bit, and neither reading state that changes between
// calls nor changing `prepared` (it is reused for the item's later answers). The host keeps the
// prepared values by the item's JSON bytes (PreparedItemCache.swift), so a line whose item was
// seen parses only its answer. `prepare_item` returning nil, or failing, means "score this item
// with score_item" (which then reports any error, worded as without the hooks). A script
// without both hooks is scored with `score_item` alone, as before.
extension ScriptEnvironment {
    /// Whether the script has `E.prepare_item` and `E.score_prepared`.
    public var scoresPreparedItems: Bool { preparedItems != nil }

    /// The score of a scoring line through the prepared-item cache: `E.score_prepared` (or
    /// `E.score_item` for an item the script did not prepare) on the line's answer, or nil,
    /// with nothing called, when the line needs the general path (``scoreLine(_:_:)``):
    /// not the usual shape (``ScoringLineLayout``), or an item or answer the direct parse
    /// does not take.
    /// - Throws: the scoring call's ``ScriptError``, as `callMethod` would.
    public func scorePreparedLine(_ line: UnsafeRawBufferPointer) throws(ScriptError) -> Value? {
        guard let cache = preparedItems, let layout = ScoringLineLayout(line),
              layout.item.count <= PreparedItemCache.largestItem else { return nil }
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard lua_checkstack(L, 8) != 0, vm.pushAnswer(line, layout.answer) else { return nil }
        let answer = top + 1
        let bytes = UnsafeRawBufferPointer(rebasing: line[layout.item])
        let hash = PreparedItemCache.hash(bytes)
        let prepared: PreparedItemCache.Prepared
        if let found = cache.lookup(bytes, hash: hash) {
            prepared = found
        } else {
            guard vm.pushItem(line, layout.item) else { return nil }
            prepared = try prepare(item: top + 2)
            cache.insert(bytes, hash: hash, prepared)
            lua_settop(L, answer)
        }
        switch prepared {
        case .ref(let ref):
            lua_rawgeti(L, ludus_registry_index(), lua_Integer(try module.functionRef("score_prepared")))
            lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
            lua_rawgeti(L, ludus_registry_index(), lua_Integer(ref))
        case .unprepared:
            lua_rawgeti(L, ludus_registry_index(), lua_Integer(try module.functionRef("score_item")))
            lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
            guard vm.pushItem(line, layout.item) else { return nil }  // it parsed when it was cached
        }
        lua_pushvalue(L, answer)
        try vm.check(ludus_call(L, 3, 1))
        if lua_type(L, -1) == LUA_TNUMBER {
            return lua_isinteger(L, -1) != 0 ? .int(Int64(ludus_tointeger(L, -1, nil))) : .number(ludus_tonumber(L, -1, nil))
        }
        return try vm.read(at: -1, what: "a result")
    }

    /// `E.prepare_item(self, item)` for the item at stack index `item` (left in place): its
    /// result in the registry, or ``PreparedItemCache/Prepared/unprepared`` when it returned
    /// nil or raised an error (`score_item` then scores the line and reports any problem).
    /// A time limit, memory limit or sandbox violation is thrown: those are never retried.
    private func prepare(item: Int32) throws(ScriptError) -> PreparedItemCache.Prepared {
        let L = vm.L
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(try module.functionRef("prepare_item")))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        lua_pushvalue(L, item)
        let status = ludus_call(L, 2, 1)
        if status == LUDUS_ERR_SCRIPT.rawValue { return .unprepared }
        try vm.check(status)
        guard lua_type(L, -1) != LUA_TNIL else { return .unprepared }
        return .ref(try vm.makeRef())
    }
}
