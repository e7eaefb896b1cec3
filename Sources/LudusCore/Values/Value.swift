/// A value as environments exchange them (observations, infos, params, facts):
/// nil, booleans, integers, numbers, strings, arrays and tables. The Lua host copies
/// script values into it; the core, the C ABI and the Python package only see this.
///
/// Tables whose keys are exactly `1...n` become `.array`; any other table becomes
/// `.table` with its keys rendered as strings (integers as their decimal text), so
/// the value has one canonical form for hashing, JSON and comparison.
public enum Value: Hashable, Sendable {
    case `nil`
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([Value])
    case table([String: Value])
    /// A function or userdata: opaque to the host, kept only as its type name.
    case opaque(String)

    public subscript(key: String) -> Value {
        if case .table(let fields) = self { return fields[key] ?? .nil }
        return .nil
    }

    public var isNil: Bool { if case .nil = self { return true } else { return false } }

    /// The numeric value of `.int` and `.number`.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    /// `.int`, or a `.number` with an exact integer value.
    public var intValue: Int? {
        switch self {
        case .int(let i): return Int(exactly: i)
        case .number(let d): return d.isFinite && d == d.rounded() ? Int(exactly: d) : nil
        default: return nil
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// The elements of an array; an empty table counts as an empty array.
    public var arrayValue: [Value]? {
        switch self {
        case .array(let items): return items
        case .table(let fields) where fields.isEmpty: return []
        default: return nil
        }
    }

    /// Lua's type name, for error messages.
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "boolean"
        case .int, .number: return "number"
        case .string: return "string"
        case .array, .table: return "table"
        case .opaque(let name): return name
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByDictionaryLiteral
{
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .table(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
