// The Lua host speaks the core's values; code that imports the host sees them too.
@_exported import LudusCore

/// The host's older names for the core's types (kept so scripts' Swift callers read naturally).
public typealias LuaValue = Value
public typealias LuaError = ScriptError
