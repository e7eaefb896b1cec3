import LudusLua

/// Why a game cannot be solved as a table.
public enum SolverError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The tree has more nodes than the solver's cap.
    case tooLarge(environment: String, nodes: Int)
    /// The game lacks a fact a solver needs (`information_state`, legal actions, clonability).
    case unsuitable(String)
    /// An information state the solved game never reached (params changed?).
    case unknownInformationState(String, environment: String)

    public var description: String {
        switch self {
        case .tooLarge(let environment, let nodes):
            return "\(environment): the game tree has more than \(nodes) nodes: too large for a tabular solver"
        case .unsuitable(let message): return message
        case .unknownInformationState(let state, let environment):
            return "\(environment): information state \(state.debugDescription) is not in the solved game tree (different params?)"
        }
    }
}

/// The whole game tree of a small game, walked once through clones of its root and kept
/// as flat arrays: what tabular CFR and best responses iterate over in pure Swift.
///
/// Decision nodes are grouped into information sets by `E.information_state(self, player)`;
/// chance nodes carry `E.chance_outcomes`' probabilities; a terminal node keeps every
/// player's return from the root (rewards summed along the path).
public struct GameTree: Sendable {
    public enum Kind: UInt8, Sendable { case terminal, chance, decision }

    public let players: Int
    public private(set) var kind: [Kind] = []
    /// Decision nodes: the player to move (1-based); else 0.
    public private(set) var player: [Int] = []
    /// Decision nodes: the information set; else -1.
    public private(set) var infoset: [Int] = []
    /// Edges of node `n`: `edgeStart[n] ..< edgeStart[n] + edgeCount[n]`.
    public private(set) var edgeStart: [Int] = []
    public private(set) var edgeCount: [Int] = []
    public private(set) var child: [Int] = []
    public private(set) var action: [Int] = []
    /// Chance edges: the outcome's probability; decision edges: 0.
    public private(set) var probability: [Double] = []
    /// Terminal node `n`: player `p`'s return at `returns[n * players + p - 1]` (0 elsewhere).
    public private(set) var returns: [Double] = []

    /// Information sets: their strings, players and legal actions (the same at every node of a set).
    public private(set) var infosetKeys: [String] = []
    public private(set) var infosetPlayer: [Int] = []
    public private(set) var infosetActions: [[Int]] = []
    public private(set) var index: [String: Int] = [:]

    public var nodeCount: Int { kind.count }
    public static let root = 0

    /// Walks the tree from `root` (left untouched: every child is a clone).
    /// - Parameter maxNodes: the cap past which the game is "too large".
    public init(root: any Environment, maxNodes: Int = 2_000_000) throws {
        let spec = root.spec
        guard spec.clonable else { throw SolverError.unsuitable("\(spec.id) declares clonable = false: a solver walks the game tree on clones") }
        guard spec.hasInformationStates else {
            throw SolverError.unsuitable("\(spec.id) has no E.information_state(self, player): a tabular solver groups states by information state")
        }
        guard spec.hasLegalActions else { throw SolverError.unsuitable("\(spec.id) has no E.legal_actions: a solver needs the moves of every state") }
        players = spec.players
        var legal: [Int] = []
        var accumulated = Array(repeating: 0.0, count: players)
        try expand(root, accumulated: &accumulated, legal: &legal, maxNodes: maxNodes, id: spec.id)
    }

    private mutating func newNode(_ k: Kind) -> Int {
        kind.append(k)
        player.append(0)
        infoset.append(-1)
        edgeStart.append(child.count)
        edgeCount.append(0)
        for _ in 0..<players { returns.append(0) }
        return kind.count - 1
    }

    private mutating func terminal(_ accumulated: [Double]) -> Int {
        let node = newNode(.terminal)
        for p in 0..<players { returns[node * players + p] = accumulated[p] }
        return node
    }

    @discardableResult
    private mutating func expand(_ state: any Environment, accumulated: inout [Double], legal: inout [Int],
                                 maxNodes: Int, id: String) throws -> Int {
        guard kind.count < maxNodes else { throw SolverError.tooLarge(environment: id, nodes: maxNodes) }
        let mover = try state.turn(legal: &legal)
        if mover == 0 { return terminal(accumulated) }
        var edges: [(action: Int, probability: Double)]
        let node: Int
        if mover == Chance.player {
            let outcomes = try state.chanceOutcomes()
            if let problem = ChanceOutcome.problem(with: outcomes) { throw SolverError.unsuitable("\(id): E.chance_outcomes \(problem)") }
            node = newNode(.chance)
            edges = outcomes.filter { $0.probability > 0 }.map { ($0.action, $0.probability) }
        } else {
            guard mover >= 1 && mover <= players, !legal.isEmpty else {
                throw SolverError.unsuitable("\(id): player \(mover) to move with legal actions \(legal)")
            }
            let key = try state.informationState(of: mover)
            node = newNode(.decision)
            player[node] = mover
            if let known = index[key] {
                guard infosetActions[known] == legal, infosetPlayer[known] == mover else {
                    throw SolverError.unsuitable("\(id): information state \(key.debugDescription) has different legal actions or players in two states")
                }
                infoset[node] = known
            } else {
                index[key] = infosetKeys.count
                infoset[node] = infosetKeys.count
                infosetKeys.append(key)
                infosetPlayer.append(mover)
                infosetActions.append(legal)
            }
            edges = legal.map { ($0, 0) }
        }
        // Edges are reserved first (children are appended after), so a node's edges are contiguous.
        edgeStart[node] = child.count
        edgeCount[node] = edges.count
        let first = child.count
        for edge in edges {
            child.append(-1)
            action.append(edge.action)
            probability.append(edge.probability)
        }
        for (k, edge) in edges.enumerated() {
            let next = try state.clone()
            let step = try next.step(.discrete(edge.action))
            var below = accumulated
            for p in 0..<players { below[p] += step.reward(of: p + 1) }
            let reached = step.isDone ? terminal(below) : try expand(next, accumulated: &below, legal: &legal, maxNodes: maxNodes, id: id)
            child[first + k] = reached
        }
        return node
    }

    /// Player `p`'s (1-based) return at terminal node `n`.
    @inline(__always)
    public func value(_ n: Int, of p: Int) -> Double { returns[n * players + p - 1] }

    /// The uniform policy: per information set, equal probability for each legal action.
    public var uniformPolicy: [[Double]] { infosetActions.map { Array(repeating: 1 / Double($0.count), count: $0.count) } }
}
