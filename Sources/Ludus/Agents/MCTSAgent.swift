import LudusLua

/// UCT with random rollouts, searching on clones of the environment (OpenSpiel's
/// MCTSBot with a random-rollout evaluator). Works for any number of players:
/// each node keeps the total return of the player who moved into it.
///
/// Search is fair: every simulation's clone gets a fresh `self.rng` (implicit randomness is
/// not foreseen), explicit chance nodes are sampled from `E.chance_outcomes`, and in a game
/// with private observations the clone is a determinization (the ``SeatView`` re-deals what
/// the seat cannot see with `E.resample`): information-set MCTS over determinizations, a
/// child expanded or selected only where its action is legal in the current determinization.
/// On perfect-information deterministic games it is plain UCT.
public final class MCTSAgent: Agent {
    public let name: String
    public var needsObservation: Bool { false }
    public let simulations: Int
    public let exploration: Double
    private let actionSpace: Space
    private var generator = SeededGenerator(seed: 0)
    private var searchSeeds = SeededGenerator(seed: 0)
    private var legalScratch: [Int] = []

    public init(simulations: Int, exploration: Double = 2.0.squareRoot(), actionSpace: Space) {
        self.simulations = max(1, simulations)
        self.exploration = exploration
        self.actionSpace = actionSpace
        name = "mcts:\(self.simulations)"
    }

    public func beginEpisode(seed: UInt64, player: Int) {
        generator = SeededGenerator(seed: seed)
        searchSeeds = SeededGenerator(seed: SeedStreams(root: seed).seed(.search, 0))
    }

    /// Why MCTS cannot search `spec` fairly, or nil.
    public static func unsuitability(_ spec: EnvironmentSpec) -> String? {
        if !spec.clonable { return "MCTS searches on clones, and \(spec.id) declares clonable = false (its state lives outside Lua)" }
        if spec.hasPrivateObservations && !spec.canResample {
            return "\(spec.id) has private observations (E.observe) but no E.resample: MCTS would have to read the other seats' hidden state"
        }
        return nil
    }

    final class Node {
        var visits = 0.0
        var total = 0.0         // return of the player who chose the action leading here
        var children: [Int: Node] = [:]
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        guard !legalActions.isEmpty else {
            throw AgentFailure(agent: name, reason: "MCTS needs an environment with legal_actions")
        }
        // Clones of a non-clonable environment share its real state (a physics world): searching would move it.
        if let problem = Self.unsuitability(environment.spec) { throw AgentFailure(agent: name, reason: problem) }
        let hasChance = environment.spec.hasExplicitChance
        if legalActions.count == 1 { return .discrete(legalActions[0]) }
        let players = environment.spec.players
        let root = Node()
        for _ in 0..<simulations {
            let simulation = try environment.clone()  // through a SeatView: a determinization
            try simulation.reseed(searchSeeds.next() & SeedStreams.mask)
            var path: [(node: Node, player: Int)] = []
            var node = root
            var returns = Array(repeating: 0.0, count: players)
            var done = false
            // Selection and expansion.
            while !done {
                let player = try simulation.turn(legal: &legalScratch)
                if player == 0 { done = true; break }
                if player == Chance.player && hasChance {
                    // A chance node: follow a sampled outcome (no statistics of its own).
                    let outcome = try Self.sampleChance(simulation, using: &generator)
                    let step = try simulation.step(.discrete(outcome))
                    for i in 0..<players { returns[i] += step.reward(of: i + 1) }
                    if node.children[outcome] == nil { node.children[outcome] = Node() }
                    node = node.children[outcome]!
                    path.append((node, Chance.player))
                    done = step.isDone
                    continue
                }
                try Self.check(player, players: players, in: environment)
                // Untried: the actions legal in this determinization without a child yet (in
                // the ascending order of the legal list, as plain UCT keeps them).
                let untried = legalScratch.filter { node.children[$0] == nil }
                let action: Int
                var expanded = false
                if !untried.isEmpty {
                    action = untried[Int(generator.nextInt(0, Int64(untried.count - 1)))]
                    node.children[action] = Node()
                    expanded = true
                } else if legalScratch.isEmpty {
                    done = true
                    break
                } else {
                    action = select(node, legal: legalScratch)
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
                if player == Chance.player && hasChance {
                    let step = try simulation.step(.discrete(try Self.sampleChance(simulation, using: &generator)))
                    for i in 0..<players { returns[i] += step.reward(of: i + 1) }
                    done = step.isDone
                    depth += 1
                    continue
                }
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
                if player >= 1 { visited.total += returns[player - 1] }
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

    /// An outcome of the clone's chance node, sampled with the search's own generator.
    private static func sampleChance(_ simulation: any Environment, using generator: inout SeededGenerator) throws -> Int {
        let outcomes = try simulation.chanceOutcomes()
        if let problem = ChanceOutcome.problem(with: outcomes) {
            throw EnvironmentError.contract(ContractViolation(function: "chance_outcomes", message: problem + " (during a search on a clone)",
                                                              location: simulation.location(of: "chance_outcomes"), file: simulation.spec.path))
        }
        return ChanceOutcome.sample(outcomes, using: &generator).action
    }

    /// UCB1 over the children whose action is legal here (`legal` is sorted).
    private func select(_ node: Node, legal: [Int]) -> Int {
        let logVisits = log(max(node.visits, 1))
        var bestAction = Int.max
        var bestScore = -Double.infinity
        for action in legal {
            guard let child = node.children[action] else { continue }
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
