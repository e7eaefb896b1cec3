
/// An observation or action space, as an environment declares it with the
/// `space.*` constructors. Semantics follow Gymnasium's spaces.
public indirect enum Space: Hashable, Sendable {
    /// Integers `start ..< start + n`.
    case discrete(n: Int, start: Int)
    /// Real vectors of `shape` with element-wise bounds (`low.count == shape product`).
    case box(low: [Double], high: [Double], shape: [Int])
    /// Integer vectors with `0 ..< nvec[i]` per element.
    case multiDiscrete([Int])
    /// 0/1 vectors of length n.
    case multiBinary(Int)
    /// Strings of at most `maxLength` characters.
    case text(maxLength: Int, minLength: Int)
    /// Named sub-spaces (kept sorted by name).
    case dict([(name: String, space: Space)])
    /// Positional sub-spaces.
    case tuple([Space])

    public static func == (a: Space, b: Space) -> Bool { a.description == b.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// How values of this space are copied into Swift every step.
    public var layout: ObservationLayout {
        switch self {
        case .discrete: return .number
        case .box(_, _, let shape): return .numbers(shape.reduce(1, *))
        case .multiDiscrete(let nvec): return .numbers(nvec.count)
        case .multiBinary(let n): return .numbers(n)
        case .text: return .text
        case .dict(let entries):
            return .dict(entries.map { ObservationLayout.Entry(key: $0.name, layout: $0.space.layout) })
        case .tuple(let parts): return .tuple(parts.map(\.layout))
        }
    }

    /// Numbers in a flattened value.
    public var flatCount: Int { layout.numberCount }
}

extension Space: CustomStringConvertible {
    public var description: String {
        switch self {
        case .discrete(let n, let start): return start == 0 ? "Discrete(\(n))" : "Discrete(\(n), start=\(start))"
        case .box(let low, let high, let shape):
            let bounds = (Set(low).count == 1 && Set(high).count == 1)
                ? "\(format(low[0])), \(format(high[0]))" : "low=\(low.map(format)), high=\(high.map(format))"
            return "Box(\(bounds), shape=(\(shape.map(String.init).joined(separator: ","))))"
        case .multiDiscrete(let nvec): return "MultiDiscrete(\(nvec))"
        case .multiBinary(let n): return "MultiBinary(\(n))"
        case .text(let maxLength, _): return "Text(\(maxLength))"
        case .dict(let entries): return "Dict(" + entries.map { "\($0.name): \($0.space)" }.joined(separator: ", ") + ")"
        case .tuple(let parts): return "Tuple(" + parts.map(\.description).joined(separator: ", ") + ")"
        }
    }
}

func format(_ x: Double) -> String {
    if x == .infinity { return "inf" }
    if x == -.infinity { return "-inf" }
    if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
    return String(x)
}

extension Space {
    /// The `max_length` of every text part, in the order of the copy layout's text slots.
    public var textMaxLengths: [Int] {
        switch self {
        case .discrete, .box, .multiDiscrete, .multiBinary: return []
        case .text(let maxLength, let minLength): return [max(maxLength, minLength)]
        case .dict(let entries): return entries.flatMap(\.space.textMaxLengths)
        case .tuple(let parts): return parts.flatMap(\.textMaxLengths)
        }
    }
}
