
/// The observation space flattened in the copy layout, so that every step's
/// observation can be checked against it with one comparison per number and no
/// allocation. Built once per driver.
public struct ObservationBounds {
    @usableFromInline var low: [Double] = []
    @usableFromInline var high: [Double] = []
    @usableFromInline var integral: [Bool] = []
    private var numberNames: [String] = []
    private var textLengths: [ClosedRange<Int>] = []
    private var textNames: [String] = []
    public let space: Space

    public init(_ space: Space) {
        self.space = space
        hasNoTexts = true
        add(space, name: "")
        hasNoTexts = textLengths.isEmpty
    }

    private mutating func add(_ space: Space, name: String) {
        func number(_ lo: Double, _ hi: Double, integer: Bool, _ label: String) {
            low.append(lo); high.append(hi); integral.append(integer); numberNames.append(label)
        }
        switch space {
        case .discrete(let n, let start): number(Double(start), Double(start + n - 1), integer: true, name.isEmpty ? "value" : name)
        case .box(let lo, let hi, _):
            for i in lo.indices { number(lo[i], hi[i], integer: false, "\(name)[\(i + 1)]") }
        case .multiDiscrete(let nvec):
            for (i, n) in nvec.enumerated() { number(0, Double(n - 1), integer: true, "\(name)[\(i + 1)]") }
        case .multiBinary(let n):
            for i in 0..<n { number(0, 1, integer: true, "\(name)[\(i + 1)]") }
        case .text(let maxLength, let minLength):
            textLengths.append(minLength...max(minLength, maxLength))
            textNames.append(name.isEmpty ? "text" : name)
        case .dict(let entries):
            for entry in entries { add(entry.space, name: name.isEmpty ? entry.name : "\(name).\(entry.name)") }
        case .tuple(let parts):
            for (i, part) in parts.enumerated() { add(part, name: "\(name)(\(i + 1))") }
        }
    }

    /// Whether the observation is inside the space (every number inside its bounds, every
    /// text of a length inside its range): the per-step test, inlined into the driver;
    /// ``problem(with:)`` says why when it is not.
    @inlinable
    public func contains(_ observation: ObservationView) -> Bool {
        contains(observation, visiting: { _ in })  // inlined: the empty visit compiles away
    }

    /// ``contains(_:)`` that also hands each number, in order, to `visit` in the same pass
    /// (the driver's trajectory hash): one walk over the observation per step instead of two.
    /// `visit` sees every number up to the first one outside its bounds.
    @inlinable @inline(__always)
    public func contains(_ observation: ObservationView, visiting visit: (Double) -> Void) -> Bool {
        let numbers = observation.numbers
        guard numbers.count == low.count else { return false }
        var inside = true
        low.withUnsafeBufferPointer { low in
            high.withUnsafeBufferPointer { high in
                integral.withUnsafeBufferPointer { integral in
                    for i in 0..<numbers.count {
                        let x = numbers[i]
                        if !(x >= low[i] && x <= high[i]) || (integral[i] && !Self.isIntegral(x)) { inside = false; return }
                        visit(x)
                    }
                }
            }
        }
        return inside && (hasNoTexts || textsFit(observation.texts))
    }

    /// Whether every text part's length is inside its range, as ``problem(with:)`` tests it:
    /// texts are part of the per-step test, so an observation whose texts fit (a gridworld's
    /// mission) is not walked again only to find nothing wrong with it.
    @usableFromInline
    func textsFit(_ texts: [String]) -> Bool {
        for (i, text) in texts.enumerated() where i < textLengths.count && !Self.fits(text, textLengths[i]) { return false }
        return true
    }

    /// Whether `text` has a number of characters in `range`. The UTF-8 count bounds the
    /// character count from above, so the characters are counted only when that does not settle it.
    @usableFromInline
    static func fits(_ text: String, _ range: ClosedRange<Int>) -> Bool {
        if range.lowerBound == 0 && text.utf8.count <= range.upperBound { return true }
        return range.contains(text.count)
    }

    /// `x == x.rounded(.towardZero)` for a number already inside its (finite) bounds, without
    /// the call to `trunc` that the x86-64 baseline makes of it: doubles of magnitude 2^52 and
    /// more are all integers, and below that the conversion to `Int64` is exact.
    @inlinable @inline(__always)
    static func isIntegral(_ x: Double) -> Bool { abs(x) >= 0x1p52 || Double(Int64(x)) == x }

    /// True when the space has no text parts (the per-step test then skips ``textsFit(_:)``).
    @usableFromInline var hasNoTexts: Bool

    /// Why the observation is outside the space, or nil. Allocates only to describe a problem.
    public func problem(with observation: ObservationView) -> String? {
        if contains(observation) { return nil }
        let numbers = observation.numbers
        guard numbers.count == low.count else { return "expected \(low.count) numbers, got \(numbers.count)" }
        for i in 0..<numbers.count {
            let x = numbers[i]
            if !(x >= low[i] && x <= high[i]) || (integral[i] && !Self.isIntegral(x)) {
                return "\(numberNames[i]) = \(x) is outside \(integral[i] ? "integers " : "")[\(format(low[i])), \(format(high[i]))] of \(space)"
            }
        }
        for (i, text) in observation.texts.enumerated() where i < textLengths.count && !Self.fits(text, textLengths[i]) {
            let range = textLengths[i]
            return "\(textNames[i]) has \(text.count) characters, outside \(range.lowerBound)...\(range.upperBound)"
        }
        return nil
    }
}

extension Space {
    /// Why `action` is not a member of this action space, or nil. Allocates only to
    /// describe a problem (the driver calls it on every step).
    public func problem(with action: Action) -> String? {
        switch (self, action) {
        case (.discrete(let n, let start), .discrete(let a)):
            return a >= start && a < start + n ? nil : "action \(a) is outside \(self)"
        case (.box(let low, let high, _), .vector(let v)):
            guard v.count == low.count else { return "action has \(v.count) numbers; \(self) takes \(low.count)" }
            for i in 0..<v.count where !(v[i] >= low[i] && v[i] <= high[i]) {
                return "element \(i + 1) = \(v[i]) is outside [\(format(low[i])), \(format(high[i]))] of \(self)"
            }
            return nil
        case (.multiDiscrete(let nvec), .vector(let v)):
            guard v.count == nvec.count else { return "action has \(v.count) numbers; \(self) takes \(nvec.count)" }
            for i in 0..<v.count where !(v[i] >= 0 && v[i] < Double(nvec[i]) && v[i] == v[i].rounded()) {
                return "element \(i + 1) = \(format(v[i])) is not an integer in 0..<\(nvec[i])"
            }
            return nil
        case (.multiBinary(let n), .vector(let v)):
            guard v.count == n else { return "action has \(v.count) numbers; \(self) takes \(n)" }
            if let i = v.firstIndex(where: { $0 != 0 && $0 != 1 }) { return "element \(i + 1) = \(format(v[i])) is not 0 or 1" }
            return nil
        case (.text(let maxLength, let minLength), .text(let s)):
            let length = s.count
            return (minLength...max(minLength, maxLength)).contains(length) ? nil
                : "text of \(length) characters is outside \(minLength)...\(maxLength)"
        default:
            return "an answer of the wrong shape (\(action.kindName) \(action)) for \(self)"
        }
    }
}

extension Action {
    /// `integer`, `vector` or `text`: what an agent answered, for error messages.
    public var kindName: String {
        switch self {
        case .discrete: return "integer"
        case .vector: return "vector"
        case .text: return "text"
        }
    }
}
