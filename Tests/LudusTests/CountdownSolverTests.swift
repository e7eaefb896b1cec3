import Foundation
import Testing
import Ludus
import LudusLua

/// The Countdown solver (`Environments/lib/countdown/solver.lua`), called directly through
/// countdown/text's `E.solve_numbers`; every solution it gives is checked here in Swift,
/// step by step, and its expression scored by the environment's own scorer.
@Suite struct CountdownSolverTests {
    let countdown = try! Package.catalog.load("countdown/text")

    /// The solver's steps (nil when it reports no solution) and its search nodes.
    func solve(_ numbers: [Int], _ target: Int, operators: String? = nil, nodeLimit: Int? = nil) throws
        -> (steps: [String]?, nodes: Int)
    {
        let arguments: [Value] = [
            .array(numbers.map { .int(Int64($0)) }), .int(Int64(target)),
            operators.map { Value.string($0) } ?? .nil, nodeLimit.map { Value.int(Int64($0)) } ?? .nil,
        ]
        let results = try countdown.call("solve_numbers", arguments, results: 2)
        let nodes = try #require(results[1].intValue, "search nodes: \(results[1])")
        if results[0].isNil { return (nil, nodes) }
        let list = try #require(results[0].arrayValue, "steps: \(results[0])")
        var steps: [String] = []
        for step in list { steps.append(try #require(step.stringValue, "a step: \(step)")) }
        return (steps, nodes)
    }

    /// Replays steps "a op b = c" on the numbers without the Lua code: each step takes two
    /// numbers still available (a >= b), uses an allowed operator, and its result is exact,
    /// an integer, not negative. Returns nil when the steps use every number once and end
    /// on the target, else what is wrong; `expression` is the same solution as one
    /// fully parenthesised expression.
    static func check(_ steps: [String], numbers: [Int], target: Int, operators: String = "+-*/")
        -> (problem: String?, expression: String)
    {
        var pool = numbers.map { (value: $0, text: String($0)) }
        func take(_ value: Int) -> String? {
            guard let index = pool.firstIndex(where: { $0.value == value }) else { return nil }
            return pool.remove(at: index).text
        }
        for step in steps {
            let parts = step.split(separator: " ").map(String.init)
            guard parts.count == 5, parts[3] == "=", let a = Int(parts[0]), let b = Int(parts[2]), let c = Int(parts[4]),
                let op = parts[1].first, parts[1].count == 1
            else { return ("unreadable step \(step)", "") }
            guard operators.contains(op) else { return ("operator \(op) not allowed in \(step)", "") }
            guard a >= b else { return ("smaller number first in \(step)", "") }
            let value: Int?
            switch op {
            case "+": value = a + b
            case "-": value = a - b
            case "*": value = a.multipliedReportingOverflow(by: b).overflow ? nil : a * b
            case "/": value = b != 0 && a % b == 0 ? a / b : nil
            default: value = nil
            }
            guard let value, value == c, value >= 0 else { return ("wrong arithmetic in \(step)", "") }
            guard let left = take(a) else { return ("\(a) not available in \(step)", "") }
            guard let right = take(b) else { return ("\(b) not available in \(step)", "") }
            pool.append((value: c, text: "(\(left) \(op) \(right))"))
        }
        guard pool.count == 1 else { return ("\(pool.count) numbers left", "") }
        guard pool[0].value == target else { return ("ends on \(pool[0].value), not \(target)", "") }
        return (nil, pool[0].text)
    }

    /// The score the environment gives `answer` for these numbers and target.
    func score(_ numbers: [Int], _ target: Int, _ answer: String) throws -> Double {
        let item: Value = ["question": "", "answer": "",
                           "metadata": ["numbers": .array(numbers.map { .int(Int64($0)) }), "target": .int(Int64(target))]]
        return try Dataset.score(countdown, item: item, answer: answer)
    }

    static let solvable: [([Int], Int, String)] = [
        ([1, 2, 3, 4], 24, "+-*/"),
        ([25, 50, 75, 100, 3, 6], 952, "+-*/"),  // the famous one: 260,000 nodes, within the default budget
        ([100, 4, 17, 9, 3, 2], 37, "+-*/"),
        ([4, 6], 24, "*"),
        ([2, 2, 2], 8, "*"),                      // duplicates, each used once
        ([3, 3], 1, "/"),
        ([7, 1], 7, "/"),                          // x / 1 is a legal last step
        ([5, 3, 2], 4, "+-"),
        ([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10], 150, "+-*/"),  // 15 numbers
    ]

    @Test(arguments: solvable)
    func solvablePuzzlesGetACheckedSolution(numbers: [Int], target: Int, operators: String) throws {
        let (steps, nodes) = try solve(numbers, target, operators: operators)
        let found = try #require(steps, "\(numbers) -> \(target) has a solution")
        #expect(found.count == numbers.count - 1)
        #expect(nodes > 0)
        let (problem, expression) = Self.check(found, numbers: numbers, target: target, operators: operators)
        #expect(problem == nil, "\(found)")
        #expect(try score(numbers, target, expression) == 1, "\(expression)")
    }

    static let unsolvable: [([Int], Int, String)] = [
        ([1, 1], 5, "+-*/"),
        ([2, 3], 7, "+-*/"),
        ([1, 2, 3], 100, "+-*/"),
        ([1, 2, 3, 4, 5], 1000, "+-*/"),
        ([1, 2, 3, 4], 24, "+-"),                 // at most 10 without * and /
        ([10, 10], 2, "/"),
        // Reachable only through a fraction, which the step convention never makes:
        ([1, 3, 4, 6], 24, "+-*/"),               // 6 / (1 - 3/4)
        ([3, 3, 8, 8], 24, "+-*/"),               // 8 / (3 - 8/3)
        ([1, 5, 5, 5], 24, "+-*/"),               // 5 * (5 - 1/5)
    ]

    @Test(arguments: unsolvable)
    func unsolvablePuzzlesReportNone(numbers: [Int], target: Int, operators: String) throws {
        let (steps, nodes) = try solve(numbers, target, operators: operators)
        #expect(steps == nil, "\(numbers) -> \(target) with \(operators): \(steps ?? [])")
        #expect(nodes > 0)
    }

    @Test func fractionSolutionsScoreButAreNotSteps() throws {
        // The scorer accepts an exact fractional detour; the solver, whose steps keep
        // every intermediate value a non-negative integer, does not find it.
        #expect(try score([1, 3, 4, 6], 24, "6/(1-3/4)") == 1)
        #expect(try solve([1, 3, 4, 6], 24).steps == nil)
    }

    @Test func theNodeBudgetCapsTheSearch() throws {
        let capped = try solve([25, 50, 75, 100, 3, 6], 952, nodeLimit: 10)
        #expect(capped.steps == nil)
        #expect(capped.nodes <= 10)
        let full = try solve([25, 50, 75, 100, 3, 6], 952)
        #expect(full.steps != nil)
        #expect(full.nodes > 10)
    }

    @Test func answersDoNotDependOnEarlierSearches() throws {
        let first = try solve([100, 4, 17, 9, 3, 2], 37)
        _ = try solve([1, 3, 4, 6], 24)
        _ = try solve([25, 50, 75, 100, 3, 6], 952, nodeLimit: 1000)
        let again = try solve([100, 4, 17, 9, 3, 2], 37)
        #expect(again.steps == first.steps)
        #expect(again.nodes == first.nodes)
    }

    @Test(arguments: ["+-*/", "+-", "*/", "+-*"])
    func generatedPuzzlesAreSolvedAndScoredOne(operators: String) throws {
        let params = try countdown.spec.parameters.parse(["operators=\(operators)"], environment: countdown.spec.id)
        for item in try Dataset.items(countdown, count: 30, seed: 17, params: params) {
            let given = try #require(item["metadata"]["numbers"].arrayValue)
            let numbers = given.compactMap(\.intValue)
            let target = try #require(item["metadata"]["target"].intValue)
            #expect(numbers.count == given.count && (4...6).contains(numbers.count))
            let (steps, _) = try solve(numbers, target, operators: operators)
            let found = try #require(steps, "generated \(numbers) -> \(target) is solvable")
            let (problem, expression) = Self.check(found, numbers: numbers, target: target, operators: operators)
            #expect(problem == nil, "\(numbers) -> \(target): \(found)")
            #expect(try Dataset.score(countdown, item: item, answer: expression) == 1, "\(expression)")
            // The item's difficulty label is this solver's node count under the dataset's cap.
            let labelled = try #require(item["metadata"]["difficulty"]["search_nodes"].intValue)
            #expect(try solve(numbers, target, operators: operators, nodeLimit: 5000).nodes == labelled)
        }
    }
}
