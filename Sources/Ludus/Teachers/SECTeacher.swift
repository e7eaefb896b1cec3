import Foundation
import LudusLua

/// Self-Evolving Curriculum (2025): a bandit over the levels of one discrete parameter
/// (a `choice`, or an `int` with at most 32 values). P = softmax(Q / tau); after each
/// episode the level's Q moves by TD(0) toward a learning-gain proxy: the absolute
/// advantage |r - mean r of that level| (SEC's mean |A| with a running mean as the
/// baseline, since Ludus episodes are not GRPO groups). Other parameters are uniform.
/// `arms` restricts the bandit to some levels (`sec:numbers=3,4,5`); arms absent from
/// an episode keep their Q (the official code's r = 0 for absent arms does not apply:
/// one episode is one arm).
public final class SECTeacher: Teacher {
    public let name = "sec"
    public let parameter: Parameter
    public let levels: [Value]
    public var temperature = 1.0
    public var stepSize = 0.5
    public private(set) var values: [Double]
    private var meanReturn: [Double]
    private var counts: [Double]
    private let space: ParameterSpace

    public init(space: ParameterSpace, armParameter: String?, arms: [Value]? = nil) throws(SetupError) {
        func levels(of p: Parameter) -> [Value]? {
            switch p.kind {
            case .choice: return p.choices
            case .int:
                let count = Int(p.max! - p.min!) + 1
                return count <= 32 ? (Int64(p.min!)...Int64(p.max!)).map { .int($0) } : nil
            default: return nil
            }
        }
        let candidates = space.parameters.filter { arms != nil ? $0.isSampled : levels(of: $0) != nil }
        guard let chosen = armParameter.map({ name in candidates.first { $0.name == name } }) ?? candidates.first else {
            throw .badSpec("sec needs a choice or small int parameter\(armParameter.map { " named '\($0)'" } ?? "")")
        }
        parameter = chosen
        self.levels = arms ?? levels(of: chosen)!
        guard !self.levels.isEmpty else { throw .badSpec("sec needs at least one arm") }
        values = Array(repeating: 0, count: self.levels.count)
        meanReturn = values
        counts = values
        self.space = space
    }

    public var probabilities: [Double] {
        let top = values.max() ?? 0
        let weights = values.map { exp(($0 - top) / temperature) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    public func sample(using generator: inout SeededGenerator) -> TeacherTask {
        var task = space.sample(using: &generator)
        let u = generator.nextDouble()
        var cumulative = 0.0
        var arm = levels.count - 1
        for (i, p) in probabilities.enumerated() {
            cumulative += p
            if u < cumulative { arm = i; break }
        }
        task[parameter.name] = levels[arm]
        return TeacherTask(params: task)
    }

    public func update(_ task: TeacherTask, outcome: TeacherOutcome) {
        let normalizedReturn = outcome.normalizedReturn
        guard let value = task.params[parameter.name], let arm = levels.firstIndex(where: { $0 == value || $0.doubleValue == value.doubleValue && $0.doubleValue != nil }) else { return }
        counts[arm] += 1
        let advantage = abs(outcome.advantage ?? (normalizedReturn - meanReturn[arm]))
        meanReturn[arm] += (normalizedReturn - meanReturn[arm]) / counts[arm]
        values[arm] = (1 - stepSize) * values[arm] + stepSize * advantage
    }

    public var summary: String {
        zip(levels, probabilities).map { "\(displayText($0))=\(String(format: "%.2f", $1))" }.joined(separator: " ")
    }
}

#if canImport(Glibc)
import Glibc
#endif

// MARK: Checkpoint

extension SECTeacher {
    struct Snapshot: Codable {
        var kind = "sec"
        var levels: [StoredValue]
        var values: [Double]
        var meanReturn: [Double]
        var counts: [Double]
    }

    /// Each arm's Q value, mean return and count (the arms themselves are checked).
    public func checkpoint() throws -> Data {
        try CheckpointCoder.encode(Snapshot(levels: levels.map(StoredValue.init), values: values, meanReturn: meanReturn, counts: counts))
    }

    /// - Throws: ``CheckpointError`` for another teacher's checkpoint or other arms.
    public func restore(from data: Data) throws {
        let snapshot = try CheckpointCoder.decode(Snapshot.self, from: data, kind: name)
        try CheckpointCoder.require(snapshot.kind, equals: name, "the teacher", kind: name)
        try CheckpointCoder.require(snapshot.levels, equals: levels.map(StoredValue.init), "the arms", kind: name)
        guard snapshot.values.count == levels.count, snapshot.meanReturn.count == levels.count, snapshot.counts.count == levels.count else {
            throw CheckpointError.mismatch(kind: name, reason: "arm statistics for another number of arms")
        }
        values = snapshot.values
        meanReturn = snapshot.meanReturn
        counts = snapshot.counts
    }
}
