import Testing
@testable import LudusLua

/// Every escape listed in the embedding reference, each shown to be contained,
/// and the VM still usable afterwards.
@Suite struct SandboxTests {
    static let fastLimits = LuaLimits(memoryBytes: 32 << 20, callMilliseconds: 100)

    func run(_ source: String, limits: LuaLimits = fastLimits) throws(ScriptError) -> Value {
        let vm = try LuaVM(limits: limits)
        let ref = try vm.run(source: source, chunkName: "hostile.lua")
        return try vm.value(of: ref)
    }

    func expectError(_ source: String, limits: LuaLimits = fastLimits, _ matches: (ScriptError) -> Bool,
                     sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            let value = try run(source, limits: limits)
            Issue.record("expected an error, got \(value)", sourceLocation: sourceLocation)
        } catch {
            #expect(matches(error), "got \(error)", sourceLocation: sourceLocation)
        }
    }

    static func isTime(_ e: ScriptError) -> Bool { if case .timeLimit = e { return true } else { return false } }
    static func isMemory(_ e: ScriptError) -> Bool { if case .memoryLimit = e { return true } else { return false } }
    static func isViolation(_ e: ScriptError) -> Bool { if case .sandboxViolation = e { return true } else { return false } }

    static let runaway: [(String, String)] = [
        ("plain loop", "while true do end"),
        ("pcall swallowing the budget error", "while true do pcall(function() while true do end end) end"),
        ("error handler that loops", "xpcall(function() while true do end end, function() while true do end end) return 1"),
        ("table.sort comparator (non-yieldable C boundary)",
         "local t = {} for i = 1, 200 do t[i] = i end table.sort(t, function(a, b) while true do end end)"),
        ("gsub callback", "return (('x'):rep(100):gsub('x', function() while true do end end))"),
        ("__index metamethod", "local t = setmetatable({}, {__index = function() while true do end end}) return t.x"),
        ("__close of a to-be-closed variable",
         "do local x <close> = setmetatable({}, {__close = function() while true do end end}) end"),
    ]

    @Test(arguments: runaway)
    func runawayCodeIsStopped(name: String, source: String) throws {
        expectError(source, Self.isTime)
    }

    /// The first limit reached names the failure: memory refused (and swallowed by pcall), then
    /// a loop until the time limit, is a memory limit; a loop alone is a time limit.
    @Test(arguments: [
        ("recursion caught by pcall then loop", "local function f() return f() + 1 end pcall(f) while true do end"),
        ("allocation caught by pcall then loop", "pcall(function() local t = {} while true do t[#t + 1] = ('x'):rep(1 << 22) .. #t end end) while true do end"),
    ])
    func memoryBombsSwallowedByPcallAreMemoryLimits(name: String, source: String) throws {
        // Half a second to reach the 32 MiB cap even on a busy machine; the loop after it then
        // runs into the time limit, and the memory limit, reached first, names the failure.
        expectError(source, limits: LuaLimits(memoryBytes: 32 << 20, callMilliseconds: 500), Self.isMemory)
    }

    @Test func vmKeepsWorkingAfterATimeLimit() throws {
        let vm = try LuaVM(limits: Self.fastLimits)
        #expect(throws: ScriptError.timeLimit(milliseconds: 100)) { try vm.run(source: "while true do end", chunkName: "a.lua") }
        let ref = try vm.run(source: "local s = 0 for i = 1, 1000 do s = s + i end return s", chunkName: "b.lua")
        #expect(try vm.value(of: ref) == .int(500500))
    }

    @Test func memoryIsCapped() {
        let limits = LuaLimits(memoryBytes: 32 << 20, callMilliseconds: 5000)
        expectError("local t = {} while true do t[#t + 1] = ('x'):rep(1 << 20) .. #t end", limits: limits, Self.isMemory)
        expectError("return ('x'):rep(1 << 30)", limits: limits, Self.isMemory)
        expectError("local t = {} for i = 1, 1e9 do t[i] = i end", limits: limits, Self.isMemory)
    }

    @Test func memoryErrorCaughtByScriptIsItsOwnBusiness() throws {
        let value = try run("local ok = pcall(string.rep, 'x', 1 << 40) return ok")
        #expect(value == .bool(false))
    }

    static let escapes: [(String, String)] = [
        ("os", "return os.execute('true')"),
        ("io", "return io.open('/etc/passwd')"),
        ("debug", "return debug.getinfo(1)"),
        ("package", "return package.loadlib"),
        ("dofile", "return dofile('/etc/passwd')"),
        ("loadfile", "return loadfile('/etc/passwd')"),
        ("collectgarbage", "collectgarbage('stop')"),
        ("coroutine", "return coroutine.create(function() end)"),
        ("string.dump", "return string.dump(function() end)"),
        ("binary chunk", "return load('\\27Lua' .. ('x'):rep(30))"),
        ("binary mode", "return load('return 1', 'x', 'b')"),
        ("__gc finalizer", "setmetatable({}, {__gc = function() while true do end end})"),
        ("__gc placeholder swapped later", "local mt = {__gc = true} setmetatable({}, mt) mt.__gc = function() while true do end end"),
        ("pattern bomb", "return string.find(('a'):rep(600), 'a-a-a-b')"),
        ("pattern bomb as a method", "local s = ('a'):rep(600) return s:match('.-.-.-b')"),
        ("pattern bomb in gmatch", "for m in ('a'):rep(2000):gmatch('a*a*b') do end"),
        ("require outside lib", "return require('../../etc/passwd')"),
        ("violation swallowed by pcall", "pcall(function() return os.exit() end) return 42"),
    ]

    @Test(arguments: escapes)
    func escapesAreViolations(name: String, source: String) {
        expectError(source, Self.isViolation)
    }

    @Test func stringMetatableIsLocked() throws {
        #expect(try run("return getmetatable('')") == .string("locked"))
        expectError("setmetatable(_G, {})", { if case .script = $0 { return true } else { return false } })
    }

    @Test func ordinaryPatternsStillWork() throws {
        #expect(try run("return (('a b  c'):gsub('%s+', ' '))") == .string("a b c"))
        #expect(try run("return ('key=value'):match('^(%w+)=(%w+)$')") == .string("key"))
        #expect(try run("return #('x'):rep(20000):gsub('x', 'y')") == .int(20000))
    }

    @Test func syntaxErrorNamesFileAndLine() {
        expectError("local x = 1\nlocal y = = 2", { error in
            guard case .syntax(let location, let message) = error else { return false }
            return location == LudusLua.SourceLocation(file: "hostile.lua", line: 2) && message.contains("unexpected symbol")
        })
    }

    @Test func runtimeErrorNamesFileLineAndTraceback() {
        expectError("local function f(t)\n  return t.x.y\nend\nlocal r = f({})\nreturn r", { error in
            guard case .script(let location, let message, let traceback) = error else { return false }
            return location?.line == 2 && message.contains("attempt to index") && traceback.contains("hostile.lua:4")
        })
    }

    @Test func errorObjectsThatAreNotStrings() {
        expectError("error({code = 1})", { error in
            guard case .script(_, let message, _) = error else { return false }
            return message.contains("table value")
        })
    }

    @Test func hostFunctionErrorsBecomeLuaErrors() throws {
        let vm = try LuaVM(limits: Self.fastLimits)
        let rng = try vm.newRandom(seed: 1)
        let f = try vm.run(source: "return function(r) return r:int(5, 1) end", chunkName: "rng.lua")
        #expect {
            try vm.call(f, [.ref(rng)], results: 1)
        } throws: { error in
            guard case .script(let location, let message, _) = error as! ScriptError else { return false }
            return message.contains("empty range") && location?.line == 1
        }
        // Many raised errors through the trampoline leave the VM consistent.
        for _ in 0..<1000 { _ = try? vm.call(f, [.ref(rng)], results: 1) }
        let g = try vm.run(source: "return function(r) return r:int(1, 6) end", chunkName: "ok.lua")
        #expect(try vm.call(g, [.ref(rng)], results: 1)[0].intValue.map { (1...6).contains($0) } == true)
    }

    @Test func mathRandomIsSeeded() throws {
        func draws(_ seed: UInt64) throws -> Value {
            let vm = try LuaVM()
            vm.seedMathRandom(seed)
            return try vm.value(of: try vm.run(source: "local t = {} for i = 1, 8 do t[i] = math.random(1, 1000) end t[9] = math.random() return t", chunkName: "r.lua"))
        }
        #expect(try draws(7) == draws(7))
        #expect(try draws(7) != draws(8))
    }

    @Test func printGoesToTheHostLog() throws {
        final class Box { var lines: [String] = [] }
        let box = Box()
        let vm = try LuaVM(log: { box.lines.append($0) })
        _ = try vm.run(source: "print('hello', 42, nil)", chunkName: "p.lua")
        #expect(box.lines == ["hello\t42\tnil"])
    }
}
