import Foundation
import Testing
import Ludus
import LudusLua

/// Batch scoring: the same scores in the same order for any number of workers, and a bad
/// line answered in its place without stopping the batch.
@Suite struct ScoreBatchTests {
    static func lines(_ id: String) throws -> (items: [Value], lines: [ArraySlice<UInt8>]) {
        let env = try Package.catalog.load(id)
        let items = try Dataset.items(env, count: 40, seed: 3, params: env.spec.parameters.defaults)
        var text: [String] = []
        for (i, item) in items.enumerated() {
            let answer = i % 2 == 0 ? item["answer"].stringValue! : "no idea"
            text.append(JSON.encode(["item": item, "answer": .string(answer)]))
        }
        text.insert("{not json", at: 7)
        text.insert("", at: 11)
        text.insert("{\"item\": 3, \"answer\": \"x\"}", at: 20)
        return (items, text.map { ArraySlice(Array($0.utf8)) })
    }

    @Test(arguments: ["countdown/text", "sudoku/text"])
    func scoresDoNotDependOnWorkers(_ id: String) throws {
        let (_, lines) = try Self.lines(id)
        let one = Dataset.scoreLines([try Package.catalog.load(id)], lines)
        let three = Dataset.scoreLines(try (0..<3).map { _ in try Package.catalog.load(id) }, lines)
        #expect(one == three)
        #expect(one.count == lines.count)
        guard case .failure(let message) = one[7] else { Issue.record("line 8 should fail: \(one[7])"); return }
        #expect(message.contains("JSON") || message.contains("expected"), "\(message)")
        #expect(one[11] == .blank)
        guard case .failure = one[20] else { Issue.record("line 21 should fail: \(one[20])"); return }
        let scores = one.compactMap { if case .score(let s) = $0 { s } else { nil } }
        #expect(scores.count == 40)
        // Right answers (even items) score 1, "no idea" scores below 1.
        for (i, score) in scores.enumerated() { #expect(i % 2 == 0 ? score == 1 : score < 1, "item \(i): \(score)") }
    }
}
