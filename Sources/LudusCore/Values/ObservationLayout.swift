/// How an observation is copied into Swift every step, derived from its space.
///
/// Numbers (discrete values, boxes, multi-discrete vectors, nested or flat) go
/// into one flat `[Double]` buffer reused across steps; text goes into string slots.
public indirect enum ObservationLayout: Hashable, Sendable {
    /// A single number (a discrete value or a one-element box).
    case number
    /// `count` numbers, given as a flat or nested array.
    case numbers(Int)
    /// A string.
    case text
    /// Named parts, copied in the given key order.
    case dict([Entry])
    /// Positional parts.
    case tuple([ObservationLayout])

    public struct Entry: Hashable, Sendable {
        public var key: String
        public var layout: ObservationLayout
        public init(key: String, layout: ObservationLayout) { self.key = key; self.layout = layout }
    }

    /// Total numbers this layout writes.
    public var numberCount: Int {
        switch self {
        case .number: return 1
        case .numbers(let n): return n
        case .text: return 0
        case .dict(let entries): return entries.reduce(0) { $0 + $1.layout.numberCount }
        case .tuple(let parts): return parts.reduce(0) { $0 + $1.numberCount }
        }
    }

    /// Total text slots this layout writes.
    public var textCount: Int {
        switch self {
        case .number, .numbers: return 0
        case .text: return 1
        case .dict(let entries): return entries.reduce(0) { $0 + $1.layout.textCount }
        case .tuple(let parts): return parts.reduce(0) { $0 + $1.textCount }
        }
    }
}

/// The observation of the last reset or step: numbers in the layout's order and
/// text parts. A view into buffers the environment reuses: valid until its next
/// reset or step; copy what you keep.
public struct ObservationView {
    public let numbers: UnsafeBufferPointer<Double>
    public let texts: [String]

    public init(numbers: UnsafeBufferPointer<Double>, texts: [String]) {
        self.numbers = numbers
        self.texts = texts
    }
}
