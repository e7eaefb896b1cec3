/// How an episode ended, as every loop, table and database reports it.
public enum Outcome: Hashable, Sendable, CustomStringConvertible {
    /// Single-player: the return reached `success_threshold`.
    case success
    /// Single-player: terminated below `success_threshold`.
    case failure
    /// Single-player, no `success_threshold`: the task ended by itself.
    case terminated
    /// Cut by the time limit (the environment's or the host's step cap) without success.
    case truncated
    /// Games: the player (1-based) with the strictly highest return.
    case win(player: Int)
    /// Games: more than one player shares the highest return.
    case draw
    /// An agent failed to produce a valid move (crashed, hung, garbled or illegal answer):
    /// it loses and the others win.
    case forfeit(player: Int, reason: String)

    /// The label tables, traces and databases use (`success`, `x wins`, `draw`, `forfeit`).
    public func label(roles: [String]) -> String {
        switch self {
        case .success: return "success"
        case .failure: return "failure"
        case .terminated: return "terminated"
        case .truncated: return "truncated"
        case .win(let player): return "\(roles.indices.contains(player - 1) ? roles[player - 1] : "player\(player)") wins"
        case .draw: return "draw"
        case .forfeit: return "forfeit"
        }
    }

    public var description: String {
        switch self {
        case .win(let player): return "player \(player) wins"
        case .forfeit(let player, let reason): return "player \(player) forfeits: \(reason)"
        default: return label(roles: [])
        }
    }

    /// The seat that forfeited, if any.
    public var forfeitingPlayer: Int? {
        if case .forfeit(let player, _) = self { return player }
        return nil
    }

    /// Decides the outcome from the returns, for an episode that was not forfeited.
    public static func decide(returns: [Double], terminated: Bool, spec: EnvironmentSpec) -> Outcome {
        if spec.players > 1 {
            let best = returns.max() ?? 0
            let winners = returns.indices.filter { returns[$0] == best }
            return winners.count == 1 ? .win(player: winners[0] + 1) : .draw
        }
        if let threshold = spec.successThreshold {
            return returns[0] >= threshold ? .success : (terminated ? .failure : .truncated)
        }
        return terminated ? .terminated : .truncated
    }
}
