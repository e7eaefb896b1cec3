extension ObservationLayout {
    /// Writes a full observation value in this layout's order: numbers into `numbers`
    /// (flat or nested lists flattened), strings into `texts`. What the host copies from
    /// Lua on every step, done from a ``Value`` for per-seat observations (``Environment/observation(of:)``).
    /// - Returns: what did not fit, or nil.
    public func flatten(_ value: Value, numbers: inout [Double], texts: inout [String]) -> String? {
        switch self {
        case .number, .numbers:
            let expected = numberCount
            let flat: [Double]
            if let scalar = value.doubleValue { flat = [scalar] } else if let items = value.arrayValue { flat = Space.flatten(items) } else {
                return "expected \(expected) number(s), got \(value.typeName)"
            }
            guard flat.count == expected, !flat.contains(where: \.isNaN) else { return "expected \(expected) number(s), got \(flat.count)" }
            numbers.append(contentsOf: flat)
        case .text:
            guard let text = value.stringValue else { return "expected a string, got \(value.typeName)" }
            texts.append(text)
        case .dict(let entries):
            for entry in entries {
                if let problem = entry.layout.flatten(value[entry.key], numbers: &numbers, texts: &texts) { return "\(entry.key): \(problem)" }
            }
        case .tuple(let parts):
            guard let items = value.arrayValue, items.count == parts.count else { return "expected a list of \(parts.count) parts" }
            for (i, part) in parts.enumerated() {
                if let problem = part.flatten(items[i], numbers: &numbers, texts: &texts) { return "[\(i + 1)]: \(problem)" }
            }
        }
        return nil
    }
}
