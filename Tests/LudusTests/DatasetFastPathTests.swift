import Foundation
import Testing
import Ludus
import LudusLua

/// The dataset fast paths (an item written from Lua straight to JSON bytes, a scoring line
/// parsed straight into Lua tables) against the `Value` path they stand in for: the same
/// bytes and the same tables, or they give up and leave it to the `Value` path.
@Suite struct DatasetFastPathTests {
    static let items = """
        local E = { id = "test/items", description = "item shapes", version = "1.0.0",
          observation_space = space.text(8), action_space = space.text(8), max_steps = 1,
          params = { case = { kind = "int", min = 1, max = 12, default = 1, description = "which item" } } }
        local function deep(n) local t = {} local top = t for _ = 1, n do t.x = {} t = t.x end return top end
        local CASES = {
          { question = "q\\n\\"x\\"\\t\\1\\31\\\\ é", answer = "ü", metadata = { numbers = { 1, 2, 3 }, f = 0.1, big = 1e20,
            neg = -5, whole = 3.0, nan = 0 / 0, inf = math.huge, ninf = -math.huge, empty = {}, yes = true, no = false,
            nested = { { 1, { 2 } }, {} }, fn = function() end, small = 1e-7, huge = 123456789012345678 } },
          { question = "order", B = 1, a = 2, _ = 3, ["A b"] = 4, ["a\\0b"] = 5, [""] = 6 },
          { question = "ints", min = math.mininteger, max = math.maxinteger, zero = 0, list = { -1, 0, 1 } },
          { question = "bad \\255 utf8 \\xC3" },
          { question = "mixed", [1] = 2 },
          { question = "holes", list = { 1, nil, 3 } },
          { question = "sparse", list = { [2] = 5 } },
          { question = "wide key", ["ключ"] = 1 },
          { question = "float key", [1.5] = 1 },
          { question = "deep", d = deep(70) },
          { answer = "no question" },
          { question = 5 },
        }
        function E.reset(self, params) self.case = params.case; return "", {} end
        function E.step(self, action) return "", 0, true, false, {} end
        function E.item(self) return CASES[self.case] end
        return E
        """

    @Test func itemsAreWrittenAsTheValuePathWritesThem() throws {
        let env = try Package.catalog.load(Package.script(Self.items))
        var fast = 0
        for k in 1...12 {
            try env.reset(seed: 0, params: ["case": .int(Int64(k))])
            var bytes: [UInt8] = []
            let left = try env.script.itemLine("item", into: &bytes)
            let value = try env.call("item", [], results: 1)[0]
            if let left {
                #expect(left == value, "case \(k): what the Value path gets")
                #expect(bytes.isEmpty, "case \(k): a fallback leaves the buffer as it was")
            } else {
                fast += 1
                #expect(String(decoding: bytes, as: UTF8.self) == JSON.encode(value) + "\n", "case \(k)")
            }
        }
        // Cases 1-4 are the common shapes; 5-10 need the `Value` path; 11-12 are not items.
        #expect(fast == 4)
        // The whole writer agrees too, fast path or not, for every worker count.
        for k in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] {
            var viaBytes = "", viaValues = ""
            let params: [String: Value] = ["case": .int(Int64(k))]
            try Dataset.writeLines([env], count: 3, seed: 1, params: params) { viaBytes += $0 }
            for item in try Dataset.items(env, count: 3, seed: 1, params: params) { viaValues += JSON.encode(item) + "\n" }
            #expect(viaBytes == viaValues, "case \(k)")
        }
    }

    static let scorer = """
        local E = { id = "test/scorer", description = "echoes what it was given", version = "1.0.0",
          observation_space = space.text(8), action_space = space.text(8), max_steps = 1 }
        -- Everything a script could see of a value: types, integer or float, lengths, and
        -- the order `pairs` walks the table in.
        local function show(v)
          if type(v) == "number" then return math.type(v) .. ":" .. tostring(v) end
          if type(v) ~= "table" then return type(v) .. ":" .. tostring(v) end
          local parts = { "#" .. #v }
          for k, x in pairs(v) do parts[#parts + 1] = show(k) .. "=" .. show(x) end
          return "{" .. table.concat(parts, ",") .. "}"
        end
        function E.reset(self, params) return "", {} end
        function E.step(self, action) return "", 0, true, false, {} end
        function E.score_item(self, item, answer) self.seen = show(item) .. " | " .. show(answer); return 0.25 end
        function E.last(self) return self.seen end
        return E
        """

    @Test func scoringLinesBuildTheTablesTheValuePathBuilds() throws {
        let env = try Package.catalog.load(Package.script(Self.scorer))
        try env.reset(seed: 0, params: [:])
        let common = [
            #"{"item": {"question": "a\nb \"c\" \\ \/ \t\b\f é", "answer": "7", "metadata": {"numbers": [1, -2, 0, 12345678901234567], "empty": {}, "none": [], "flags": [true, false, null, 3], "nested": {"z": {"y": [[]]}, "a": 1, "B": 2, "_": null}}}, "answer": "1 + 2"}"#,
            #"  {"answer":"x","item":{"k":[1,2,3]},"extra":[1,{"deep":[true]}]}  "#,
            #"{"item": {}, "answer": "ü"}"#,
            #"{"item": {"n": -0, "m": 007}, "answer": ""}"#,
            #"{"item": {"a": 1}, "item": {"b": 2}, "answer": "first", "answer": "last"}"#,
        ]
        let fallback = [
            #"{"item": {"a": 1, "a": 2}, "answer": "duplicate key"}"#,
            #"{"item": {"s": "\u00e9"}, "answer": "unicode escape"}"#,
            #"{"item": {"x": 1.5}, "answer": "float"}"#,
            #"{"item": {"x": 123456789012345678}, "answer": "18 digits"}"#,
            #"{"item": {"ключ": 1}, "answer": "wide key"}"#,
            #"{"item": [], "answer": "an array"}"#,
            #"{"item": {}, "answer": 3}"#,
            #"{"item": {}, "answer": "x"} trailing"#,
            #"{"item": {"a": [1,]}, "answer": "x"}"#,
        ]
        // A raw byte that is not UTF-8, repaired as a decoded String would be.
        let invalid = Array(#"{"item": {"raw": "bad "#.utf8) + [0xFF] + Array(#" byte"}, "answer": "a"}"#.utf8)
        let lines = [invalid] + (common + fallback).map { Array($0.utf8) }
        for (k, line) in lines.enumerated() {
            let fast = try line.withUnsafeBytes { (bytes) throws(ScriptError) in try env.script.scoreLine("score_item", bytes) }?.doubleValue
            #expect((fast != nil) == (k <= common.count), "line \(k): \(String(decoding: line, as: UTF8.self))")
            guard let fast else { continue }
            let seenFast = try env.call("last", [], results: 1)[0]
            let pair = try JSON.decode(utf8: line)
            let slow = try Dataset.score(env, item: pair["item"], answer: pair["answer"].stringValue!)
            let seenSlow = try env.call("last", [], results: 1)[0]
            #expect(fast == slow && seenFast == seenSlow, "line \(k): \(seenFast) vs \(seenSlow)")
        }
    }

    /// The bundled scorers through both paths: the same score on generated items, right and wrong answers.
    @Test(arguments: ["countdown/text", "sudoku/text"])
    func bundledScoresAgree(_ id: String) throws {
        let env = try Package.catalog.load(id)
        try env.reset(seed: 0, params: env.spec.parameters.defaults)
        for (i, item) in try Dataset.items(env, count: 30, seed: 5, params: env.spec.parameters.defaults).enumerated() {
            let answer = i % 3 == 0 ? item["answer"].stringValue! : i % 3 == 1 ? "<answer>" + item["answer"].stringValue! + " </answer>" : "1 2 3"
            let line = Array(JSON.encode(["item": item, "answer": .string(answer)]).utf8)
            let fast = try Dataset.quickScore(Dataset.quickScorer(env), line[...])
            #expect(fast != nil)
            #expect(fast == (try Dataset.score(env, item: item, answer: answer)), "item \(i)")
        }
    }

    /// A scorer that fails is called once, its error reported; a stateful one is not called twice.
    @Test func aFailingScoreIsNotRetried() throws {
        let source = """
            local E = { id = "test/once", description = "fails on its second call", version = "1.0.0",
              observation_space = space.text(8), action_space = space.text(8), max_steps = 1 }
            local calls = 0
            function E.reset(self, params) return "", {} end
            function E.step(self, action) return "", 0, true, false, {} end
            function E.score_item(self, item, answer)
              calls = calls + 1
              if calls == 2 then error("second call") end
              if calls == 3 then return "three" end
              return 1
            end
            return E
            """
        let env = try Package.catalog.load(Package.script(source))
        let line = ArraySlice(Array(#"{"item": {}, "answer": "a"}"#.utf8))
        let results = Dataset.scoreLines([env], [line, line, line, line])
        #expect(results[0] == .score(1))
        guard case .failure(let second) = results[1], case .failure(let third) = results[2] else {
            Issue.record("calls 2 and 3 fail: \(results)"); return
        }
        #expect(second.contains("second call"), "\(second)")
        #expect(third.contains("must return a number in [0, 1]"), "\(third)")
        #expect(results[3] == .score(1))
    }
}
