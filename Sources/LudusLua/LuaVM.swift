import CLua
import CLuaShim

/// A registry reference to a value held by a ``LuaVM``.
public typealias LuaRef = Int32

/// One sandboxed Lua state: the only owner of a `lua_State` in Ludus.
///
/// A VM is single-threaded: use it from one thread at a time (each worker owns
/// its own VMs). Every call into Lua runs under the time budget and memory cap of
/// ``limits``; anything that can raise runs inside a protected C helper, so no
/// `longjmp` ever crosses a Swift frame.
public final class LuaVM {
    let L: OpaquePointer
    public let limits: LuaLimits
    /// Receives what scripts `print`.
    public var log: (String) -> Void
    /// What one copy of a value out of the state may hold.
    public var copyBudget = CopyBudget.default
    /// The table returned by the prelude: host-side helpers written in Lua.
    private(set) var prelude: LuaRef = LUA_NOREF
    private var vmRandom: LuaRef = LUA_NOREF

    /// Creates a state with the sandbox, the `space` constructors and the `rng` type.
    /// - Parameter libraryDirectory: the folder `require` may load modules from (`Environments/lib`).
    public init(limits: LuaLimits = .default, libraryDirectory: String? = nil, log: @escaping (String) -> Void = { _ in })
        throws(ScriptError)
    {
        guard let state = ludus_newstate(limits.memoryBytes, UInt32(clamping: limits.callMilliseconds), nil) else {
            throw ScriptError.memoryLimit(bytes: limits.memoryBytes)
        }
        L = state
        self.limits = limits
        self.log = log
        ludus_set_host(L, Unmanaged.passUnretained(self).toOpaque(), hostDispatch, hostLog)
        do {
            let status = libraryDirectory.withOptionalCString { ludus_open_sandbox(L, $0) }
            try check(status)
            for function in HostFunction.allCases {
                try check(ludus_register(L, "ludus.rng", function.name, function.rawValue))
            }
            vmRandom = try newRandom(seed: 0)
            prelude = try run(source: Prelude.source, chunkName: "=prelude", arguments: [.ref(vmRandom)])
        } catch {
            ludus_close(L)
            throw error
        }
    }

    deinit { ludus_close(L) }

    /// Bytes the state holds now, and at most so far.
    public var memoryUsed: Int { ludus_memory_used(L) }
    public var memoryPeak: Int { ludus_memory_peak(L) }

    // MARK: - Loading

    /// Compiles and runs a text chunk; returns a reference to its first result.
    /// - Throws: `.syntax` naming `chunkName:line`, or any error the chunk raises.
    public func run(source: String, chunkName: String, arguments: [LuaArgument] = []) throws(ScriptError) -> LuaRef {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        var bytes = Array(source.utf8)
        if bytes.isEmpty { bytes = [0x20] }
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                ludus_load(L, $0, buffer.count, "@" + chunkName.drop(while: { $0 == "@" }))
            }
        }
        if status != LUDUS_OK.rawValue {
            throw error(status: status)
        }
        for argument in arguments { try push(argument) }
        try check(ludus_call(L, Int32(arguments.count), 1))
        return try makeRef()
    }

    /// Reads, compiles and runs a script file (`arguments` are the chunk's `...`).
    public func runFile(path: String, displayName: String, arguments: [LuaArgument] = []) throws(ScriptError) -> LuaRef {
        guard let source = readText(path) else {
            throw ScriptError.script(location: nil, message: "cannot read \(path)", traceback: "")
        }
        return try run(source: source, chunkName: displayName, arguments: arguments)
    }

    // MARK: - References

    /// A reference to `table[name]`, or nil when the field is nil. Raw access: no metamethods.
    public func field(_ table: LuaRef, _ name: String) throws(ScriptError) -> LuaRef? {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(table))
        guard lua_type(L, -1) == LUA_TTABLE else { return nil }
        try pushString(name)
        lua_rawget(L, -2)
        if lua_type(L, -1) == LUA_TNIL { return nil }
        return try makeRef()
    }

    /// Whether the referenced value is a function.
    public func isFunction(_ ref: LuaRef) -> Bool {
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(ref))
        defer { ludus_pop(L, 1) }
        return lua_type(L, -1) == LUA_TFUNCTION
    }

    /// `file:line` where a referenced Lua function is defined.
    public func definition(of ref: LuaRef) -> SourceLocation? {
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(ref))
        guard lua_type(L, -1) == LUA_TFUNCTION else { ludus_pop(L, 1); return nil }
        var info = lua_Debug()
        guard lua_getinfo(L, ">S", &info) != 0, info.linedefined > 0 else { return nil }
        let source = withUnsafeBytes(of: &info.short_src) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        return SourceLocation(file: source, line: Int(info.linedefined))
    }

    public func value(of ref: LuaRef, what: String = "a value") throws(ScriptError) -> Value {
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(ref))
        defer { ludus_pop(L, 1) }
        return try read(at: -1, what: what)
    }

    public func release(_ ref: LuaRef) {
        if ref != LUA_NOREF && ref != LUA_REFNIL { ludus_unref(L, ref) }
    }

    /// A new reference to a deep copy of a table (metatables shared, rngs copied).
    public func deepCopy(_ ref: LuaRef) throws(ScriptError) -> LuaRef {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(ref))
        try check(ludus_deep_copy(L, -1))
        return try makeRef()
    }

    /// A reference to a new Lua value.
    public func makeRef(_ value: Value) throws(ScriptError) -> LuaRef {
        try push(.value(value))
        return try makeRef()
    }

    /// A new `rng` object seeded with `seed`.
    public func newRandom(seed: UInt64) throws(ScriptError) -> LuaRef {
        let generator = SeededGenerator(seed: seed)
        var words = [generator.state.0, generator.state.1, generator.state.2, generator.state.3]
        try check(ludus_new_rng(L, &words))
        return try makeRef()
    }

    // MARK: - Calls

    /// Calls a referenced function with the arguments; returns `results` values copied out.
    /// - Throws: the distinct ``ScriptError`` of whatever stopped the call.
    public func call(_ function: LuaRef, _ arguments: [LuaArgument], results: Int) throws(ScriptError) -> [Value] {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard lua_checkstack(L, Int32(arguments.count + results + 4)) != 0 else {
            throw ScriptError.memoryLimit(bytes: limits.memoryBytes)
        }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(function))
        for argument in arguments { try push(argument) }
        try check(ludus_call(L, Int32(arguments.count), Int32(results)))
        var values: [Value] = []
        for i in 0..<results { values.append(try read(at: top + 1 + Int32(i), what: "a result")) }
        return values
    }

    /// Calls a function of the prelude by name.
    func callPrelude(_ name: String, _ arguments: [LuaArgument], results: Int) throws(ScriptError) -> [Value] {
        guard let function = try field(prelude, name) else {
            throw ScriptError.script(location: nil, message: "prelude has no \(name)", traceback: "")
        }
        defer { release(function) }
        return try call(function, arguments, results: results)
    }

    /// Seeds the VM-wide generator behind `math.random`.
    public func seedMathRandom(_ seed: UInt64) {
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(vmRandom))
        if let words = ludus_rng_state(L, -1) {
            let generator = SeededGenerator(seed: seed)
            words[0] = generator.state.0; words[1] = generator.state.1
            words[2] = generator.state.2; words[3] = generator.state.3
        }
        ludus_pop(L, 1)
    }
}

/// An argument to a Lua call: a referenced value, or a Swift value to push.
public enum LuaArgument {
    case ref(LuaRef)
    case value(Value)
}

extension Optional where Wrapped == String {
    func withOptionalCString<R>(_ body: (UnsafePointer<CChar>?) -> R) -> R {
        switch self {
        case .some(let s): return s.withCString { body($0) }
        case .none: return body(nil)
        }
    }
}

func readText(_ path: String) -> String? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let got = fread(&chunk, 1, chunk.count, file)
        if got <= 0 { break }
        bytes.append(contentsOf: chunk[0..<got])
    }
    return String(decoding: bytes, as: UTF8.self)
}

#if canImport(Glibc)
import Glibc
#endif
