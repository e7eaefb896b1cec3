import Foundation
import LudusLua

/// An agent whose play is a table: a probability per legal action at each information
/// state. `ludus exploitability` measures such agents exactly, over the whole game tree.
public protocol TabularPolicy: Agent {
    /// The action probabilities at `informationState`, one per action of `legal` (sorted),
    /// for the game whose tree is `tree`.
    func distribution(at informationState: String, legal: [Int], in tree: GameTree) throws -> [Double]
}

extension RandomAgent: TabularPolicy {
    public func distribution(at informationState: String, legal: [Int], in tree: GameTree) throws -> [Double] {
        Array(repeating: 1 / Double(legal.count), count: legal.count)
    }
}

/// Tabular CFR (`cfr:ITERATIONS`, OpenSpiel's CFRSolver) or CFR+ (`cfr+:ITERATIONS`): at the
/// first episode it walks the game tree from the root it is shown (through its seat's view:
/// the root is before any private card is dealt), runs the iterations, and then plays the
/// average policy, sampling its action at its own information state.
///
/// Solutions are shared by every agent of the process with the same game and settings
/// (workers of a tournament solve once).
public final class CFRAgent: TabularPolicy {
    public let name: String
    public let iterations: Int
    public let plus: Bool
    public var needsObservation: Bool { false }
    private var generator = SeededGenerator(seed: 0)
    private var seat = 1
    private var solution: Solution?
    private var setupFailure: String?

    /// A solved game: the tree and the average policy at each information set.
    public struct Solution: Sendable {
        public let tree: GameTree
        public let policy: [[Double]]
    }

    public init(iterations: Int, plus: Bool = false) {
        self.iterations = max(1, iterations)
        self.plus = plus
        name = (plus ? "cfr+:" : "cfr:") + String(self.iterations)
    }

    public func beginEpisode(seed: UInt64, player: Int) {
        generator = SeededGenerator(seed: seed)
        seat = player
    }

    public func beginEpisode(in environment: any Environment, seed: UInt64, player: Int) {
        beginEpisode(seed: seed, player: player)
        guard solution == nil, setupFailure == nil else { return }
        do { solution = try Self.solve(environment, iterations: iterations, plus: plus) } catch { setupFailure = "\(error)" }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var solved: [String: Solution] = [:]

    /// Solves the game from `root` (cached per script, player count, root and settings).
    public static func solve(_ root: any Environment, iterations: Int, plus: Bool) throws -> Solution {
        let key = "\(root.spec.path)|\(root.spec.id)|\(root.spec.players)|\(iterations)|\(plus)"
        lock.lock()
        defer { lock.unlock() }
        if let known = solved[key] { return known }
        let tree = try GameTree(root: try root.clone())
        var solver = CFRSolver(tree: tree, plus: plus)
        solver.run(iterations)
        let solution = Solution(tree: tree, policy: solver.averagePolicy)
        solved[key] = solution
        return solution
    }

    /// The solved game (after the first episode began), for reports.
    public var solvedGame: Solution? { solution }

    public func distribution(at informationState: String, legal: [Int], in tree: GameTree) throws -> [Double] {
        guard let solution else { throw AgentFailure(agent: name, reason: setupFailure ?? "the game was not solved") }
        guard let set = solution.tree.index[informationState] else {
            throw AgentFailure(agent: name, reason: SolverError.unknownInformationState(informationState, environment: "the solved game").description)
        }
        guard solution.tree.infosetActions[set] == legal else {
            throw AgentFailure(agent: name, reason: "legal actions \(legal) at \(informationState.debugDescription) differ from the solved game's \(solution.tree.infosetActions[set])")
        }
        return solution.policy[set]
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        if let setupFailure { throw AgentFailure(agent: name, reason: setupFailure) }
        guard let solution else { throw AgentFailure(agent: name, reason: "the game was not solved") }
        let state = try environment.informationState(of: seat)
        let probabilities = try distribution(at: state, legal: legalActions, in: solution.tree)
        let u = generator.nextDouble()
        var acc = 0.0
        for (k, p) in probabilities.enumerated() {
            acc += p
            if u < acc { return .discrete(legalActions[k]) }
        }
        return .discrete(legalActions[probabilities.lastIndex { $0 > 0 } ?? legalActions.count - 1])
    }
}
