
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

/// The largest facts an environment may declare: beyond them a script could make
/// the host allocate gigabytes outside the VM's memory cap, or overflow.
public enum SpecLimits {
    /// Numbers in one observation or action (boxes, multi-discrete, multi-binary): 8 MiB of doubles.
    public static let maxNumbers = 1 << 20
    /// Characters of a text space (and of a string parameter).
    public static let maxTextLength = 1 << 20
    /// Players of one environment.
    public static let maxPlayers = 64
    /// The largest magnitude of an integer fact (discrete sizes and starts, int parameter
    /// bounds): 2^53, the last integer every double holds exactly.
    public static let maxInteger = 1 << 53
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
            guard let n = value["n"].intValue, n >= 1, n <= SpecLimits.maxInteger else {
                throw SpecError("\(path): discrete n must be an integer in 1...2^53")
            }
            let start = value["start"].isNil ? 0 : value["start"].intValue
            guard let start, abs(start) <= SpecLimits.maxInteger else {
                throw SpecError("\(path): discrete start must be an integer in -2^53...2^53")
            }
            self = .discrete(n: n, start: start)
        case "box":
            guard let shape = value["shape"].arrayValue?.compactMap(\.intValue), !shape.isEmpty,
                shape.allSatisfy({ $0 > 0 })
            else { throw SpecError("\(path): box shape must be a list of positive integers") }
            let count = try Self.count(shape, path: path, what: "box shape \(shape)")
            let low = try Self.bounds(value["low"], count: count, path: path, name: "low")
            let high = try Self.bounds(value["high"], count: count, path: path, name: "high")
            for i in 0..<count where !(low[i] <= high[i]) {
                throw SpecError("\(path): box low[\(i + 1)] = \(format(low[i])) is above high[\(i + 1)] = \(format(high[i]))")
            }
            self = .box(low: low, high: high, shape: shape)
        case "multi_discrete":
            guard let nvec = value["nvec"].arrayValue?.compactMap(\.intValue), !nvec.isEmpty, nvec.allSatisfy({ $0 > 0 })
            else { throw SpecError("\(path): multi_discrete nvec must be a list of positive integers") }
            _ = try Self.count([nvec.count], path: path, what: "multi_discrete nvec")
            guard nvec.allSatisfy({ $0 <= SpecLimits.maxInteger }) else { throw SpecError("\(path): multi_discrete sizes must be at most 2^53") }
            self = .multiDiscrete(nvec)
        case "multi_binary":
            guard let n = value["n"].intValue, n >= 1 else { throw SpecError("\(path): multi_binary n must be positive") }
            _ = try Self.count([n], path: path, what: "multi_binary(\(n))")
            self = .multiBinary(n)
        case "text":
            guard let maxLength = value["max_length"].intValue, maxLength >= 0, maxLength <= SpecLimits.maxTextLength else {
                throw SpecError("\(path): text max_length must be an integer in 0...\(SpecLimits.maxTextLength)")
            }
            let minLength = value["min_length"].isNil ? 0 : value["min_length"].intValue
            guard let minLength, minLength >= 0, minLength <= maxLength else {
                throw SpecError("\(path): text min_length must be an integer in 0...max_length (\(maxLength))")
            }
            self = .text(maxLength: maxLength, minLength: minLength)
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

    /// The product of `sizes`, overflow-checked and at most ``SpecLimits/maxNumbers``.
    private static func count(_ sizes: [Int], path: String, what: String) throws(SpecError) -> Int {
        var count = 1
        for size in sizes {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= SpecLimits.maxNumbers else {
                throw SpecError("\(path): \(what) holds more than \(SpecLimits.maxNumbers) numbers (the host copies every one each step)")
            }
            count = product
        }
        return count
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
