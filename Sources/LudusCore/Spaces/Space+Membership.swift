
extension Space {
    /// Why `value` is not in this space, or nil when it is.
    public func problem(with value: Value) -> String? {
        switch self {
        case .discrete(let n, let start):
            guard let v = value.intValue else { return "expected an integer, got \(value.typeName) \(value)" }
            return (start..<(start + n)).contains(v) ? nil : "\(v) is outside \(self)"
        case .box(let low, let high, let shape):
            let flat: [Double]
            if let scalar = value.doubleValue, shape.reduce(1, *) == 1 {
                flat = [scalar]
            } else if let items = value.arrayValue {
                flat = Space.flatten(items)
            } else {
                return "expected numbers of shape \(shape), got \(value.typeName)"
            }
            guard flat.count == low.count else { return "expected \(low.count) numbers, got \(flat.count)" }
            for i in 0..<flat.count where !(flat[i] >= low[i] && flat[i] <= high[i]) {
                return "element \(i + 1) = \(flat[i]) is outside [\(format(low[i])), \(format(high[i]))]"
            }
            return nil
        case .multiDiscrete(let nvec):
            guard let items = value.arrayValue, items.count == nvec.count else {
                return "expected a list of \(nvec.count) integers, got \(value.typeName)"
            }
            for (i, item) in items.enumerated() {
                guard let v = item.intValue, v >= 0, v < nvec[i] else { return "element \(i + 1) = \(item) is outside 0..<\(nvec[i])" }
            }
            return nil
        case .multiBinary(let n):
            guard let items = value.arrayValue, items.count == n,
                items.allSatisfy({ $0.intValue == 0 || $0.intValue == 1 })
            else { return "expected \(n) values of 0 or 1" }
            return nil
        case .text(let maxLength, let minLength):
            guard let text = value.stringValue else { return "expected a string, got \(value.typeName)" }
            let count = text.count
            return (minLength...max(minLength, maxLength)).contains(count) ? nil : "text of length \(count) is outside \(minLength)...\(maxLength)"
        case .dict(let entries):
            guard case .table(let fields) = value else { return "expected a table with keys \(entries.map(\.name))" }
            for entry in entries {
                guard let part = fields[entry.name] else { return "missing key '\(entry.name)'" }
                if let problem = entry.space.problem(with: part) { return "\(entry.name): \(problem)" }
            }
            if let extra = fields.keys.first(where: { key in !entries.contains { $0.name == key } }) {
                return "unexpected key '\(extra)'"
            }
            return nil
        case .tuple(let parts):
            guard let items = value.arrayValue, items.count == parts.count else { return "expected a list of \(parts.count) values" }
            for (i, part) in parts.enumerated() {
                if let problem = part.problem(with: items[i]) { return "[\(i + 1)]: \(problem)" }
            }
            return nil
        }
    }

    /// Whether an action is a member of this (action) space.
    public func contains(_ action: Action) -> Bool { problem(with: action) == nil }
}
