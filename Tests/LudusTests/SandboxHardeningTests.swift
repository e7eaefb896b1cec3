import Foundation
import Testing
import Ludus
@testable import LudusLua

/// Issue 13 (hardening), items 2, 4 and 5: long C calls the time limit could not interrupt,
/// output outside the caps, and `require` through symlinks. Each hostile script must end with
/// a clear, distinct error (never a time limit it should not get), and the same VM goes on.
@Suite struct SandboxHardeningTests {
    static let fast = LuaLimits(memoryBytes: 64 << 20, callMilliseconds: 200)

    static func isViolation(_ e: ScriptError) -> Bool { if case .sandboxViolation = e { return true } else { return false } }
    static func isTime(_ e: ScriptError) -> Bool { if case .timeLimit = e { return true } else { return false } }

    /// Runs `source` on `vm`; returns the error it ended with and how long it took.
    static func failure(_ vm: LuaVM, _ source: String) -> (error: ScriptError?, seconds: Double) {
        let start = Date()
        do {
            _ = try vm.run(source: source, chunkName: "hostile.lua")
            return (nil, Date().timeIntervalSince(start))
        } catch {
            return (error, Date().timeIntervalSince(start))
        }
    }

    /// The VM still runs ordinary code (and ordinary patterns) after the hostile call.
    static func expectStillWorks(_ vm: LuaVM, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let ref = try vm.run(source: "local s = 0 for i = 1, 1000 do s = s + i end return s .. ('a,b'):match('(%a),')",
                             chunkName: "after.lua")
        #expect(try vm.value(of: ref) == .string("500500a"), sourceLocation: sourceLocation)
    }

    // MARK: - 2. Long C calls: patterns

    static let costlyPatterns: [(String, String)] = [
        ("quantifier-free pattern", "return (('a'):rep(100000)):find(('%a'):rep(20000) .. 'b')"),
        ("quantifier-free pattern, 10x", "return (('a'):rep(1000000)):find(('%a'):rep(20000) .. 'b')"),
        ("quantifier-free gsub", "return (('a'):rep(100000)):gsub(('a'):rep(2000) .. 'b', '')"),
        ("quantifier-free gmatch", "for m in (('a'):rep(100000)):gmatch(('.'):rep(2000) .. 'b') do end"),
        ("one long set class", "return (('a'):rep(100000)):find('[' .. ('b'):rep(20000) .. 'a]c')"),
        ("long literal after a quantifier", "return ('a'):rep(1000):find('a-' .. ('a'):rep(5000) .. 'b')"),
        ("plain find of a long needle", "return ('a'):rep(1000000):find(('a'):rep(100000) .. 'b', 1, true)"),
        ("find without specials", "return ('a'):rep(1000000):find(('a'):rep(100000) .. 'b')"),
    ]

    @Test(arguments: costlyPatterns)
    func costlyPatternsAreRefusedAtOnce(name: String, source: String) throws {
        let vm = try LuaVM(limits: Self.fast)
        let (error, seconds) = Self.failure(vm, source)
        #expect(error.map(Self.isViolation) == true, "\(name): got \(error.map { "\($0)" } ?? "no error")")
        #expect(error.map { "\($0)".contains("too costly") } == true, "\(name): \(error.map { "\($0)" } ?? "")")
        #expect(seconds < 1, "\(name) took \(seconds) s")
        try Self.expectStillWorks(vm)
    }

    @Test func ordinaryPatternsOnLargeSubjectsStillWork() throws {
        let vm = try LuaVM(limits: Self.fast)
        let ref = try vm.run(source: """
            local s = ('word '):rep(4000)  -- 20,000 bytes
            local n = select(2, s:gsub('%s+', ' '))
            local found = s:find('word word', 1, true)
            local count = 0 for w in s:gmatch('%a+') do count = count + 1 end
            return n + found + count + #(('k=v'):rep(100, ';'):gsub('(%w)=(%w)', '%2=%1'))
            """, chunkName: "ok.lua")
        #expect(try vm.value(of: ref) == .int(4000 + 1 + 4000 + 399))
    }

    // MARK: - 2. Long C calls: sort, move, rep

    @Test func sortingMillionsWithoutAComparatorStopsAtTheTimeLimit() throws {
        let vm = try LuaVM(limits: LuaLimits(memoryBytes: 256 << 20, callMilliseconds: 300))
        // Filled in calls of 50,000 so that the fill itself never meets the 0.3 s limit on a busy machine.
        _ = try vm.run(source: "T = {}", chunkName: "fill.lua")
        for chunk in 0..<80 {
            _ = try vm.run(source: "for i = \(chunk * 50_000 + 1), \((chunk + 1) * 50_000) do T[i] = (i * 7919) % 1000003 end", chunkName: "fill.lua")
        }
        let (error, seconds) = Self.failure(vm, "table.sort(T)")
        #expect(error == .timeLimit(milliseconds: 300), "got \(error.map { "\($0)" } ?? "no error")")
        #expect(seconds < 1.0, "the sort ran \(seconds) s past a 0.3 s limit")
        try Self.expectStillWorks(vm)
    }

    @Test func sortsStillSortAboveAndBelowTheDirectSize() throws {
        let vm = try LuaVM(limits: Self.fast)
        let ref = try vm.run(source: """
            local function check(n, mt)
              local t = {} for i = 1, n do t[i] = (i * 7919) % 10007 end
              if mt then setmetatable(t, {}) end
              table.sort(t)
              for i = 2, n do if t[i - 1] > t[i] then return false end end
              local s = {} for i = 1, n do s[i] = tostring(t[i]) end
              table.sort(s) table.sort(s, function(a, b) return a > b end)
              return s[1] >= s[n]
            end
            return check(10, false) and check(5000, false) and check(50, true)
            """, chunkName: "sort.lua")
        #expect(try vm.value(of: ref) == .bool(true))
    }

    @Test func aHugeEmptyMoveStopsAtTheTimeLimit() throws {
        let vm = try LuaVM(limits: Self.fast)
        let (error, seconds) = Self.failure(vm, "table.move({}, 1, 1e9, 1, {})")
        #expect(error == .timeLimit(milliseconds: 200), "got \(error.map { "\($0)" } ?? "no error")")
        #expect(seconds < 1.0, "the move ran \(seconds) s past a 0.2 s limit")
        try Self.expectStillWorks(vm)
    }

    @Test func chunkedMovesKeepTableMoveSemantics() throws {
        let vm = try LuaVM(limits: Self.fast)
        let ref = try vm.run(source: """
            local n = 200000
            local t = {} for i = 1, n do t[i] = i end
            table.move(t, 1, 150000, 50001)            -- overlapping, towards the end: backwards
            if t[50000] ~= 50000 or t[50001] ~= 1 or t[n] ~= 150000 then return 'backward' end
            local u = {} for i = 1, n do u[i] = i end
            table.move(u, 50001, n, 1)                 -- overlapping, towards the start: forwards
            if u[1] ~= 50001 or u[150000] ~= n or u[150001] ~= 150001 then return 'forward' end
            local v = table.move(u, 1, 100000, 3, {})  -- into another table, returned
            if v[3] ~= 50001 or v[100002] ~= u[100000] or v[1] ~= nil then return 'other' end
            if not pcall(table.move, {}, 1, math.maxinteger, 2) then return 'ok' end
            return 'no wrap-around error'
            """, chunkName: "move.lua")
        #expect(try vm.value(of: ref) == .string("ok"))
    }

    @Test func repeatingTheEmptyStringReturnsAtOnce() throws {
        let vm = try LuaVM(limits: Self.fast)
        let start = Date()
        let ref = try vm.run(source: "return (''):rep(1e9) .. ('x'):rep(0) .. (''):rep(1e9, '') .. ('ab'):rep(3, ',')",
                             chunkName: "rep.lua")
        #expect(try vm.value(of: ref) == .string("ab,ab,ab"))
        #expect(Date().timeIntervalSince(start) < 0.5)
    }

    // MARK: - 4. Output outside the caps

    @Test func aHugeTextObservationIsRefusedBeforeItIsCopied() throws {
        let env = try Package.catalog.load(Package.script("""
            local E = { id = "big_text", description = "a 20 MB text against Text(8)", version = "1.0.0",
              observation_space = space.text(8), action_space = space.discrete(2), params = {}, max_steps = 2 }
            function E.reset(self, params)
              CALLS = (CALLS or 0) + 1
              if CALLS == 1 then return ('x'):rep(20 << 20), {} end
              return 'héllo', {}
            end
            function E.step(self, a) return 'done', 0, true, false, {} end
            return E
            """, name: "big-text"))
        let start = Date()
        #expect {
            try env.reset(seed: 1, params: [:])
        } throws: { error in
            "\(error)".contains("text of 20971520 bytes cannot fit 8 characters") && "\(error)".contains("refused before copying")
        }
        #expect(Date().timeIntervalSince(start) < 2)
        // The same instance goes on with a text that fits (6 bytes, 5 characters).
        try env.reset(seed: 2, params: [:])
        #expect(env.observation.texts == ["héllo"])
    }

    @Test(arguments: [
        ("one huge string", "print(('x'):rep(8 << 20))", (8 << 20) - 65536),
        ("huge after a short one", "print('short', ('é'):rep(4 << 20))", 6 + (8 << 20) - 65536),
    ])
    func aHugePrintIsTruncatedWithAMarker(name: String, source: String, dropped: Int) throws {
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        let vm = try LuaVM(limits: Self.fast, log: { lines.all.append($0) })
        _ = try vm.run(source: source, chunkName: "print.lua")
        #expect(lines.all.count == 1)
        let line = lines.all.first ?? ""
        #expect(line.utf8.count <= 65536 + 40, "\(name): a line of \(line.utf8.count) bytes")
        #expect(line.hasSuffix("… [truncated \(dropped) bytes]"), "\(name): \(line.suffix(60))")
        #expect(!line.contains("\u{FFFD}"), "\(name): a character was cut in half")
        _ = try vm.run(source: "print('after', 1)", chunkName: "print2.lua")
        #expect(lines.all.last == "after\t1")
    }

    // A loop of capped lines is bounded too: 1 MiB per call, then one marker line.
    @Test func aFloodOfPrintsIsBoundedPerCall() throws {
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        let vm = try LuaVM(limits: LuaLimits(memoryBytes: 64 << 20, callMilliseconds: 3000), log: { lines.all.append($0) })
        _ = try vm.run(source: "local s = ('x'):rep(60000) for i = 1, 2000 do print(s) end", chunkName: "flood.lua")
        let bytes = lines.all.reduce(0) { $0 + $1.utf8.count }
        #expect(bytes < (1 << 20) + 70_000, "the flood logged \(bytes) bytes")
        #expect(lines.all.last?.contains("print output past 1 MiB in one call dropped") == true)
        _ = try vm.run(source: "print('next call')", chunkName: "after.lua")
        #expect(lines.all.last == "next call")
    }

    // MARK: - 5. require and symlinks

    /// lib/ with a module, a symlink to it (inside), and symlinks leading out of lib/.
    static func libraryWithSymlinks() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ludus-require-\(UUID().uuidString)")
        let lib = root.appendingPathComponent("lib"), outside = root.appendingPathComponent("outside")
        let fm = FileManager.default
        try fm.createDirectory(at: lib, withIntermediateDirectories: true)
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        try "return 7".write(to: lib.appendingPathComponent("good.lua"), atomically: true, encoding: .utf8)
        try "return 'secret'".write(to: outside.appendingPathComponent("secret.lua"), atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: lib.appendingPathComponent("alias.lua").path, withDestinationPath: "good.lua")
        try fm.createSymbolicLink(atPath: lib.appendingPathComponent("evil.lua").path, withDestinationPath: "../outside/secret.lua")
        try fm.createSymbolicLink(atPath: lib.appendingPathComponent("away").path, withDestinationPath: outside.path)
        return lib.path
    }

    @Test(arguments: ["evil", "lib.evil", "away.secret"])
    func requireRefusesModulesWhoseRealPathLeavesLib(module: String) throws {
        let vm = try LuaVM(limits: Self.fast, libraryDirectory: try Self.libraryWithSymlinks())
        let (error, _) = Self.failure(vm, "return require('\(module)')")
        guard case .sandboxViolation(_, let message)? = error else {
            Issue.record("expected a sandbox violation, got \(error.map { "\($0)" } ?? "no error (the module was loaded)")")
            return
        }
        #expect(message.contains("require '\(module)'") && message.contains("outside the library folder"), "\(message)")
        // The same VM still loads modules that stay inside lib/, directly or through a symlink.
        let ref = try vm.run(source: "return require('good') + require('alias')", chunkName: "ok.lua")
        #expect(try vm.value(of: ref) == .int(14))
    }

    // MARK: - 2. physics2d: contact budget and Box2D memory inside the cap

    @Test(arguments: [
        ("2,048 overlapping circles", 2048, 1),
        ("100 bodies of 20 overlapping circles", 100, 20),
    ])
    func overlappingPilesEndWithTheContactBudgetError(name: String, bodies: Int, circles: Int) throws {
        let vm = try LuaVM(limits: LuaLimits(memoryBytes: 256 << 20, callMilliseconds: 3000))
        let (error, seconds) = Self.failure(vm, """
            local world = physics2d.world(0, -10)
            for i = 1, \(bodies) do
              local b = world:body{ type = "dynamic", x = (i % 7) * 0.01, y = (i % 5) * 0.01 }
              for j = 1, \(circles) do b:circle(1, { density = 1 }) end
            end
            for _ = 1, 3 do world:step(1 / 60, 8, 3) end
            """)
        guard case .script(_, let message, _)? = error else {
            Issue.record("\(name): expected the contact budget error, got \(error.map { "\($0)" } ?? "no error") after \(seconds) s")
            return
        }
        #expect(message.contains("physics2d: step: more than 4096 contacts"), "\(name): \(message)")
        #expect(seconds < 2.5, "\(name): \(seconds) s")
        try Self.expectStillWorks(vm)
        let ref = try vm.run(source: """
            local w = physics2d.world(0, -10)
            local ball = w:body{ type = "dynamic", y = 2 } ball:circle(0.5, { density = 1 })
            w:body{}:edge(-5, 0, 5, 0)
            for _ = 1, 60 do w:step(1 / 60, 8, 3) end
            return physics2d.limits.contacts
            """, chunkName: "after.lua")
        #expect(try vm.value(of: ref) == .int(4096))
    }

    // Two bodies of 1,024 overlapping circles each: one step walked a body's contact list for
    // every new pair (about 4e9 steps, 40 s, out of the time limit's reach). A moving body now
    // holds at most 64 fixtures, refused at once; static bodies (terrain) are not capped.
    @Test func aMovingBodyHoldsAtMostSixtyFourFixtures() throws {
        let vm = try LuaVM(limits: LuaLimits(memoryBytes: 256 << 20, callMilliseconds: 3000))
        let (error, seconds) = Self.failure(vm, """
            local world = physics2d.world(0, -10)
            for i = 1, 2 do
              local b = world:body{ type = "dynamic", x = i * 0.01 }
              for j = 1, 1024 do b:circle(1, { density = 1 }) end
            end
            world:step(1 / 60, 8, 3)
            """)
        guard case .script(_, let message, _)? = error else {
            Issue.record("expected the fixture budget error, got \(error.map { "\($0)" } ?? "no error") after \(seconds) s")
            return
        }
        #expect(message.contains("64 on one moving body"), "\(message)")
        #expect(seconds < 1, "\(seconds) s")
        let ref = try vm.run(source: """
            local w = physics2d.world(0, -10)
            local ground = w:body{}
            for i = 1, 200 do ground:edge(i, 0, i + 1, 0) end
            return physics2d.limits.body_fixtures
            """, chunkName: "terrain.lua")
        #expect(try vm.value(of: ref) == .int(64))
    }

    @Test func box2DMemoryCountsAgainstTheMemoryCap() throws {
        let vm = try LuaVM(limits: LuaLimits(memoryBytes: 32 << 20, callMilliseconds: 5000))
        let before = vm.memoryUsed
        _ = try vm.run(source: """
            W = physics2d.world(0, -10)
            for i = 1, 1000 do W:body{ type = "dynamic", x = i * 3 }:circle(1, { density = 1 }) end
            """, chunkName: "one.lua")
        let holding = vm.memoryUsed
        #expect(holding - before >= 2000 * 512, "a world of 1,000 bodies and circles counts \(holding - before) bytes")
        _ = try vm.run(source: "W:destroy() W = nil", chunkName: "free.lua")
        #expect(vm.memoryUsed < holding - 2000 * 512, "destroying the world gave back its charge")
        // Worlds past the cap (16 x 4,096 objects and 256 KiB, about 37 MB of Box2D, in a 32 MiB cap): a memory error, not 66 MB outside it.
        let (error, _) = Self.failure(vm, """
            local worlds = {}
            for k = 1, 16 do
              local w = physics2d.world(0, -10)
              worlds[k] = w
              for i = 1, 2048 do w:body{ type = "static", x = i * 3 }:circle(0.1, { density = 1 }) end
            end
            """)
        #expect(error == .memoryLimit(bytes: 32 << 20), "got \(error.map { "\($0)" } ?? "no error")")
        try Self.expectStillWorks(vm)
    }
}
