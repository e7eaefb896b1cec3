import LudusLua

/// Replays given actions: one episode per script entry, for parity checks against
/// other implementations and for reproducing a reported bug.
public struct ReplayEpisode: Sendable {
    public var seed: UInt64
    public var params: [String: LuaValue]
    public var actions: [Action]

    /// Reads `{"seed": 1, "params": {...}, "actions": [2, 0, 5]}`.
    public init(json: LuaValue) throws(EnvironmentError) {
        guard case .table = json else { throw .unsupported("a replay line must be a JSON object") }
        seed = json["seed"].intValue.map { UInt64(bitPattern: Int64($0)) } ?? 0
        if case .table(let given) = json["params"] { params = given } else { params = [:] }
        guard let list = json["actions"].arrayValue else { throw .unsupported("a replay line needs an \"actions\" list") }
        actions = try list.map { value throws(EnvironmentError) -> Action in
            if let i = value.intValue { return .discrete(i) }
            if let s = value.stringValue { return .text(s) }
            if let v = value.arrayValue { return .vector(v.compactMap(\.doubleValue)) }
            throw .unsupported("cannot read action \(JSON.encode(value))")
        }
    }
}

public enum Replay {
    /// Plays each episode's actions in order (whoever's turn it is) until they run out
    /// or the episode ends, writing every step to `trace`.
    /// - Returns: the number of steps played.
    @discardableResult
    public static func run(_ episodes: [ReplayEpisode], on environment: any Environment, trace: TraceWriter) throws -> Int {
        environment.capturesDetail = true
        var total = 0
        for (index, episode) in episodes.enumerated() {
            let params = try environment.spec.parameters.resolve(episode.params, environment: environment.spec.id)
            try environment.reset(seed: episode.seed, params: params)
            try trace.writeReset(episode: index + 1, seed: episode.seed, params: params,
                                 observation: environment.lastObservation, info: environment.lastInfo)
            for (t, action) in episode.actions.enumerated() {
                let player = try environment.currentPlayer()
                if player == 0 { break }
                let step = try environment.step(action)
                total += 1
                try trace.writeStep(episode: index + 1, step: t + 1, player: player, action: action, result: step,
                                    observation: environment.lastObservation, info: environment.lastInfo)
                if step.isDone { break }
            }
        }
        try trace.flush()
        return total
    }
}
