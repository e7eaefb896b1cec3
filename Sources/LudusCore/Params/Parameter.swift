
/// One teacher-facing parameter of an environment (`E.params.name`).
public struct Parameter: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case int, float, choice, string }

    public var name: String
    public var kind: Kind
    public var min: Double?
    public var max: Double?
    public var choices: [Value]
    public var defaultValue: Value
    public var description: String
    /// Longest accepted text of a `string` parameter.
    public var maxLength: Int

    /// The range in brackets or the choices in braces, for one-line listings.
    public var compactDomain: String {
        switch kind {
        case .choice: return "{" + choices.map(displayText).joined(separator: ",") + "}"
        case .string: return "text"
        default: return "[\(format(min ?? 0))..\(format(max ?? 0))]"
        }
    }

    /// The range or choices, for messages and `ludus info`.
    public var domain: String {
        switch kind {
        case .int: return "integer in [\(format(min ?? 0)), \(format(max ?? 0))]"
        case .float: return "number in [\(format(min ?? 0)), \(format(max ?? 0))]"
        case .choice: return "one of " + choices.map(displayText).joined(separator: ", ")
        case .string: return "text of at most \(maxLength) characters"
        }
    }

    /// Reads `{kind=..., min=..., max=..., default=..., choices=...}`.
    init(name: String, lua value: Value) throws(SpecError) {
        self.name = name
        guard case .table = value else { throw SpecError("params.\(name) must be a table {kind=..., ...}") }
        guard let kindName = value["kind"].stringValue, let kind = Kind(rawValue: kindName) else {
            throw SpecError("params.\(name).kind must be \"int\", \"float\", \"choice\" or \"string\"")
        }
        self.kind = kind
        description = value["description"].stringValue ?? ""
        maxLength = value["max_length"].intValue ?? 100_000
        guard maxLength >= 0, maxLength <= SpecLimits.maxTextLength else {
            throw SpecError("params.\(name).max_length must be in 0...\(SpecLimits.maxTextLength)")
        }
        choices = value["choices"].arrayValue ?? []
        switch kind {
        case .int, .float:
            guard let low = value["min"].doubleValue, let high = value["max"].doubleValue, low <= high else {
                throw SpecError("params.\(name) needs numbers min <= max")
            }
            // Bounds the samplers can use: finite with a finite width, and exact integers for int parameters.
            guard low.isFinite, high.isFinite, (high - low).isFinite else {
                throw SpecError("params.\(name): min and max must be finite numbers whose difference is finite")
            }
            if kind == .int, low != low.rounded() || high != high.rounded() {
                throw SpecError("params.\(name): an int parameter needs integer min and max")
            }
            if kind == .int, abs(low) > Double(SpecLimits.maxInteger) || abs(high) > Double(SpecLimits.maxInteger) {
                throw SpecError("params.\(name): an int parameter's min and max must lie in -2^53...2^53")
            }
            min = low
            max = high
        case .choice:
            guard !choices.isEmpty else { throw SpecError("params.\(name) of kind choice needs a non-empty choices list") }
            min = nil
            max = nil
        case .string:
            min = nil
            max = nil
        }
        let fallback: Value
        switch kind {
        case .int: fallback = .int(Int64(min!))
        case .float: fallback = .number(min!)
        case .choice: fallback = choices[0]
        case .string: fallback = .string("")
        }
        defaultValue = value["default"].isNil ? fallback : value["default"]
        if kind == .float, let number = defaultValue.doubleValue { defaultValue = .number(number) }
        if let problem = self.problem(with: defaultValue) {
            throw SpecError("params.\(name).default: \(problem)")
        }
    }

    /// Why `value` is not valid for this parameter, or nil.
    public func problem(with value: Value) -> String? {
        switch kind {
        case .int:
            guard let v = value.intValue else { return "expected an integer, got \(displayText(value))" }
            return Double(v) >= min! && Double(v) <= max! ? nil : "\(v) is outside [\(format(min!)), \(format(max!))]"
        case .float:
            guard let v = value.doubleValue, v.isFinite else { return "expected a number, got \(displayText(value))" }
            return v >= min! && v <= max! ? nil : "\(format(v)) is outside [\(format(min!)), \(format(max!))]"
        case .choice:
            return choices.contains(value) ? nil : "\(displayText(value)) is not one of \(choices.map(displayText).joined(separator: ", "))"
        case .string:
            guard let text = value.stringValue else { return "expected text, got \(displayText(value))" }
            return text.count <= maxLength ? nil : "text of \(text.count) characters is longer than \(maxLength)"
        }
    }

    /// Parses a command-line value (`--param name=value`) for this parameter.
    public func parse(_ text: String) -> Value {
        switch kind {
        case .int: return Int64(text).map { .int($0) } ?? Double(text).map { .number($0) } ?? .string(text)
        case .float: return Double(text).map { .number($0) } ?? .string(text)
        case .choice:
            if let match = choices.first(where: { displayText($0) == text }) { return match }
            return .string(text)
        case .string: return .string(text)
        }
    }

    /// Whether teachers can sample this parameter (a `string` one is fixed at its default).
    public var isSampled: Bool { kind != .string }

    /// A uniformly random valid value (the default for `string` parameters).
    public func sample(using generator: inout SeededGenerator) -> Value {
        switch kind {
        case .int: return .int(generator.nextInt(Int64(min!), Int64(max!)))
        case .float: return .number(min! + (max! - min!) * generator.nextDouble())
        case .choice: return choices[Int(generator.nextInt(0, Int64(choices.count - 1)))]
        case .string: return defaultValue
        }
    }
}

public func displayText(_ value: Value) -> String {
    switch value {
    case .string(let s): return s
    case .int(let i): return String(i)
    case .number(let d): return format(d)
    case .bool(let b): return String(b)
    default: return JSON.encode(value)
    }
}
