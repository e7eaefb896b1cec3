/// Turns an observation (the flat numbers of an ``ObservationView``, in the layout of the
/// observation space) into a network input, without allocating.
///
/// Per part of the space: discrete → one-hot; multi-discrete → one-hot per element (or each
/// element scaled to [0, 1] when the one-hots would be wider than `oneHotLimit`);
/// multi-binary and box → the raw numbers; dict and tuple → the parts concatenated in
/// layout order; text → nothing (a network cannot read it).
public struct ObservationEncoder: Sendable {
    enum Segment: Sendable {
        /// Copy `count` numbers from `from` to `to`.
        case raw(from: Int, count: Int, to: Int)
        /// One-hot of the integer at `from` (values `start ..< start + n`) into `to ..< to + n`.
        case oneHot(from: Int, n: Int, start: Int, to: Int)
        /// The number at `from` times `scale`, into `to`.
        case scaled(from: Int, scale: Double, to: Int)
    }

    public static let oneHotLimit = 1024
    let segments: [Segment]
    /// Numbers the environment writes per observation (``Space/flatCount``).
    public let sourceCount: Int
    /// Width of the encoded input.
    public let size: Int

    public init(space: Space) throws(SetupError) {
        var segments: [Segment] = []
        var from = 0, to = 0
        func visit(_ space: Space) {
            switch space {
            case .discrete(let n, let start):
                if n <= Self.oneHotLimit {
                    segments.append(.oneHot(from: from, n: n, start: start, to: to)); to += n
                } else {
                    segments.append(.scaled(from: from, scale: 1 / Double(max(1, n - 1)), to: to)); to += 1
                }
                from += 1
            case .multiDiscrete(let nvec):
                if nvec.reduce(0, +) <= Self.oneHotLimit {
                    for n in nvec { segments.append(.oneHot(from: from, n: n, start: 0, to: to)); from += 1; to += n }
                } else {
                    for n in nvec { segments.append(.scaled(from: from, scale: 1 / Double(max(1, n - 1)), to: to)); from += 1; to += 1 }
                }
            case .multiBinary(let n):
                segments.append(.raw(from: from, count: n, to: to)); from += n; to += n
            case .box(_, _, let shape):
                let n = shape.reduce(1, *)
                segments.append(.raw(from: from, count: n, to: to)); from += n; to += n
            case .text: break
            case .dict(let entries): for entry in entries { visit(entry.space) }
            case .tuple(let parts): for part in parts { visit(part) }
            }
        }
        visit(space)
        guard to > 0 else { throw .unsuitable("observation space \(space) has no numbers for a network to read") }
        self.segments = segments
        sourceCount = from
        size = to
    }

    /// Writes the encoding of `numbers` into `output[0 ..< size]`. Out-of-range discrete values
    /// give an all-zero one-hot.
    @inline(__always)
    public func encode(_ numbers: UnsafeBufferPointer<Double>, into output: UnsafeMutablePointer<Double>) {
        precondition(numbers.count >= sourceCount, "observation has \(numbers.count) numbers, expected \(sourceCount)")
        let base = numbers.baseAddress!
        for segment in segments {
            switch segment {
            case .raw(let from, let count, let to):
                (output + to).update(from: base + from, count: count)
            case .oneHot(let from, let n, let start, let to):
                (output + to).update(repeating: 0, count: n)
                let value = base[from]
                if value.isFinite {
                    let index = Int(value.rounded()) - start
                    if index >= 0 && index < n { output[to + index] = 1 }
                }
            case .scaled(let from, let scale, let to):
                output[to] = base[from] * scale
            }
        }
    }
}
