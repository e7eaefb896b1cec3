import Foundation
import CLua
import CLuaShim

// Moving values across the stack. Pushes that allocate go through protected C
// helpers; reads use only API calls that never raise.
extension LuaVM {
    static let maxReadDepth = 64

    /// Converts the status of a protected call into a thrown error (message on the stack).
    func check(_ status: Int32) throws(ScriptError) {
        if status != LUDUS_OK.rawValue { throw error(status: status) }
    }

    func error(status: Int32) -> ScriptError {
        let message: String
        if lua_type(L, -1) == LUA_TSTRING, let text = lua_tolstring(L, -1, nil) {
            message = String(cString: text)
        } else {
            message = "(no message)"
        }
        ludus_pop(L, 1)
        let (headline, traceback) = Self.splitTraceback(message)
        let located = SourceLocation.parse(headline[...])
        switch UInt32(status) {
        case LUDUS_ERR_SYNTAX.rawValue:
            return .syntax(location: located?.0, message: String(located?.1 ?? headline[...]))
        case LUDUS_ERR_MEMORY.rawValue:
            return .memoryLimit(bytes: limits.memoryBytes)
        case LUDUS_ERR_TIME.rawValue:
            return .timeLimit(milliseconds: limits.callMilliseconds)
        case LUDUS_ERR_VIOLATION.rawValue:
            let text = located.map { String($0.1) } ?? headline
            return .sandboxViolation(
                location: located?.0 ?? Self.firstScriptFrame(traceback),
                message: text.replacingPrefix("sandbox violation: "))
        default:
            return .script(location: located?.0 ?? Self.firstScriptFrame(traceback),
                           message: String(located?.1 ?? headline[...]), traceback: traceback)
        }
    }

    static func splitTraceback(_ message: String) -> (String, String) {
        guard let range = message.range(of: "\nstack traceback:") else { return (message, "") }
        return (String(message[..<range.lowerBound]), String(message[range.lowerBound...].dropFirst()))
    }

    /// The first `file:line` of a script (not a C function or the prelude) in a traceback.
    static func firstScriptFrame(_ traceback: String) -> SourceLocation? {
        for line in traceback.split(separator: "\n").dropFirst() {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.hasPrefix("[C]") || trimmed.hasPrefix("prelude") { continue }
            if let (location, _) = SourceLocation.parse(trimmed) { return location }
        }
        return nil
    }

    /// Pops the top value into a new registry reference.
    func makeRef() throws(ScriptError) -> LuaRef {
        let ref = ludus_ref(L)
        if ref == LUA_NOREF { throw ScriptError.memoryLimit(bytes: limits.memoryBytes) }
        return ref
    }

    func pushString(_ string: String) throws(ScriptError) {
        var copy = string
        let status = copy.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { ludus_push_string(L, $0.baseAddress, $0.count) }
        }
        try check(status)
    }

    func push(_ argument: LuaArgument) throws(ScriptError) {
        guard lua_checkstack(L, 8) != 0 else { throw ScriptError.memoryLimit(bytes: limits.memoryBytes) }
        switch argument {
        case .ref(let ref): lua_rawgeti(L, ludus_registry_index(), lua_Integer(ref))
        case .value(let value): try push(value)
        }
    }

    func push(_ value: Value) throws(ScriptError) {
        switch value {
        case .nil, .opaque: lua_pushnil(L)
        case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
        case .int(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s): try pushString(s)
        case .array(let items):
            try check(ludus_new_table(L, Int32(clamping: items.count), 0))
            for (index, item) in items.enumerated() {
                lua_pushinteger(L, lua_Integer(index + 1))
                try push(.value(item))
                try check(ludus_set_table(L, -3))
            }
        case .table(let fields):
            try check(ludus_new_table(L, 0, Int32(clamping: fields.count)))
            for key in fields.keys.sorted() {
                try pushString(key)
                try push(.value(fields[key]!))
                try check(ludus_set_table(L, -3))
            }
        }
    }

    /// What one copy out of Lua may hold: a table shared many times (`t = {t, t}`
    /// thirty times is 30 tables but 2^30 paths) counts once per path, so without a
    /// budget one value could exhaust the host's memory.
    public struct CopyBudget: Sendable {
        /// Values (tables, numbers, strings...) one copy may hold.
        public var values = 1_000_000
        /// Bytes of string data one copy may hold.
        public var bytes = 64 << 20
        public static let `default` = CopyBudget()
    }

    /// Where one copy stands against its budget.
    struct CopyState {
        var budget: CopyBudget
        var values = 0
        var bytes = 0
        var exceeded = false
        /// Tables on the path from the root: a table met again on its own path is a cycle.
        var onPath: Set<UnsafeRawPointer> = []
    }

    /// Copies the value at `index` out of the state. Cycles and very deep nesting
    /// become `.opaque`; keys are never converted in place.
    /// - Throws: ``ScriptError/copyLimit(message:)`` when the value holds more than the
    ///   budget allows (the host stays within its memory).
    func read(at index: Int32, what: String = "a value") throws(ScriptError) -> Value {
        var state = CopyState(budget: copyBudget)
        let value = read(at: index, depth: 0, &state)
        if state.exceeded {
            throw .copyLimit(message: "\(what) is too large to copy out of the script: more than \(state.budget.values) values or \(state.budget.bytes >> 20) MiB of strings (a table referenced from several places counts once per place)")
        }
        return value
    }

    private func read(at index: Int32, depth: Int, _ state: inout CopyState) -> Value {
        state.values += 1
        if state.values > state.budget.values { state.exceeded = true }
        if state.exceeded { return .nil }
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .bool(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .int(Int64(ludus_tointeger(L, index, nil))) }
            return .number(ludus_tonumber(L, index, nil))
        case LUA_TSTRING:
            var length = 0
            _ = lua_tolstring(L, index, &length)
            state.bytes += length
            if state.bytes > state.budget.bytes { state.exceeded = true; return .nil }
            return .string(readString(at: index))
        case LUA_TTABLE:
            guard depth < Self.maxReadDepth, let pointer = lua_topointer(L, index) else { return .opaque("table") }
            guard state.onPath.insert(pointer).inserted else { return .opaque("cycle") }
            defer { state.onPath.remove(pointer) }
            return readTable(at: index, depth: depth, &state)
        case LUA_TFUNCTION: return .opaque("function")
        default: return .opaque(String(cString: lua_typename(L, lua_type(L, index))))
        }
    }

    func readString(at index: Int32) -> String {
        var length = 0
        guard let pointer = lua_tolstring(L, index, &length) else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    private func readTable(at index: Int32, depth: Int, _ state: inout CopyState) -> Value {
        let table = lua_absindex(L, index)
        guard lua_checkstack(L, 4) != 0 else { return .opaque("table") }
        var integerKeyed: [Int64: Value] = [:]
        var fields: [String: Value] = [:]
        lua_pushnil(L)
        while lua_next(L, table) != 0 {
            let value = read(at: -1, depth: depth + 1, &state)
            if state.exceeded { ludus_pop(L, 2); return .nil }
            switch lua_type(L, -2) {
            case LUA_TNUMBER where lua_isinteger(L, -2) != 0:
                integerKeyed[Int64(ludus_tointeger(L, -2, nil))] = value
            case LUA_TSTRING: fields[readString(at: -2)] = value
            case LUA_TNUMBER: fields["\(ludus_tonumber(L, -2, nil))"] = value
            case LUA_TBOOLEAN: fields[lua_toboolean(L, -2) != 0 ? "true" : "false"] = value
            default: fields["<\(String(cString: lua_typename(L, lua_type(L, -2))))>"] = value
            }
            ludus_pop(L, 1)
        }
        if fields.isEmpty {
            let count = integerKeyed.count
            if count == 0 { return .table([:]) }
            if integerKeyed.keys.min() == 1 && integerKeyed.keys.max() == Int64(count) {
                return .array((1...count).map { integerKeyed[Int64($0)]! })
            }
        }
        for (key, value) in integerKeyed { fields["\(key)"] = value }
        return .table(fields)
    }
}

extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}

// The two ways of reading a table's numbers (in place, or through the public API),
// for the tests that hold them to the same answer.
extension LuaVM {
    /// Whether the start-up probe switched in-place table reads on.
    static var fastTableReadsEnabled: Bool { ludus_fast_table_reads_enabled() != 0 }

    /// The numbers of the value behind `ref`, as an observation read sees them, or nil
    /// when it is not made of numbers (or holds more than `capacity`).
    func readNumbers(of ref: LuaRef, capacity: Int, apiOnly: Bool) -> [Double]? {
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(ref))
        defer { ludus_pop(L, 1) }
        var buffer = [Double](repeating: .nan, count: capacity)
        let count = buffer.withUnsafeMutableBufferPointer {
            apiOnly ? ludus_read_numbers_api(L, -1, $0.baseAddress, Int32(capacity))
                : ludus_read_numbers(L, -1, $0.baseAddress, Int32(capacity))
        }
        return count < 0 ? nil : Array(buffer.prefix(Int(count)))
    }

    /// The integers of the list behind `ref`, as a legal-action read sees them, or nil.
    func readIntegers(of ref: LuaRef, capacity: Int) -> [Int64]? {
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(ref))
        defer { ludus_pop(L, 1) }
        var buffer = [Int64](repeating: 0, count: capacity)
        var bad: Int32 = 0
        let count = buffer.withUnsafeMutableBufferPointer { ludus_read_integers(L, -1, $0.baseAddress, Int32(capacity), &bad) }
        return count < 0 || Int(count) > capacity ? nil : Array(buffer.prefix(Int(count)))
    }
}
