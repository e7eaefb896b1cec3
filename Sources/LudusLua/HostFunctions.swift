import CLua
import CLuaShim

/// Swift functions scripts can call, through the C trampoline. Each one reads its
/// arguments with non-raising API calls, pushes at most a few plain values, and
/// reports misuse by returning `LUDUS_SWIFT_ERROR` after `ludus_set_error`: the
/// trampoline raises the Lua error once this Swift frame has returned.
enum HostFunction: Int32, CaseIterable {
    case int = 1, float, normal, choice, seed, random

    /// The method name on `rng` objects.
    var name: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        case .normal: return "normal"
        case .choice: return "choice"
        case .seed: return "seed"
        case .random: return "random"
        }
    }
}

let hostLog: ludus_log_fn = { host, text, length in
    guard let host, let text else { return }
    let vm = Unmanaged<LuaVM>.fromOpaque(host).takeUnretainedValue()
    let message = text.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    vm.log(message)
}

let hostDispatch: ludus_swift_fn = { _, L, id in
    guard let L, let function = HostFunction(rawValue: id) else { return LUDUS_SWIFT_ERROR }
    return randomMethod(L, function)
}

private func fail(_ L: OpaquePointer, _ message: String) -> Int32 {
    ludus_set_error(L, message)
    return LUDUS_SWIFT_ERROR
}

private func integerArgument(_ L: OpaquePointer, _ index: Int32) -> Int64? {
    var isInteger: Int32 = 0
    let value = ludus_tointeger(L, index, &isInteger)
    return isInteger != 0 ? Int64(value) : nil
}

private func numberArgument(_ L: OpaquePointer, _ index: Int32, default fallback: Double) -> Double? {
    if ludus_isnoneornil(L, index) != 0 { return fallback }
    var isNumber: Int32 = 0
    let value = ludus_tonumber(L, index, &isNumber)
    return isNumber != 0 ? value : nil
}

/// The methods of `rng` objects; the generator state lives in the userdata.
private func randomMethod(_ L: OpaquePointer, _ function: HostFunction) -> Int32 {
    guard let words = ludus_rng_state(L, 1) else {
        return fail(L, "rng:\(function.name)(): call it with ':' on an rng object")
    }
    var generator = SeededGenerator(state: (words[0], words[1], words[2], words[3]))
    defer { words[0] = generator.state.0; words[1] = generator.state.1; words[2] = generator.state.2; words[3] = generator.state.3 }
    switch function {
    case .int:
        guard let low = integerArgument(L, 2), let high = integerArgument(L, 3) else {
            return fail(L, "rng:int(low, high): both bounds must be integers")
        }
        guard low <= high else { return fail(L, "rng:int(low, high): empty range [\(low), \(high)]") }
        lua_pushinteger(L, lua_Integer(generator.nextInt(low, high)))
        return 1
    case .float:
        guard let low = numberArgument(L, 2, default: 0), let high = numberArgument(L, 3, default: 1) else {
            return fail(L, "rng:float([low, high]): bounds must be numbers")
        }
        lua_pushnumber(L, low + (high - low) * generator.nextDouble())
        return 1
    case .normal:
        guard let mean = numberArgument(L, 2, default: 0), let deviation = numberArgument(L, 3, default: 1) else {
            return fail(L, "rng:normal([mean, sd]): arguments must be numbers")
        }
        lua_pushnumber(L, mean + deviation * generator.nextGaussian())
        return 1
    case .choice:
        guard lua_type(L, 2) == LUA_TTABLE else { return fail(L, "rng:choice(list): list must be a table") }
        let count = Int64(lua_rawlen(L, 2))
        guard count > 0 else { return fail(L, "rng:choice(list): list is empty") }
        lua_rawgeti(L, 2, lua_Integer(generator.nextInt(1, count)))
        return 1
    case .seed:
        guard let seed = integerArgument(L, 2) else { return fail(L, "rng:seed(n): n must be an integer") }
        generator = SeededGenerator(seed: UInt64(bitPattern: seed))
        return 0
    case .random:
        // math.random semantics: () -> [0,1); (m) -> [1,m]; (m, n) -> [m,n].
        if ludus_isnoneornil(L, 2) != 0 {
            lua_pushnumber(L, generator.nextDouble())
            return 1
        }
        guard let first = integerArgument(L, 2) else { return fail(L, "bad argument #1 to 'random' (number has no integer representation)") }
        let (low, high): (Int64, Int64)
        if ludus_isnoneornil(L, 3) != 0 {
            (low, high) = (1, first)
        } else {
            guard let second = integerArgument(L, 3) else { return fail(L, "bad argument #2 to 'random' (number has no integer representation)") }
            (low, high) = (first, second)
        }
        guard low <= high else { return fail(L, "bad argument to 'random' (interval is empty)") }
        lua_pushinteger(L, lua_Integer(generator.nextInt(low, high)))
        return 1
    }
}
