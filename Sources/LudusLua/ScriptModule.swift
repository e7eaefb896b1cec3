import CLua
import CLuaShim

/// A loaded environment script: the table `E` it returned, with references to
/// its functions cached so that calls on the hot path do no lookups.
public final class ScriptModule {
    public let vm: LuaVM
    /// `E` copied into Swift (functions appear as `.opaque("function")`).
    public let definition: Value
    /// The name scripts' errors use for this file.
    public let displayName: String
    let moduleRef: LuaRef
    let stepRef: LuaRef
    /// The prelude's `turn(E, self)`: current player and legal actions in one call.
    let turnRef: LuaRef?
    /// `E.step` fused with the next `turn` (`ludus_push_step_turn`), when the script defines
    /// `current_player` and `legal_actions`: one call into Lua per move instead of two.
    let stepTurnRef: LuaRef?
    /// `E.reset` fused with the episode's first `turn` (`ludus_push_reset_turn`), on the same terms.
    let resetTurnRef: LuaRef?
    private(set) var functionRefs: [String: LuaRef] = [:]

    /// The functions of the contract the host looks up.
    public static let contractFunctions = [
        "reset", "step", "current_player", "legal_actions", "render", "clone", "score",
    ]

    /// Loads `path` into `vm` and checks that it returns a table with `reset` and `step`.
    /// - Parameter gameParameters: the chunk's argument (`local game = ...`): the game
    ///   parameters given with the environment's name, an empty table when none were.
    /// - Throws: ``ScriptError`` naming `displayName:line` for syntax and load-time errors.
    public init(vm: LuaVM, path: String, displayName: String, gameParameters: [String: Value] = [:]) throws(ScriptError) {
        self.vm = vm
        self.displayName = displayName
        moduleRef = try vm.runFile(path: path, displayName: displayName, arguments: [.value(.table(gameParameters))])
        let value: Value
        do { value = try vm.value(of: moduleRef, what: "the environment table E") } catch {
            vm.release(moduleRef)
            throw error
        }
        guard case .table = value else {
            vm.release(moduleRef)
            throw ScriptError.script(
                location: SourceLocation(file: displayName, line: 1),
                message: "the script must return a table (the environment E), got \(value.typeName)", traceback: "")
        }
        definition = value
        for name in Self.contractFunctions {
            if let ref = try vm.field(moduleRef, name) {
                if vm.isFunction(ref) { functionRefs[name] = ref } else { vm.release(ref) }
            }
        }
        guard let step = functionRefs["step"], functionRefs["reset"] != nil else {
            let missing = functionRefs["reset"] == nil ? "reset" : "step"
            for ref in functionRefs.values { vm.release(ref) }
            vm.release(moduleRef)
            throw ScriptError.script(
                location: SourceLocation(file: displayName, line: 1),
                message: "E.\(missing) must be a function (see docs/environments.md)", traceback: "")
        }
        stepRef = step
        turnRef = try vm.field(vm.prelude, "turn")
        // Out of memory here only costs the fusion: moves then take two calls.
        let top = lua_gettop(vm.L)
        let turns = functionRefs["current_player"] != nil && functionRefs["legal_actions"] != nil
        if turns, ludus_push_step_turn(vm.L, step, moduleRef) == LUDUS_OK.rawValue {
            stepTurnRef = try? vm.makeRef()
        } else {
            stepTurnRef = nil
        }
        lua_settop(vm.L, top)
        if turns, let reset = functionRefs["reset"], ludus_push_reset_turn(vm.L, reset, moduleRef) == LUDUS_OK.rawValue {
            resetTurnRef = try? vm.makeRef()
        } else {
            resetTurnRef = nil
        }
        lua_settop(vm.L, top)
    }

    deinit {
        if let turnRef { vm.release(turnRef) }
        if let stepTurnRef { vm.release(stepTurnRef) }
        if let resetTurnRef { vm.release(resetTurnRef) }
        for ref in functionRefs.values { vm.release(ref) }
        vm.release(moduleRef)
    }

    /// Whether `E.name` is a function.
    public func hasFunction(_ name: String) -> Bool {
        if functionRefs[name] != nil { return true }
        if case .opaque("function") = definition[name] { return true }
        return false
    }

    /// `file:line` of `E.name`'s definition, for messages.
    public func location(of name: String) -> SourceLocation? {
        functionRefs[name].flatMap { vm.definition(of: $0) }
    }

    func functionRef(_ name: String) throws(ScriptError) -> LuaRef {
        if let ref = functionRefs[name] { return ref }
        guard let ref = try vm.field(moduleRef, name), vm.isFunction(ref) else {
            throw ScriptError.script(location: nil, message: "E.\(name) is not a function", traceback: "")
        }
        functionRefs[name] = ref
        return ref
    }
}
