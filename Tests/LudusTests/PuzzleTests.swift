import Foundation
import Testing
import Ludus
import LudusLua

/// Scorer edge cases and generator properties of the reasoning puzzles.
@Suite struct PuzzleTests {
    let countdown = try! Package.catalog.load("countdown/text")

    func score(_ numbers: [Int], _ target: Int, _ answer: String) throws -> Double {
        let item: LuaValue = ["question": "", "answer": "",
                              "metadata": ["numbers": .array(numbers.map { .int(Int64($0)) }), "target": .int(Int64(target))]]
        return try Dataset.score(countdown, item: item, answer: answer)
    }

    static let countdownCases: [(String, [Int], Int, String, Double)] = [
        ("exact", [1, 2, 3, 4], 24, "1*2*3*4", 1),
        ("parentheses and spaces", [1, 2, 3, 4], 24, "  ( 1 + 2 + 3 ) * 4 ", 1),
        ("answer tags", [1, 2, 3, 4], 24, "I think <answer>(1+2+3)*4</answer>", 1),
        ("unicode operators", [1, 2, 3, 4], 24, "1×2×3×4", 1),
        ("fraction on the way, exact result", [1, 3, 4, 6], 24, "6/(1-3/4)", 1),
        ("duplicates used as given", [2, 2, 3, 4], 48, "2*2*3*4", 1),
        ("reasoning-gym's near miss", [5, 100, 100, 100, 1], 500, "5*100 + 1/100/100", 0.05),
        ("a number left unused", [1, 2, 3, 4], 24, "2*3*4", 0.05),
        ("a number used twice", [1, 2, 3, 4], 24, "2*3*4*1*1", 0.05),
        ("a number not given", [1, 2, 3, 4], 24, "1*2*3*4*1", 0.05),
        ("duplicate used once only", [2, 2, 3, 4], 48, "2*3*4*2*1", 0.05),
        ("wrong value", [1, 2, 3, 4], 24, "1+2+3+4", 0.05),
        ("division by zero", [1, 1, 2, 3], 5, "2/(1-1)+3", 0.05),
        ("not an expression", [1, 2, 3, 4], 24, "twenty four", 0.01),
        ("empty", [1, 2, 3, 4], 24, "", 0.01),
    ]

    @Test(arguments: countdownCases)
    func countdownScores(name: String, numbers: [Int], target: Int, answer: String, expected: Double) throws {
        #expect(try score(numbers, target, answer) == expected, "\(name)")
    }

    @Test func hostileAnswersEndQuicklyWithLowScores() throws {
        for answer in [String(repeating: "(", count: 200_000), String(repeating: "1+", count: 100_000) + "1",
                       String(repeating: "9", count: 10_000), String(repeating: "<answer>", count: 50_000)] {
            let result = try? score([1, 2, 3, 4], 24, answer)  // a clear error is fine; a hang or crash is not
            #expect((result ?? 0) < 1)
        }
    }

    @Test func everyGeneratedCountdownIsSolvedByItsOwnAnswer() throws {
        let items = try Dataset.items(countdown, count: 100, seed: 11, params: countdown.spec.parameters.defaults)
        for item in items {
            #expect(try Dataset.score(countdown, item: item, answer: item["answer"].stringValue!) == 1)
            let numbers = item["metadata"]["numbers"].arrayValue!
            #expect((4...6).contains(numbers.count))
        }
    }

    @Test func everyGeneratedSudokuHasExactlyOneSolution() throws {
        let env = try Package.catalog.load("sudoku/text")
        for size in [4, 9] {
            let params = try env.spec.parameters.parse(["size=\(size)"], environment: env.spec.id)
            for item in try Dataset.items(env, count: size == 4 ? 30 : 10, seed: 5, params: params) {
                let puzzle = item["metadata"]["puzzle"].arrayValue!.map { $0.arrayValue!.map { $0.intValue! } }
                let solution = item["metadata"]["solution"].arrayValue!.map { $0.arrayValue!.map { $0.intValue! } }
                #expect(Self.countSolutions(puzzle, limit: 2) == 1)
                #expect(try Dataset.score(env, item: item, answer: item["answer"].stringValue!) == 1)
                // One wrong cell: 0.9 x the fraction of correct cells, as reasoning-gym.
                var rows = solution
                rows[0][0] = rows[0][0] % size + 1
                let answer = rows.map { $0.map(String.init).joined(separator: " ") }.joined(separator: "\n")
                let cells = Double(size * size)
                #expect(abs(try Dataset.score(env, item: item, answer: answer) - 0.9 * (cells - 1) / cells) < 1e-9)
            }
        }
    }

    /// An independent backtracking counter (not the Lua solver), stopping at `limit`.
    static func countSolutions(_ grid: [[Int]], limit: Int) -> Int {
        var g = grid
        let n = g.count
        let box = n == 4 ? 2 : 3
        func allowed(_ r: Int, _ c: Int, _ d: Int) -> Bool {
            for k in 0..<n where g[r][k] == d || g[k][c] == d { return false }
            let br = r / box * box, bc = c / box * box
            for i in br..<(br + box) { for j in bc..<(bc + box) where g[i][j] == d { return false } }
            return true
        }
        func search() -> Int {
            for r in 0..<n {
                for c in 0..<n where g[r][c] == 0 {
                    var found = 0
                    for d in 1...n where allowed(r, c, d) {
                        g[r][c] = d
                        found += search()
                        g[r][c] = 0
                        if found >= limit { return found }
                    }
                    return found
                }
            }
            return 1
        }
        return search()
    }
}
