import LudusLua

/// A teacher that can say what it currently believes, for `ludus report`'s curriculum
/// maps: recorded at each evaluation (table `teach_teacher_state`), never read back by the
/// loop, so it has no effect on the run.
///
/// Shapes read by the report:
/// - SEC: `{"kind": "sec", "parameter": NAME, "arms": [{"label": "5", "probability": p, "value": v}, ...]}`
/// - ALP-GMM: `{"kind": "alp-gmm", "params": [NAMES], "gaussians": [{"mean": [..], "std": [..], "weight": w, "alp": a}, ...]}`
///   (means and standard deviations in parameter units; none before the first fit)
public protocol TeacherSnapshotting {
    /// The teacher's state as JSON-ready values. Must not throw or change the teacher.
    func reportSnapshot() -> Value
}

extension SECTeacher: TeacherSnapshotting {
    public func reportSnapshot() -> Value {
        let arms: [Value] = zip(levels, zip(probabilities, values)).map { level, pv in
            ["label": .string(Self.label(level)), "probability": .number(pv.0), "value": .number(pv.1)]
        }
        return ["kind": "sec", "parameter": .string(parameter.name), "arms": .array(arms)]
    }

    static func label(_ value: Value) -> String {
        switch value {
        case .int(let i): return String(i)
        case .number(let d) where d == d.rounded() && abs(d) < 1e15: return String(Int64(d))
        case .string(let s): return s
        default: return JSON.encode(value)
        }
    }
}

extension ALPGMMTeacher: TeacherSnapshotting {
    public func reportSnapshot() -> Value {
        let sampled = space.parameters.filter(\.isSampled)
        guard let mixture else { return ["kind": "alp-gmm", "params": .array(sampled.map { .string($0.name) }), "gaussians": .array([])] }
        let d = mixture.dimension
        var gaussians: [Value] = []
        for (k, mean) in mixture.means.enumerated() {
            var centre: [Value] = [], spread: [Value] = []
            for (i, p) in sampled.enumerated() where i < d - 1 {
                // Unit coordinates back to parameter units (choices: their index).
                let low = p.min ?? 0, width = (p.max ?? Double(max(1, p.choices.count - 1))) - low
                centre.append(.number(low + mean[i] * width))
                spread.append(.number(max(0, mixture.covariances[k][i * d + i]).squareRoot() * abs(width)))
            }
            gaussians.append(["mean": .array(centre), "std": .array(spread), "weight": .number(mixture.weights[k]), "alp": .number(mean[d - 1])])
        }
        return ["kind": "alp-gmm", "params": .array(sampled.map { .string($0.name) }), "gaussians": .array(gaussians)]
    }
}

/// PLR: `{"kind": "plr", "size": N, "levels": [{"params": {...}, "score": s, "staleness": t, "plays": n}, ...]}`,
/// the 200 best-scored levels of the buffer.
extension PLRTeacher: TeacherSnapshotting {
    public func reportSnapshot() -> Value {
        let best = buffer.sorted { $0.score > $1.score }.prefix(200)
        let levels: [Value] = best.map { level in
            ["params": .table(level.params), "score": .number(level.score), "staleness": .int(Int64(counter - level.lastSampled)),
             "plays": .int(Int64(level.plays))]
        }
        return ["kind": "plr", "size": .int(Int64(buffer.count)), "levels": .array(levels)]
    }
}
