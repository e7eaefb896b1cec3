import Foundation
import Testing
@testable import LudusLua
import Ludus

/// Scoring through prepared items (`E.prepare_item` once per distinct item, then
/// `E.score_prepared` per answer, ScriptEnvironment+PreparedItems.swift): the scores
/// `E.score_item` gives, an item prepared once however many answers it has, a bounded cache.
@Suite struct PreparedItemTests {
    static let counting = """
        local E = { id = "test/prepared", description = "counts its preparations", version = "1.0.0",
          observation_space = space.text(8), action_space = space.text(8), max_steps = 1 }
        local prepared = 0
        function E.reset(self, params) return "", {} end
        function E.step(self, action) return "", 0, true, false, {} end
        function E.score_item(self, item, answer) return answer == item.answer and 1 or 0.5 end
        function E.prepare_item(self, item)
          if item.skip then return nil end
          if item.fail then error("cannot prepare") end
          prepared = prepared + 1
          return { answer = item.answer }
        end
        function E.score_prepared(self, p, answer) return answer == p.answer and 1 or 0.25 end
        function E.prepared(self) return prepared end
        return E
        """

    static func line(_ item: Value, _ answer: String) -> ArraySlice<UInt8> {
        ArraySlice(Array(JSON.encode(["item": item, "answer": .string(answer)]).utf8))
    }

    @Test func anItemIsPreparedOnceAndItsLaterAnswersHitTheCache() throws {
        let env = try Package.catalog.load(Package.script(Self.counting))
        try env.reset(seed: 0, params: [:])
        #expect(env.script.scoresPreparedItems)
        let items: [Value] = (0..<5).map { ["answer": .string("a\($0)"), "k": .int(Int64($0))] }
        var lines: [ArraySlice<UInt8>] = []
        for round in 0..<4 { for item in items { lines.append(Self.line(item, round % 2 == 0 ? item["answer"].stringValue! : "wrong")) } }
        // Answer first, and spaces around the punctuation: the same item bytes, the same entry.
        lines.append(ArraySlice(Array((#" { "answer" : "x" , "item" : "# + JSON.encode(items[0]) + " } ").utf8)))
        let results = Dataset.scoreLines([env], lines)
        var expected: [ScoredLine] = []
        for round in 0..<4 { expected += Array(repeating: ScoredLine.score(round % 2 == 0 ? 1.0 : 0.25), count: 5) }
        #expect(Array(results.prefix(20)) == expected)
        #expect(results[20] == .score(0.25))
        #expect(try env.call("prepared", [], results: 1)[0] == .int(5))
        let cache = try #require(env.script.preparedItems)
        #expect(cache.misses == 5 && cache.hits == 16 && cache.count == 5)
    }

    @Test func itemsNotPreparedAreScoredWithScoreItem() throws {
        let env = try Package.catalog.load(Package.script(Self.counting))
        try env.reset(seed: 0, params: [:])
        let skip: Value = ["answer": "s", "skip": true]
        let fail: Value = ["answer": "f", "fail": true]
        let results = Dataset.scoreLines([env], [Self.line(skip, "s"), Self.line(skip, "t"), Self.line(fail, "u"), Self.line(fail, "f")])
        // score_item's scores (0.5 for a wrong answer), not score_prepared's (0.25).
        #expect(results == [.score(1), .score(0.5), .score(0.5), .score(1)])
        #expect(try env.call("prepared", [], results: 1)[0] == .int(0))
        // A line the layout does not take (a third key) goes the general way, with score_item.
        let extra = ArraySlice(Array(#"{"item": {"answer": "e"}, "answer": "x", "id": 3}"#.utf8))
        #expect(Dataset.scoreLines([env], [extra]) == [.score(0.5)])
    }

    /// Sudoku's prepared scorer against `E.score_item` (the `Value` path), 9x9 and 4x4, on
    /// right, wrong, partial, padded, tagged, garbage and empty answers.
    @Test(arguments: [9, 4])
    func sudokuScoresAsScoreItem(_ size: Int) throws {
        let env = try Package.catalog.load("sudoku/text")
        var params = env.spec.parameters.defaults
        params["size"] = .int(Int64(size))
        if size == 4 { params["min_empty"] = .int(4); params["max_empty"] = .int(10) }
        try env.reset(seed: 0, params: params)
        #expect(env.script.scoresPreparedItems)
        var compared = 0
        for item in try Dataset.items(env, count: 12, seed: 9, params: params) {
            let oracle = item["answer"].stringValue!
            let rows = oracle.split(separator: "\n").map(String.init)
            let swapped = oracle.replacingOccurrences(of: "1", with: "#").replacingOccurrences(of: "2", with: "1").replacingOccurrences(of: "#", with: "2")
            let answers = [
                oracle, swapped, oracle + "\n", oracle + " \n", " " + oracle, "<answer>\n" + oracle + "\n</answer>",
                "think...\n<answer>" + swapped + "</answer> done", rows.prefix(size / 2).joined(separator: "\n"),
                rows.map { $0 + "  " }.joined(separator: "\n"), rows.map { $0.replacingOccurrences(of: " ", with: "") }.joined(separator: "\n"),
                rows.reversed().joined(separator: "\n"), oracle + "\n" + oracle, "", " ", "\n\n", "garbage é ✓ \u{1F600}",
                "1 2 3", String(repeating: "9 ", count: 90), oracle.replacingOccurrences(of: "\n", with: "\r\n"),
                "<answer></answer>", "<answer>" + oracle, rows[0] + "\n" + rows[0] + "\n" + oracle,
            ]
            for answer in answers {
                let fast = try Self.line(item, answer).withUnsafeBytes { (bytes) throws(ScriptError) in try env.script.scorePreparedLine(bytes) }
                let slow = try Dataset.score(env, item: item, answer: answer)
                #expect(fast?.doubleValue == slow, "answer \(answer.debugDescription)")
                compared += 1
            }
        }
        #expect(compared == 12 * 22)
        // An item without answer text or solution rows is not prepared; score_item solves it.
        let bare: Value = ["metadata": ["puzzle": try Dataset.items(env, count: 1, seed: 2, params: params)[0]["metadata"]["puzzle"]]]
        let fast = try Self.line(bare, "1 2").withUnsafeBytes { (bytes) throws(ScriptError) in try env.script.scorePreparedLine(bytes) }
        #expect(fast?.doubleValue == (try Dataset.score(env, item: bare, answer: "1 2")))
    }

    @Test func theCacheIsBoundedAndEvictsWhatWasNotUsedSinceTheHandPassed() throws {
        let env = try Package.catalog.load(Package.script(Self.counting))
        let vm = env.script.vm
        let cache = PreparedItemCache(vm: vm, capacity: 2)
        func key(_ text: String, _ body: (UnsafeRawBufferPointer, UInt64) throws -> Void) rethrows {
            try Array(text.utf8).withUnsafeBytes { try body($0, PreparedItemCache.hash($0)) }
        }
        let refs = try (0..<3).map { try vm.makeRef(.int($0)) }
        key("a") { cache.insert($0, hash: $1, .ref(refs[0])) }
        key("b") { cache.insert($0, hash: $1, .ref(refs[1])) }
        key("a") { #expect(cache.lookup($0, hash: $1) == .ref(refs[0])) }  // a used: b goes first
        key("c") { cache.insert($0, hash: $1, .ref(refs[2])) }
        #expect(cache.count == 2)
        key("a") { #expect(cache.lookup($0, hash: $1) == .ref(refs[0])) }
        key("b") { #expect(cache.lookup($0, hash: $1) == nil) }
        key("c") { #expect(cache.lookup($0, hash: $1) == .ref(refs[2])) }
        // The same hash with other bytes is a miss, never another item's value.
        key("a") { bytes, hash in
            key("z") { other, _ in #expect(cache.lookup(other, hash: hash) == nil) }
            _ = bytes
        }
        key("d") { cache.insert($0, hash: $1, .unprepared) }
        #expect(cache.count == 2)
    }
}
