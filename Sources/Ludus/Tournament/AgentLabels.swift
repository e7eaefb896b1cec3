/// Agent names as tables, charts and payoff matrices show them. A spec given more than once
/// in a tournament's `--agents` (`random,mcts:20,random`: two entrants with the same
/// policy) is told apart by its occurrence, `random` then `random (2)`, so no two rows of a
/// ratings table or a payoff matrix share a name. The stored specs are unchanged.
public enum AgentLabels {
    /// The label of each agent, in the same order; never throws.
    public static func unique(_ agents: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return agents.map { agent in
            seen[agent, default: 0] += 1
            let occurrence = seen[agent]!
            return occurrence > 1 ? "\(agent) (\(occurrence))" : agent
        }
    }
}
