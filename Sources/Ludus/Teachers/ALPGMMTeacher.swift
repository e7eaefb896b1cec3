import Foundation
import CBLAS
import LudusLua

/// ALP-GMM (Portelas et al. 2019, teachDeepRL's defaults): absolute learning progress
/// per task is |r - r of the nearest past task|; every `fitRate` episodes a Gaussian
/// mixture over [task, ALP] is refitted for k = 2...10 and the lowest AIC kept; tasks
/// come from a component chosen in proportion to its mean ALP, or uniformly for the
/// first `fitRate` episodes and with probability `randomRatio`.
public final class ALPGMMTeacher: Teacher {
    public let name = "alp-gmm"
    public var fitRate = 250
    public var randomRatio = 0.2
    public var componentRange = 2...10
    let space: ParameterSpace
    private var history: [(task: [Double], reward: Double)] = []
    private var rows: [[Double]] = []
    public private(set) var mixture: GaussianMixture?
    private var fitGenerator = SeededGenerator(seed: 0xA1F)

    public init(space: ParameterSpace) {
        self.space = space
        openblas_set_num_threads(1)  // workers run in parallel; the matrices are tiny
    }

    public func sample(using generator: inout SeededGenerator) -> TeacherTask {
        TeacherTask(params: sampleParams(using: &generator))
    }

    private func sampleParams(using generator: inout SeededGenerator) -> [String: Value] {
        guard let mixture, rows.count >= fitRate, generator.nextDouble() >= randomRatio else {
            return space.sample(using: &generator)
        }
        let d = mixture.dimension
        let alps = mixture.means.map { max($0[d - 1], 0) }
        let total = alps.reduce(0, +)
        var component = Int(generator.nextInt(0, Int64(alps.count - 1)))
        if total > 0 {
            var u = generator.nextDouble() * total
            for (c, a) in alps.enumerated() { u -= a; if u <= 0 { component = c; break } }
        }
        let point = mixture.sample(component: component, using: &generator)
        return space.task(fromUnit: Array(point.dropLast()))
    }

    public func update(_ task: TeacherTask, outcome: TeacherOutcome) {
        let normalizedReturn = outcome.normalizedReturn
        let x = space.unitVector(task.params)
        var alp = 0.0
        if history.count > 5 {
            var best = Double.infinity
            var nearest = 0.0
            for past in history {
                let distance = zip(x, past.task).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                if distance < best { best = distance; nearest = past.reward }
            }
            alp = abs(normalizedReturn - nearest)
        }
        history.append((x, normalizedReturn))
        rows.append(x + [alp])
        if rows.count >= fitRate && rows.count % fitRate == 0 { refit() }
    }

    /// Fits k = 2...10 on the last `fitRate` rows and keeps the lowest AIC.
    public func refit() {
        let data = Array(rows.suffix(fitRate))
        let best = GaussianMixture.bestByAIC(fitting: data, components: componentRange, generator: &fitGenerator)
        mixture = best
    }

    public var summary: String {
        guard let mixture else { return "bootstrapping (\(rows.count)/\(fitRate))" }
        return "k=\(mixture.weights.count)"
    }
}

extension ParameterSpace {
    /// The inverse of `unitVector`: unit coordinates (clipped) back to parameter values.
    func task(fromUnit point: [Double]) -> [String: Value] {
        var task: [String: Value] = [:]
        for (i, p) in parameters.filter(\.isSampled).enumerated() {
            let u = min(1, max(0, i < point.count ? point[i] : 0))
            switch p.kind {
            case .int: task[p.name] = .int(Int64((p.min! + u * (p.max! - p.min!)).rounded()))
            case .float: task[p.name] = .number(p.min! + u * (p.max! - p.min!))
            case .choice: task[p.name] = p.choices[min(p.choices.count - 1, Int((u * Double(p.choices.count - 1)).rounded()))]
            case .string: break
            }
        }
        return task
    }
}

// MARK: Checkpoint

extension ALPGMMTeacher {
    struct Snapshot: Codable {
        var kind = "alp-gmm"
        var historyTasks: [[Double]]
        var historyRewards: [Double]
        var rows: [[Double]]
        var mixture: GaussianMixture?
        var fitGenerator: GeneratorState
    }

    /// Every (task, return) seen, the [task, ALP] rows, the fitted mixture and the fit's generator.
    public func checkpoint() throws -> Data {
        try CheckpointCoder.encode(Snapshot(historyTasks: history.map(\.task), historyRewards: history.map(\.reward), rows: rows,
                                            mixture: mixture, fitGenerator: GeneratorState(fitGenerator)))
    }

    /// - Throws: ``CheckpointError`` for another teacher's checkpoint.
    public func restore(from data: Data) throws {
        let snapshot = try CheckpointCoder.decode(Snapshot.self, from: data, kind: name)
        try CheckpointCoder.require(snapshot.kind, equals: name, "the teacher", kind: name)
        try CheckpointCoder.require(snapshot.historyTasks.count, equals: snapshot.historyRewards.count, "the history", kind: name)
        history = zip(snapshot.historyTasks, snapshot.historyRewards).map { ($0, $1) }
        rows = snapshot.rows
        mixture = snapshot.mixture
        fitGenerator = try snapshot.fitGenerator.generator(kind: name)
    }
}
