
/// A problem in what a script declared (spaces, params, facts).
public struct SpecError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation?
    public var message: String
    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
    public var description: String { (location.map { "\($0): " } ?? "") + message }
}

extension Space {
    /// Reads a space table made by the `space.*` constructors.
    /// - Parameter path: where the space sits in `E`, for messages (`observation_space.image`).
    public init(lua value: Value, path: String) throws(SpecError) {
        guard case .table = value, let kind = value["kind"].stringValue else {
            throw SpecError("\(path) must be a space made with space.discrete/box/multi_discrete/text/dict, got \(value.typeName)")
        }
        switch kind {
        case "discrete":
            guard let n = value["n"].intValue, n >= 1 else { throw SpecError("\(path): discrete n must be a positive integer") }
            self = .discrete(n: n, start: value["start"].intValue ?? 0)
        case "box":
            guard let shape = value["shape"].arrayValue?.compactMap(\.intValue), !shape.isEmpty,
                shape.allSatisfy({ $0 > 0 })
            else { throw SpecError("\(path): box shape must be a list of positive integers") }
            let count = shape.reduce(1, *)
            let low = try Self.bounds(value["low"], count: count, path: path, name: "low")
            let high = try Self.bounds(value["high"], count: count, path: path, name: "high")
            for i in 0..<count where !(low[i] <= high[i]) {
                throw SpecError("\(path): box low[\(i + 1)] = \(format(low[i])) is above high[\(i + 1)] = \(format(high[i]))")
            }
            self = .box(low: low, high: high, shape: shape)
        case "multi_discrete":
            guard let nvec = value["nvec"].arrayValue?.compactMap(\.intValue), !nvec.isEmpty, nvec.allSatisfy({ $0 > 0 })
            else { throw SpecError("\(path): multi_discrete nvec must be a list of positive integers") }
            self = .multiDiscrete(nvec)
        case "multi_binary":
            guard let n = value["n"].intValue, n >= 1 else { throw SpecError("\(path): multi_binary n must be positive") }
            self = .multiBinary(n)
        case "text":
            guard let maxLength = value["max_length"].intValue, maxLength >= 0 else {
                throw SpecError("\(path): text max_length must be a non-negative integer")
            }
            self = .text(maxLength: maxLength, minLength: value["min_length"].intValue ?? 0)
        case "dict":
            guard case .table(let fields) = value["spaces"], !fields.isEmpty else {
                throw SpecError("\(path): dict needs at least one named space")
            }
            var entries: [(name: String, space: Space)] = []
            for name in fields.keys.sorted() {
                entries.append((name, try Space(lua: fields[name]!, path: "\(path).\(name)")))
            }
            self = .dict(entries)
        case "tuple":
            guard let parts = value["spaces"].arrayValue, !parts.isEmpty else { throw SpecError("\(path): tuple needs spaces") }
            var spaces: [Space] = []
            for (i, part) in parts.enumerated() { spaces.append(try Space(lua: part, path: "\(path)[\(i + 1)]")) }
            self = .tuple(spaces)
        default:
            throw SpecError("\(path): unknown space kind '\(kind)'")
        }
    }

    private static func bounds(_ value: Value, count: Int, path: String, name: String) throws(SpecError) -> [Double] {
        if let scalar = value.doubleValue { return Array(repeating: scalar, count: count) }
        guard let items = value.arrayValue else { throw SpecError("\(path): box \(name) must be a number or a list") }
        let flat = flatten(items)
        guard flat.count == count, flat.allSatisfy({ !$0.isNaN }) else {
            throw SpecError("\(path): box \(name) has \(flat.count) numbers, shape needs \(count)")
        }
        return flat
    }

    static func flatten(_ items: [Value]) -> [Double] {
        items.flatMap { item -> [Double] in
            if let d = item.doubleValue { return [d] }
            if let nested = item.arrayValue { return flatten(nested) }
            return [.nan]
        }
    }
}
