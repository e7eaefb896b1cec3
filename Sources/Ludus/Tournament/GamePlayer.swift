import LudusLua

/// Plays one tournament game and turns what happened into a record: a win, a draw,
/// a forfeit (an agent crashed, hung, garbled or played an illegal move) or an
/// environment error (excluded from ratings).
enum GamePlayer {
    static func play(index: Int, seats: [Int], agents: [any Agent], environment: LuaEnvironment,
                     params: [String: LuaValue], seed: UInt64, tournament: Int64) throws -> GameRecord {
        let spec = environment.spec
        let gameSeed = SeededGenerator.derive(seed, UInt64(index))
        var returns = [0.0, 0.0]
        var length = 0
        var hash = StableHash()
        var outcome = "draw"
        var forfeitSeat: Int? = nil
        var reason: String? = nil
        var legal: [Int] = []
        func record() -> GameRecord {
            GameRecord(tournamentID: tournament, gameIndex: index, seed: String(gameSeed),
                       seats: JSON.encode(.array(seats.map { .int(Int64($0)) })),
                       returns: JSON.encode(.array(returns.map { .number($0) })), length: length, outcome: outcome,
                       forfeitSeat: forfeitSeat, reason: reason, trajectoryHash: hash.hex)
        }
        do {
            try environment.reset(seed: gameSeed, params: params)
        } catch {
            outcome = "error"
            reason = error.description
            return record()
        }
        for (seat, agent) in seats.enumerated() {
            agents[agent].beginEpisode(seed: SeededGenerator.derive(gameSeed, UInt64(seat + 1)), player: seat + 1)
        }
        let cap = spec.maxSteps ?? EpisodeRunner.stepCapWithoutMaxSteps
        var done = false
        while !done && length < cap {
            let player: Int
            do {
                player = try environment.turn(legal: &legal)
                if player == 0 { break }
            } catch {
                outcome = "error"
                reason = error.description
                return record()
            }
            let agent = agents[seats[player - 1]]
            let action: Action
            do {
                action = try agent.act(in: environment, legalActions: legal)
                if !legal.isEmpty, case .discrete(let a) = action, !legal.contains(a) {
                    throw AgentFailure(agent: agent.name, reason: "illegal action \(a) (legal: \(legal))")
                } else if legal.isEmpty, !spec.actionSpace.contains(action) {
                    throw AgentFailure(agent: agent.name, reason: "action \(action) is outside \(spec.actionSpace)")
                }
            } catch {
                // The agent at fault loses; the other seat wins.
                forfeitSeat = player
                reason = (error as? AgentFailure)?.reason ?? "\(error)"
                returns = player == 1 ? [-1, 1] : [1, -1]
                outcome = "forfeit"
                for (seat, agent) in seats.enumerated() { agents[agent].endEpisode(return: returns[seat]) }
                return record()
            }
            do {
                let outcomeOfStep = try environment.stepOutcome(action)
                let rewards = environment.rewards
                returns[0] += rewards[0]
                returns[1] += rewards[1]
                hash.combine(action)
                done = outcomeOfStep.terminated || outcomeOfStep.truncated
            } catch {
                outcome = "error"
                reason = error.description
                return record()
            }
            length += 1
        }
        for (seat, agent) in seats.enumerated() { agents[agent].endEpisode(return: returns[seat]) }
        outcome = returns[0] == returns[1] ? "draw" : (returns[0] > returns[1] ? "\(spec.roles[0]) wins" : "\(spec.roles[1]) wins")
        return record()
    }
}
