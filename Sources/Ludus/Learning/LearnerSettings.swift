/// `key=value` settings of a learning student's spec (`ppo:hidden=64x64,steps=1024,lr=3e-4`).
public struct LearnerSettings: Sendable, Equatable {
    public private(set) var values: [String: String]
    private var allowed: Set<String>

    /// Parses `a=1,b=2` (empty: no settings), accepting only `allowed` keys.
    public init(_ text: String, allowed: Set<String>, student: String) throws(SetupError) {
        values = [:]
        self.allowed = allowed
        for part in text.split(separator: ",") where !part.isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2, allowed.contains(pieces[0]) else {
                throw .badSpec("\(student) setting '\(part)': expected KEY=VALUE with KEY one of \(allowed.sorted().joined(separator: ", "))")
            }
            values[pieces[0]] = pieces[1]
        }
    }

    public init(values: [String: String]) {
        self.values = values
        allowed = Set(values.keys)
    }

    public func double(_ key: String, _ fallback: Double, in range: ClosedRange<Double>) throws(SetupError) -> Double {
        guard let text = values[key] else { return fallback }
        guard let x = Double(text), range.contains(x) else { throw .badSpec("setting \(key)=\(text): expected a number in \(range)") }
        return x
    }

    public func int(_ key: String, _ fallback: Int, in range: ClosedRange<Int>) throws(SetupError) -> Int {
        guard let text = values[key] else { return fallback }
        guard let x = Int(text), range.contains(x) else { throw .badSpec("setting \(key)=\(text): expected an integer in \(range)") }
        return x
    }

    /// Hidden layer widths: `64x64`, `64-64`, `32` or `0`/`none` (no hidden layer).
    public func layers(_ key: String, _ fallback: [Int]) throws(SetupError) -> [Int] {
        guard let text = values[key] else { return fallback }
        if text == "0" || text == "none" { return [] }
        let widths = text.split(whereSeparator: { $0 == "x" || $0 == "-" || $0 == "/" }).compactMap { Int($0) }
        guard !widths.isEmpty, widths.allSatisfy({ (1...4096).contains($0) }) else {
            throw .badSpec("setting \(key)=\(text): expected widths like 64x64")
        }
        return widths
    }
}
