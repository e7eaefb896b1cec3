import Foundation
import LudusLua

/// RIAC (Robust Intelligent Adaptive Curiosity, as in teachDeepRL's `riac.py`): the
/// task box is split into a tree of regions by where learning progress differs.
///
/// Everything works in unit coordinates (each sampled parameter scaled to [0, 1] with
/// ``ParameterSpace/unitVector(_:)``; ints and choices are rounded back when sampled).
///
/// - **Update.** The (task, normalised return) pair is appended to every region on the
///   path from the root to the leaf holding the task. Each region keeps its last
///   `maxRegionSize + 1` pairs. A region's ALP is |mean of the first half - mean of the
///   second half| of its last `maxRegionSize` returns, or 0 while it holds at most
///   `minPoints` pairs.
/// - **Split.** A leaf holding more than `maxRegionSize` (200) pairs tries
///   `splitAttempts` (50) random cuts (a dimension and a threshold drawn uniformly in
///   the region; redrawn, up to 100 times, until each side has at least `minPoints`
///   (10) pairs). A cut is valid when both children span at least `minWidth` (1/15) of
///   every dimension's range; the valid cut with the largest |ALP1 - ALP2| wins (ties
///   to the later one). If no cut is valid, the leaf drops its oldest quarter.
/// - **Sample.** 70%: a region (any node of the tree) chosen in proportion to its ALP
///   (uniformly when every ALP is 0), then a uniform point in it; 20%: uniform over the
///   whole box; 10%: in an ALP-chosen region, the stored task with the lowest return
///   perturbed by N(0, `perturbation` = 0.1) per unit coordinate and clipped to the
///   region (uniform while nothing has been seen).
public final class RIACTeacher: Teacher {
    public let name = "riac"
    public var maxRegionSize = 200
    public var splitAttempts = 50
    public var minPoints = 10
    public var minWidth = 1.0 / 15
    public var perturbation = 0.1
    public var randomRatio = 0.2
    public var perturbRatio = 0.1

    /// A box of the unit cube; internal nodes route tasks to `children` by `x[dimension] <= threshold`.
    public struct Region: Sendable {
        public var low: [Double]
        public var high: [Double]
        public var tasks: [[Double]] = []
        public var returns: [Double] = []
        public var alp = 0.0
        public var split: (dimension: Int, threshold: Double, children: (Int, Int))?
    }

    /// Regions in creation order; 0 is the root.
    public private(set) var regions: [Region]
    /// Splits performed so far.
    public private(set) var splits = 0
    private let space: ParameterSpace
    private let dimensions: Int
    /// The teacher's own generator for split cuts (sampling uses the loop's generator).
    private var splitGenerator = SeededGenerator(seed: 0x41AC)

    public init(space: ParameterSpace) {
        self.space = space
        dimensions = space.parameters.filter(\.isSampled).count
        regions = [Region(low: Array(repeating: 0, count: dimensions), high: Array(repeating: 1, count: dimensions))]
    }

    /// Leaves only (the regions tasks are routed to).
    public var leaves: [Region] { regions.filter { $0.split == nil } }

    func alp(of returns: [Double]) -> Double {
        guard returns.count > minPoints else { return 0 }
        let window = min(returns.count, maxRegionSize)
        let half = window / 2
        let first = returns[(returns.count - window)..<(returns.count - half)]
        let second = returns[(returns.count - half)...]
        return abs(first.reduce(0, +) / Double(first.count) - second.reduce(0, +) / Double(second.count))
    }

    public func update(_ task: TeacherTask, outcome: TeacherOutcome) {
        let x = space.unitVector(task.params)
        var node = 0
        while true {
            regions[node].tasks.append(x)
            regions[node].returns.append(outcome.normalizedReturn)
            if regions[node].returns.count > maxRegionSize + 1 {
                regions[node].tasks.removeFirst()
                regions[node].returns.removeFirst()
            }
            regions[node].alp = alp(of: regions[node].returns)
            guard let split = regions[node].split else {
                if regions[node].returns.count > maxRegionSize { trySplit(node) }
                return
            }
            node = x[split.dimension] <= split.threshold ? split.children.0 : split.children.1
        }
    }

    private func trySplit(_ node: Int) {
        let region = regions[node]
        var best: (score: Double, dimension: Int, threshold: Double, left: [Int], right: [Int])?
        for _ in 0..<splitAttempts {
            var cut: (Int, Double, [Int], [Int])?
            for _ in 0..<100 {
                let dimension = Int(splitGenerator.nextInt(0, Int64(dimensions - 1)))
                let threshold = region.low[dimension] + splitGenerator.nextDouble() * (region.high[dimension] - region.low[dimension])
                let left = region.tasks.indices.filter { region.tasks[$0][dimension] <= threshold }
                if left.count >= minPoints && region.tasks.count - left.count >= minPoints {
                    let right = region.tasks.indices.filter { region.tasks[$0][dimension] > threshold }
                    cut = (dimension, threshold, left, right)
                    break
                }
            }
            guard let cut else { continue }
            let (dimension, threshold, left, right) = cut
            // Both children must keep 1/15 of every dimension's full range (only `dimension` shrinks).
            guard threshold - region.low[dimension] >= minWidth, region.high[dimension] - threshold >= minWidth else { continue }
            let score = abs(alp(of: left.map { region.returns[$0] }) - alp(of: right.map { region.returns[$0] }))
            if best == nil || score >= best!.score { best = (score, dimension, threshold, left, right) }
        }
        guard let best else {
            let drop = maxRegionSize / 4
            regions[node].tasks.removeFirst(drop)
            regions[node].returns.removeFirst(drop)
            regions[node].alp = alp(of: regions[node].returns)
            return
        }
        var children: [Int] = []
        for (side, members) in [best.left, best.right].enumerated() {
            var child = Region(low: region.low, high: region.high)
            if side == 0 { child.high[best.dimension] = best.threshold } else { child.low[best.dimension] = best.threshold }
            child.tasks = members.map { region.tasks[$0] }
            child.returns = members.map { region.returns[$0] }
            child.alp = alp(of: child.returns)
            children.append(regions.count)
            regions.append(child)
        }
        regions[node].split = (best.dimension, best.threshold, (children[0], children[1]))
        splits += 1
    }

    /// A region index in proportion to ALP over every node; uniform when all are 0.
    private func chooseRegion(using generator: inout SeededGenerator) -> Int {
        let total = regions.reduce(0) { $0 + $1.alp }
        guard total > 0 else { return Int(generator.nextInt(0, Int64(regions.count - 1))) }
        var u = generator.nextDouble() * total
        for (i, region) in regions.enumerated() where region.alp > 0 {
            u -= region.alp
            if u <= 0 { return i }
        }
        return regions.lastIndex { $0.alp > 0 }!
    }

    private func uniform(in region: Region, using generator: inout SeededGenerator) -> [Double] {
        (0..<dimensions).map { region.low[$0] + generator.nextDouble() * (region.high[$0] - region.low[$0]) }
    }

    public func sample(using generator: inout SeededGenerator) -> TeacherTask {
        let mode = generator.nextDouble()
        let point: [Double]
        if mode < perturbRatio {
            let region = regions[chooseRegion(using: &generator)]
            if let worst = region.returns.indices.min(by: { region.returns[$0] < region.returns[$1] }) {
                point = (0..<dimensions).map { j in
                    let v = region.tasks[worst][j] + perturbation * generator.nextGaussian()
                    return min(region.high[j] - 1e-5, max(region.low[j] + 1e-5, v))
                }
            } else {
                point = uniform(in: regions[0], using: &generator)
            }
        } else if mode < perturbRatio + randomRatio {
            point = uniform(in: regions[0], using: &generator)
        } else {
            point = uniform(in: regions[chooseRegion(using: &generator)], using: &generator)
        }
        var params = space.task(fromUnit: point)
        // Parameters the unit vector does not cover (strings) stay at their defaults.
        for p in space.parameters where params[p.name] == nil && p.isSampled { params[p.name] = p.defaultValue }
        return TeacherTask(params: params)
    }

    public var summary: String {
        let top = regions.map(\.alp).max() ?? 0
        return "regions=\(leaves.count) splits=\(splits) maxALP=\(String(format: "%.3f", top))"
    }
}

// MARK: Checkpoint

extension RIACTeacher {
    struct StoredRegion: Codable {
        var low: [Double]
        var high: [Double]
        var tasks: [[Double]]
        var returns: [Double]
        var alp: Double
        var split: StoredSplit?
    }

    struct StoredSplit: Codable {
        var dimension: Int
        var threshold: Double
        var children: [Int]
    }

    struct Snapshot: Codable {
        var kind = "riac"
        var regions: [StoredRegion]
        var splits: Int
        var splitGenerator: GeneratorState
    }

    /// The region tree (boxes, stored pairs, ALPs, cuts), the split count and the cut generator.
    public func checkpoint() throws -> Data {
        try CheckpointCoder.encode(Snapshot(
            regions: regions.map { r in
                StoredRegion(low: r.low, high: r.high, tasks: r.tasks, returns: r.returns, alp: r.alp,
                             split: r.split.map { StoredSplit(dimension: $0.dimension, threshold: $0.threshold, children: [$0.children.0, $0.children.1]) })
            },
            splits: splits, splitGenerator: GeneratorState(splitGenerator)))
    }

    /// - Throws: ``CheckpointError`` for another teacher's checkpoint or another parameter space.
    public func restore(from data: Data) throws {
        let snapshot = try CheckpointCoder.decode(Snapshot.self, from: data, kind: name)
        try CheckpointCoder.require(snapshot.kind, equals: name, "the teacher", kind: name)
        var restored: [Region] = []
        for r in snapshot.regions {
            try CheckpointCoder.require(r.low.count, equals: dimensions, "a region's dimension", kind: name)
            var region = Region(low: r.low, high: r.high, tasks: r.tasks, returns: r.returns, alp: r.alp)
            if let s = r.split {
                guard s.children.count == 2, s.children.allSatisfy({ snapshot.regions.indices.contains($0) }) else {
                    throw CheckpointError.corrupt(kind: name, reason: "a split with children \(s.children)")
                }
                region.split = (s.dimension, s.threshold, (s.children[0], s.children[1]))
            }
            restored.append(region)
        }
        guard !restored.isEmpty else { throw CheckpointError.corrupt(kind: name, reason: "no root region") }
        regions = restored
        splits = snapshot.splits
        splitGenerator = try snapshot.splitGenerator.generator(kind: name)
    }
}
