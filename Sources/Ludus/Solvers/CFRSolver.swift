/// Tabular counterfactual regret minimisation over a ``GameTree``: OpenSpiel's
/// `CFRSolver` (alternating updates, regret matching, uniform averaging), or CFR+
/// (regrets floored at zero after each update, linear averaging) with `plus`.
/// The average policy converges to a Nash equilibrium in two-player zero-sum games.
public struct CFRSolver: Sendable {
    public let tree: GameTree
    public let plus: Bool
    public private(set) var iterations = 0
    /// Per information set and action: cumulative regret, cumulative policy, current policy.
    private var regret: [[Double]]
    private var cumulative: [[Double]]
    private var current: [[Double]]

    public init(tree: GameTree, plus: Bool = false) {
        self.tree = tree
        self.plus = plus
        regret = tree.infosetActions.map { Array(repeating: 0, count: $0.count) }
        cumulative = regret
        current = tree.uniformPolicy
    }

    /// Runs `count` more iterations (each one updates every player in turn).
    public mutating func run(_ count: Int) {
        var reach = Array(repeating: 1.0, count: tree.players + 1)  // players..., then chance
        for _ in 0..<count {
            iterations += 1
            for p in 1...tree.players {
                for i in reach.indices { reach[i] = 1 }
                _ = walk(GameTree.root, player: p, reach: &reach)
                if plus { for i in regret.indices { for a in regret[i].indices where regret[i][a] < 0 { regret[i][a] = 0 } } }
                updateCurrentPolicy()
            }
        }
    }

    /// Regret matching: positive regrets normalised, else uniform.
    private mutating func updateCurrentPolicy() {
        for i in regret.indices {
            var sum = 0.0
            for r in regret[i] where r > 0 { sum += r }
            for a in regret[i].indices {
                current[i][a] = sum > 0 ? max(regret[i][a], 0) / sum : 1 / Double(regret[i].count)
            }
        }
    }

    /// `player`'s expected return below `node` under the current policy, updating regrets
    /// and the cumulative policy at `player`'s information sets.
    private mutating func walk(_ node: Int, player: Int, reach: inout [Double]) -> Double {
        let start = tree.edgeStart[node], count = tree.edgeCount[node]
        switch tree.kind[node] {
        case .terminal:
            return tree.value(node, of: player)
        case .chance:
            var value = 0.0
            let saved = reach[tree.players]
            for e in start..<start + count {
                reach[tree.players] = saved * tree.probability[e]
                value += tree.probability[e] * walk(tree.child[e], player: player, reach: &reach)
            }
            reach[tree.players] = saved
            return value
        case .decision:
            var anyReach = false
            for p in 0..<tree.players where reach[p] != 0 { anyReach = true; break }
            if !anyReach { return 0 }
            let mover = tree.player[node], set = tree.infoset[node]
            let saved = reach[mover - 1]
            var value = 0.0
            var children = [Double](repeating: 0, count: count)
            for k in 0..<count {
                let probability = current[set][k]
                reach[mover - 1] = saved * probability
                children[k] = walk(tree.child[start + k], player: player, reach: &reach)
                value += probability * children[k]
            }
            reach[mover - 1] = saved
            guard mover == player else { return value }
            var counterfactual = 1.0
            for p in 0..<reach.count where p != mover - 1 { counterfactual *= reach[p] }
            let weight = plus ? Double(iterations) : 1
            for k in 0..<count {
                regret[set][k] += counterfactual * (children[k] - value)
                cumulative[set][k] += weight * saved * current[set][k]
            }
            return value
        }
    }

    /// The average policy: per information set, the normalised cumulative policy (uniform where never reached).
    public var averagePolicy: [[Double]] {
        cumulative.map { row in
            let sum = row.reduce(0, +)
            return sum > 0 ? row.map { $0 / sum } : Array(repeating: 1 / Double(row.count), count: row.count)
        }
    }
}
