import LudusLua

/// Question/answer datasets from text environments, in reasoning-gym's item shape
/// (`{question, answer, metadata}`), and scoring of answers against items.
public enum Dataset {
    /// Item `i` comes from a reset with seed `derive(seed, i)` then `E.item(self)`:
    /// the dataset is deterministic and any item can be regenerated alone.
    public static func items(
        _ environment: any Environment, count: Int, seed: UInt64, params: [String: LuaValue]
    ) throws(EnvironmentError) -> [LuaValue] {
        guard environment.spec.functions.contains("item") else {
            throw .unsupported("\(environment.spec.id) has no E.item(self): it cannot make dataset items")
        }
        var items: [LuaValue] = []
        items.reserveCapacity(count)
        for index in 0..<count {
            try environment.reset(seed: SeededGenerator.derive(seed, UInt64(index)), params: params)
            let item = try environment.call("item", [], results: 1)[0]
            guard item["question"].stringValue != nil else {
                throw .unsupported("E.item must return a table with a question string, got \(JSON.encode(item))")
            }
            items.append(item)
        }
        return items
    }

    /// Scores an answer for an item (one made by ``items(_:count:seed:params:)`` or a
    /// reasoning-gym item) with `E.score_item(self, item, answer)`.
    public static func score(_ environment: any Environment, item: LuaValue, answer: String) throws(EnvironmentError) -> Double {
        guard environment.spec.functions.contains("score_item") else {
            throw .unsupported("\(environment.spec.id) has no E.score_item(self, item, answer)")
        }
        let result = try environment.call("score_item", [item, .string(answer)], results: 1)[0]
        guard let score = result.doubleValue, score.isFinite, (0...1).contains(score) else {
            throw .unsupported("E.score_item must return a number in [0, 1], got \(JSON.encode(result))")
        }
        return score
    }
}
