import LudusLua

/// UCT with random rollouts, searching on clones of the environment (OpenSpiel's
/// MCTSBot with a random-rollout evaluator). Works for any number of players:
/// each node keeps the total return of the player who moved into it.
public final class MCTSAgent: Agent {
    public let name: String
    public var needsObservation: Bool { false }
    public let simulations: Int
    public let exploration: Double
    private let actionSpace: Space
    private var generator = SeededGenerator(seed: 0)
    private var legalScratch: [Int] = []

    public init(simulations: Int, exploration: Double = 2.0.squareRoot(), actionSpace: Space) {
        self.simulations = max(1, simulations)
        self.exploration = exploration
        self.actionSpace = actionSpace
        name = "mcts:\(self.simulations)"
    }

    public func beginEpisode(seed: UInt64, player: Int) { generator = SeededGenerator(seed: seed) }

    final class Node {
        var visits = 0.0
        var total = 0.0         // return of the player who chose the action leading here
        var children: [Int: Node] = [:]
        var untried: [Int]? = nil
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        guard !legalActions.isEmpty else {
            throw AgentFailure(agent: name, reason: "MCTS needs an environment with legal_actions")
        }
        // Clones of a non-clonable environment share its real state (a physics world): searching would move it.
        guard environment.spec.clonable else {
            throw AgentFailure(agent: name, reason: "MCTS searches on clones, and \(environment.spec.id) declares clonable = false")
        }
        if legalActions.count == 1 { return .discrete(legalActions[0]) }
        let players = environment.spec.players
        let root = Node()
        root.untried = legalActions
        for _ in 0..<simulations {
            let simulation = try environment.clone()
            var path: [(node: Node, player: Int)] = []
            var node = root
            var returns = Array(repeating: 0.0, count: players)
            var done = false
            // Selection and expansion.
            while !done {
                let player = try simulation.turn(legal: &legalScratch)
                if player == 0 { done = true; break }
                try Self.check(player, players: players, in: environment)
                if node.untried == nil { node.untried = legalScratch }
                let action: Int
                var expanded = false
                if var untried = node.untried, !untried.isEmpty {
                    let pick = Int(generator.nextInt(0, Int64(untried.count - 1)))
                    action = untried.remove(at: pick)
                    node.untried = untried
                    node.children[action] = Node()
                    expanded = true
                } else if node.children.isEmpty {
                    done = true
                    break
                } else {
                    action = select(node)
                }
                let step = try simulation.step(.discrete(action))
                for i in 0..<players { returns[i] += step.reward(of: i + 1) }
                let child = node.children[action]!
                path.append((child, player))
                node = child
                done = step.isDone
                if expanded { break }
            }
            // Random rollout.
            var depth = 0
            let cap = environment.spec.maxSteps ?? 10_000
            while !done && depth < cap {
                let player = try simulation.turn(legal: &legalScratch)
                guard player != 0, !legalScratch.isEmpty else { break }
                try Self.check(player, players: players, in: environment)
                let action = legalScratch[Int(generator.nextInt(0, Int64(legalScratch.count - 1)))]
                let step = try simulation.step(.discrete(action))
                for i in 0..<players { returns[i] += step.reward(of: i + 1) }
                done = step.isDone
                depth += 1
            }
            root.visits += 1
            for (visited, player) in path {
                visited.visits += 1
                visited.total += returns[player - 1]
            }
        }
        // Most visited child; ties broken by value, then by action order (deterministic).
        let best = root.children.max { a, b in
            if a.value.visits != b.value.visits { return a.value.visits < b.value.visits }
            let va = a.value.total / max(a.value.visits, 1), vb = b.value.total / max(b.value.visits, 1)
            if va != vb { return va < vb }
            return a.key > b.key
        }
        return .discrete(best?.key ?? legalActions[0])
    }

    /// A player to move outside `1...players` in a simulation is the environment's fault,
    /// reported like the driver reports it (and never an index out of range here).
    private static func check(_ player: Int, players: Int, in environment: any Environment) throws(EnvironmentError) {
        guard player >= 1 && player <= players else {
            throw .contract(ContractViolation(function: "current_player", message: "returned \(player), outside 1...\(players), during a search on a clone",
                                              location: environment.location(of: "current_player"), file: environment.spec.path))
        }
    }

    private func select(_ node: Node) -> Int {
        let logVisits = log(max(node.visits, 1))
        var bestAction = Int.max
        var bestScore = -Double.infinity
        for action in node.children.keys.sorted() {
            let child = node.children[action]!
            let score = child.visits == 0 ? Double.infinity
                : child.total / child.visits + exploration * (logVisits / child.visits).squareRoot()
            if score > bestScore {
                bestScore = score
                bestAction = action
            }
        }
        return bestAction
    }
}

#if canImport(Glibc)
import Glibc
#endif
