import Foundation
import LudusLua

/// Tabular Q-learning over hashed observations (every number and text of the
/// observation), epsilon-greedy, for small discrete tasks. The TD update for a step
/// happens when the next state is seen; terminal steps do not bootstrap, truncated ones do.
public final class QLearningAgent: Student {
    public let name = "q"
    public var isLearning = true
    public var learningRate = 0.5
    public var discount = 0.99
    public var exploration = 0.1
    public private(set) var table: [UInt64: [Double]] = [:]
    private let actions: Int
    private let start: Int
    private var generator = SeededGenerator(seed: 0)
    private var previous: (state: UInt64, action: Int)?
    private var pendingReward = 0.0
    private weak var environment: (any Environment)?

    public init(actions: Int, start: Int = 0) {
        self.actions = actions
        self.start = start
    }

    public func beginEpisode(seed: UInt64, player: Int) {
        generator = SeededGenerator(seed: seed)
        previous = nil
        pendingReward = 0
    }

    func key(_ environment: any Environment) -> UInt64 {
        var hash = StableHash()
        let observation = environment.observation
        for x in observation.numbers { hash.combine(x) }
        for t in observation.texts { hash.combine(t) }
        return hash.value
    }

    private func values(_ state: UInt64) -> [Double] { table[state] ?? Array(repeating: 0, count: actions) }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        self.environment = environment
        let state = key(environment)
        let q = values(state)
        if isLearning, let previous { learn(previous, target: pendingReward + discount * (q.max() ?? 0)) }
        let allowed = legalActions.isEmpty ? Array(start..<(start + actions)) : legalActions
        let action: Int
        if isLearning && generator.nextDouble() < exploration {
            action = allowed[Int(generator.nextInt(0, Int64(allowed.count - 1)))]
        } else {
            let best = allowed.map { q[$0 - start] }.max() ?? 0
            let ties = allowed.filter { q[$0 - start] == best }
            action = ties[Int(generator.nextInt(0, Int64(ties.count - 1)))]
        }
        previous = (state, action - start)
        pendingReward = 0
        return .discrete(action)
    }

    public func observe(_ step: Step, player: Int) {
        pendingReward += step.reward(of: player)
        guard isLearning, step.isDone, let previous else { return }
        var target = pendingReward
        if !step.terminated, let environment { target += discount * (values(key(environment)).max() ?? 0) }
        learn(previous, target: target)
        self.previous = nil
    }

    private func learn(_ at: (state: UInt64, action: Int), target: Double) {
        var q = values(at.state)
        q[at.action] += learningRate * (target - q[at.action])
        table[at.state] = q
    }

    public var needsObservation: Bool { true }

    public func save(to path: String) throws {
        let rows = table.keys.sorted().map { "\($0):" + table[$0]!.map { "\($0)" }.joined(separator: ",") }
        let text = "ludus-q 1 \(actions) \(start)\n" + rows.joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Reads a table written by ``save(to:)``. A line that is not `STATE:V1,...,VN` (a state id
    /// from 0 to 2^64-1, one finite value per action) is refused, naming the file and the line.
    public func load(from path: String) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.first, header == "ludus-q 1 \(actions) \(start)" else {
            throw SetupError.badFile("\(path) is not a q-table for \(actions) actions from \(start) (header 'ludus-q 1 \(actions) \(start)')")
        }
        var loaded: [UInt64: [Double]] = [:]
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let where_ = "\(path): line \(offset + 1)"
            let parts = line.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw SetupError.badFile("\(where_): expected STATE:VALUES, got '\(line.prefix(60))'") }
            guard let state = UInt64(parts[0]) else {
                throw SetupError.badFile("\(where_): state id '\(parts[0].prefix(40))' is not an integer from 0 to \(UInt64.max)")
            }
            let texts = parts[1].split(separator: ",", omittingEmptySubsequences: false)
            guard texts.count == actions else {
                throw SetupError.badFile("\(where_): state \(state) has \(texts.count) values, expected \(actions) (one per action)")
            }
            var q: [Double] = []
            q.reserveCapacity(actions)
            for (index, text) in texts.enumerated() {
                guard let value = Double(text), value.isFinite else {
                    throw SetupError.badFile("\(where_): state \(state), action \(start + index): value '\(text.prefix(40))' is not a finite number")
                }
                q.append(value)
            }
            guard loaded.updateValue(q, forKey: state) == nil else {
                throw SetupError.badFile("\(where_): state \(state) appears twice")
            }
        }
        table = loaded
    }
}

// MARK: Checkpoint

extension QLearningAgent {
    struct Snapshot: Codable {
        var kind = "q"
        var actions: Int
        var start: Int
        var learningRate: Double
        var discount: Double
        var exploration: Double
        /// States in ascending order, their action values flattened in the same order.
        var states: [UInt64]
        var values: PackedDoubles
    }

    /// The Q-table and the learning settings. The generator and the pending transition
    /// are per episode (reset by `beginEpisode`).
    public func checkpoint() throws -> Data {
        let states = table.keys.sorted()
        return try CheckpointCoder.encode(Snapshot(actions: actions, start: start, learningRate: learningRate, discount: discount,
                                                   exploration: exploration, states: states,
                                                   values: PackedDoubles(states.flatMap { table[$0]! })))
    }

    /// - Throws: ``CheckpointError`` for another student's checkpoint or another action space.
    public func restore(from data: Data) throws {
        let snapshot = try CheckpointCoder.decode(Snapshot.self, from: data, kind: "q")
        try CheckpointCoder.require(snapshot.kind, equals: "q", "the student", kind: "q")
        try CheckpointCoder.require(snapshot.actions, equals: actions, "the number of actions", kind: "q")
        try CheckpointCoder.require(snapshot.start, equals: start, "the first action", kind: "q")
        try CheckpointCoder.require(snapshot.values.count, equals: snapshot.states.count * actions, "the table size", kind: "q")
        let values = snapshot.values.values
        var restored: [UInt64: [Double]] = [:]
        restored.reserveCapacity(snapshot.states.count)
        for (i, state) in snapshot.states.enumerated() { restored[state] = Array(values[(i * actions)..<((i + 1) * actions)]) }
        table = restored
        learningRate = snapshot.learningRate
        discount = snapshot.discount
        exploration = snapshot.exploration
    }
}
