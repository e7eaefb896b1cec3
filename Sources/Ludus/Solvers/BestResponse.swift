/// Best responses and NashConv over a ``GameTree`` for a tabular policy (per information
/// set, a probability per legal action), as OpenSpiel's `exploitability.nash_conv`.
public struct BestResponse {
    public let tree: GameTree
    public let policy: [[Double]]

    public init(tree: GameTree, policy: [[Double]]) {
        precondition(policy.count == tree.infosetKeys.count, "one distribution per information set")
        self.tree = tree
        self.policy = policy
    }

    /// Player `p`'s expected return when every player follows the policy.
    public func value(of p: Int) -> Double {
        var memo: [Int: Double] = [:]
        return onPolicy(GameTree.root, p, &memo)
    }

    private func onPolicy(_ node: Int, _ p: Int, _ memo: inout [Int: Double]) -> Double {
        let start = tree.edgeStart[node], count = tree.edgeCount[node]
        switch tree.kind[node] {
        case .terminal: return tree.value(node, of: p)
        case .chance: return (start..<start + count).reduce(0) { $0 + tree.probability[$1] * onPolicy(tree.child[$1], p, &memo) }
        case .decision:
            let set = tree.infoset[node]
            return (0..<count).reduce(0) { $0 + policy[set][$1] * onPolicy(tree.child[start + $1], p, &memo) }
        }
    }

    /// Player `p`'s best-response value against the others' policy: at each of `p`'s
    /// information sets the action maximising the counterfactual value summed over the set's
    /// states (weighted by chance's and the other players' reach), chosen consistently.
    public func bestResponseValue(of p: Int) -> Double {
        // The others' reach of every node, and the nodes of each of p's information sets.
        var weight = [Double](repeating: 0, count: tree.nodeCount)
        var members = [[Int]](repeating: [], count: tree.infosetKeys.count)
        var stack: [(Int, Double)] = [(GameTree.root, 1)]
        while let (node, w) = stack.popLast() {
            weight[node] = w
            let start = tree.edgeStart[node], count = tree.edgeCount[node]
            switch tree.kind[node] {
            case .terminal: break
            case .chance: for e in start..<start + count { stack.append((tree.child[e], w * tree.probability[e])) }
            case .decision:
                let set = tree.infoset[node]
                if tree.player[node] == p { members[set].append(node) }
                for k in 0..<count { stack.append((tree.child[start + k], tree.player[node] == p ? w : w * policy[set][k])) }
            }
        }
        var choice = [Int](repeating: -1, count: tree.infosetKeys.count)
        var values = [Double?](repeating: nil, count: tree.nodeCount)
        func value(_ node: Int) -> Double {
            if let known = values[node] { return known }
            let start = tree.edgeStart[node], count = tree.edgeCount[node]
            var result = 0.0
            switch tree.kind[node] {
            case .terminal: result = tree.value(node, of: p)
            case .chance: for e in start..<start + count { result += tree.probability[e] * value(tree.child[e]) }
            case .decision:
                let set = tree.infoset[node]
                if tree.player[node] == p {
                    if choice[set] < 0 {
                        var best = 0, bestValue = -Double.infinity
                        for k in 0..<count {
                            var total = 0.0
                            for member in members[set] { total += weight[member] * value(tree.child[tree.edgeStart[member] + k]) }
                            if total > bestValue { bestValue = total; best = k }
                        }
                        choice[set] = best
                    }
                    result = value(tree.child[start + choice[set]])
                } else {
                    for k in 0..<count { result += policy[set][k] * value(tree.child[start + k]) }
                }
            }
            values[node] = result
            return result
        }
        return value(GameTree.root)
    }

    /// NashConv: the sum over players of what a best response gains over the policy.
    /// OpenSpiel's `exploitability` is NashConv divided by the number of players.
    public var nashConv: Double {
        (1...tree.players).reduce(0) { $0 + bestResponseValue(of: $1) - value(of: $1) }
    }
}
