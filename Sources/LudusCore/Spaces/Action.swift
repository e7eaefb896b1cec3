
/// An action an agent takes: a discrete index, a vector, or a text answer.
public enum Action: Hashable, Sendable, CustomStringConvertible {
    case discrete(Int)
    case vector([Double])
    case text(String)

    public var luaValue: Value {
        switch self {
        case .discrete(let i): return .int(Int64(i))
        case .vector(let v): return .array(v.map { $0 == $0.rounded() && abs($0) < 1e15 ? .int(Int64($0)) : .number($0) })
        case .text(let s): return .string(s)
        }
    }

    public var description: String {
        switch self {
        case .discrete(let i): return String(i)
        case .vector(let v): return "[" + v.map(format).joined(separator: ",") + "]"
        case .text(let s): return JSON.quote(s)
        }
    }
}

extension Space {
    /// A uniformly random action (Gymnasium's `sample` semantics for unbounded boxes).
    /// - Throws: ``SpecError`` for dict and tuple action spaces, which have no single action shape.
    public func sample(using generator: inout SeededGenerator) throws(SpecError) -> Action {
        switch self {
        case .discrete(let n, let start):
            return .discrete(start + Int(generator.nextInt(0, Int64(n - 1))))
        case .box(let low, let high, _):
            return .vector(zip(low, high).map { lo, hi in
                switch (lo.isFinite, hi.isFinite) {
                case (true, true): return lo + (hi - lo) * generator.nextDouble()
                case (true, false): return lo - log(1 - generator.nextDouble())
                case (false, true): return hi + log(1 - generator.nextDouble())
                case (false, false): return generator.nextGaussian()
                }
            })
        case .multiDiscrete(let nvec):
            return .vector(nvec.map { Double(generator.nextInt(0, Int64($0 - 1))) })
        case .multiBinary(let n):
            return .vector((0..<n).map { _ in Double(generator.nextInt(0, 1)) })
        case .text(let maxLength, let minLength):
            let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 +-*/()")
            let length = Int(generator.nextInt(Int64(minLength), Int64(max(minLength, min(maxLength, 16)))))
            return .text(String((0..<length).map { _ in alphabet[Int(generator.nextInt(0, Int64(alphabet.count - 1)))] }))
        case .dict, .tuple:
            throw SpecError("cannot sample an action from \(self): use a discrete, box, multi-discrete or text action space")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
