import LudusCore
import LudusLua

/// How an action is handed to a Lua script.
extension Action {
    var luaAction: LuaAction {
        switch self {
        case .discrete(let i): return .integer(Int64(i))
        case .vector(let v): return .numbers(v)
        case .text(let s): return .text(s)
        }
    }

    /// The action as the script receives it in `space`: multi-discrete and multi-binary
    /// elements arrive as Lua integers (`0`, not `0.0`), box elements as floats.
    func luaAction(in space: Space) -> LuaAction {
        switch (self, space) {
        case (.vector(let v), .multiDiscrete), (.vector(let v), .multiBinary):
            return .value(.array(v.map { .int(Int64($0)) }))
        default: return luaAction
        }
    }
}
