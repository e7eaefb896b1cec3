import Testing
@testable import LudusLua

/// Observations are read straight out of Lua's tables when their shape allows and
/// through the public API otherwise: both must always give the same answer.
@Suite struct TableReaderTests {
    /// Tables of every construction the reader distinguishes: constructors, appends,
    /// a cached length (`#`), holes, hash parts, shrinking, nesting, cycles, non-numbers.
    static let shapes: [(String, String)] = [
        ("constructor", "return {1, 2, 3}"),
        ("mixed numbers and booleans", "return {1, -2.5, true, false, 0.0, -0.0, math.maxinteger, 1e308}"),
        ("nested", "return {{1, {2, 3}}, {4}, {{{5}}}}"),
        ("empty", "return {}"),
        ("appended", "local t = {} for i = 1, 49 do t[i] = i * 0.25 end return t"),
        ("appended, then measured", "local t = {} for i = 1, 49 do t[i] = i end local _ = #t return t"),
        ("measured, then appended", "local t = {} for i = 1, 5 do t[i] = i end local _ = #t t[6] = 6 t[7] = 7 return t"),
        ("power-of-two length, measured", "local t = {} for i = 1, 64 do t[i] = i end local _ = #t return t"),
        ("shrunk from the end", "local t = {1, 2, 3, 4, 5, 6, 7, 8} t[8] = nil t[7] = nil local _ = #t return t"),
        ("hole in the middle", "return {1, 2, nil, 4}"),
        ("hole, measured", "local t = {1, 2, 3, 4, 5, 6} t[3] = nil local _ = #t return t"),
        ("filled backwards (hash part)", "local t = {} for i = 9, 1, -1 do t[i] = i end return t"),
        ("sequence going on in the hash part", "local t = {1, 2, 3} t[4] = 4 t[5] = 5 t.x = 1 return t"),
        ("named fields beside the sequence", "return {1, 2, 3, name = 'x'}"),
        ("a string element", "return {1, '2', 3}"),
        ("a nested string", "return {{1, 2}, {3, 'x'}}"),
        ("a function element", "return {1, print}"),
        ("a cycle", "local t = {1} t[2] = t return t"),
        ("nested rows of an image", """
            local img = {} for y = 1, 7 do local row = {} img[y] = row
              for x = 1, 7 do row[x] = {x, y, (x * y) % 3} end end return img
            """),
        ("deeper than the cap", "local t = {1} for _ = 1, 20 do t = {t} end return t"),
        // Leaves read in place of a call (read_leaf): rows with an empty slot after them, cells of
        // three, and every way a leaf can stop being a plain sequence of numbers.
        ("appended rows (an empty slot after each)", "local t = {} for r = 1, 3 do local row = {} for c = 1, 7 do row[c] = r * c end t[r] = row end return t"),
        ("cells of three with a named field", "return {{1, 2, 3, name = 'x'}, {4, 5, 6}}"),
        ("cells of three: a float, a boolean, a string", "return {{1, 2.5, 3}, {1, true, 3}, {4, 5, 6}, {1, 2, 'x'}}"),
        ("a cell with a hole", "local c = {1, 2, 3} c[2] = nil return {c, {4, 5, 6}}"),
        ("a cell with its last slot removed", "local c = {1, 2, 3} c[3] = nil return {{7, 8, 9}, c}"),
        ("a cell grown past three", "local c = {1, 2, 3} c[4] = 4 c[5] = 5 c.x = 1 return {c, {1, 2, 3}}"),
        // One shape each: a later cell that sends the whole read to the API would hide the first.
        ("a cell of three going on in the hash part", "return {{1, 2, 3, [4] = 4}, {1, 2, 3}}"),
        ("a cell of two going on in the hash part", "return {{1, 2}, {5, 6, [3] = 7}}"),
        ("cells of floats and integers", "return {{0.5, -0.0, 3}, {math.mininteger, 2, 1e-300}}"),
    ]

    @Test("in-place reads are on for this Lua")
    func probeFindsTheLayout() throws {
        _ = try LuaVM(limits: .default)
        #expect(LuaVM.fastTableReadsEnabled)
    }

    @Test("both readers agree", arguments: shapes)
    func readersAgree(_ name: String, _ source: String) throws {
        let vm = try LuaVM(limits: .default)
        let ref = try vm.run(source: source, chunkName: "shape.lua")
        for capacity in [0, 2, 3, 8, 200] {
            let fast = vm.readNumbers(of: ref, capacity: capacity, apiOnly: false)
            let api = vm.readNumbers(of: ref, capacity: capacity, apiOnly: true)
            #expect(fast?.map(\.bitPattern) == api?.map(\.bitPattern), "\(name), capacity \(capacity)")
        }
    }

    @Test("random tables: both readers agree")
    func randomTablesAgree() throws {
        let vm = try LuaVM(limits: .default)
        // Seeded shapes: appends, booleans, nesting, `#` at random points, then a
        // removal, a hole, a stray key or an element past the end.
        let maker = """
            math.randomseed(...)
            local function make(depth)
              local t, n = {}, math.random(0, 12)
              for i = 1, n do
                local r = math.random()
                if depth < 3 and r < 0.15 then t[i] = make(depth + 1)
                elseif r < 0.2 then t[i] = math.random() < 0.5
                elseif r < 0.6 then t[i] = math.random(-100, 100)
                else t[i] = math.random() * 10 end
                if math.random() < 0.1 then local _ = #t end
              end
              local r = math.random()
              if r < 0.05 then t[#t] = nil elseif r < 0.08 and n > 2 then t[2] = nil
              elseif r < 0.1 then t.extra = 1 elseif r < 0.12 then t[n + 2] = 1 end
              return t
            end
            return make(0)
            """
        var fastPathAnswers = 0
        for seed in 1...400 {
            let ref = try vm.run(source: maker, chunkName: "maker.lua", arguments: [.value(.number(Double(seed)))])
            defer { vm.release(ref) }
            let fast = vm.readNumbers(of: ref, capacity: 64, apiOnly: false)
            let api = vm.readNumbers(of: ref, capacity: 64, apiOnly: true)
            #expect(fast?.map(\.bitPattern) == api?.map(\.bitPattern), "seed \(seed)")
            if api != nil { fastPathAnswers += 1 }
        }
        #expect(fastPathAnswers > 100)  // most shapes are clean sequences
    }

    static let legalLists: [(String, [Int64]?)] = [
        ("return {0, 3, 5}", [0, 3, 5]),
        ("local t = {} for i = 1, 9 do t[#t + 1] = i - 1 end return t", [0, 1, 2, 3, 4, 5, 6, 7, 8]),
        ("return {}", []),
        ("return {1, 2.0, 3}", [1, 2, 3]),  // integral floats convert, as lua_tointeger does
        ("return {1, 2.5}", nil),
        ("return {1, 'x'}", nil),
        ("return 7", nil),        // not a list at all
        ("return 'x'", nil),
    ]

    @Test("legal-action lists", arguments: legalLists)
    func integerLists(_ source: String, _ expected: [Int64]?) throws {
        let vm = try LuaVM(limits: .default)
        let ref = try vm.run(source: source, chunkName: "legal.lua")
        #expect(vm.readIntegers(of: ref, capacity: 16) == expected)
    }
}
