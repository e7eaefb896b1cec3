import LudusLua

/// One agent's line in the ratings table.
public struct Standing: Hashable, Sendable {
    public var agent: String
    public var rating: BradleyTerry.Rating
    public var elo: Double
    /// OpenSkill (Weng-Lin Plackett-Luce) belief, games applied in index order.
    public var skill: OpenSkill.Rating
    public var games: Int
    public var wins: Int
    public var draws: Int
    public var losses: Int
    public var forfeits: Int
}

public enum Standings {
    /// Ratings from a tournament's recorded games, in game-index order (so Elo, which
    /// depends on order, is the same however many workers played).
    /// Environment errors are left out; a forfeit is a loss for the agent at fault.
    public static func compute(store: ResultStore, tournament: ResultStore.Tournament,
                               bootstrapRounds: Int = 1000, seed: UInt64 = 0) throws -> [Standing] {
        let records = try store.games(tournament.id)
        let players = tournament.agents.count
        var results: [PairwiseResult] = []
        var standings = tournament.agents.map {
            Standing(agent: $0, rating: .init(rating: 1000, low: 1000, high: 1000), elo: 1000, skill: OpenSkill().initial, games: 0, wins: 0, draws: 0, losses: 0, forfeits: 0)
        }
        let byIndex = pairwiseResults(records, players: players)
        for record in records {
            guard let result = byIndex[record.gameIndex] else { continue }
            results.append(result)
            for (seat, agent) in [result.first, result.second].enumerated() {
                standings[agent].games += 1
                let mine = seat == 0 ? result.score : 1 - result.score
                if mine == 1 { standings[agent].wins += 1 } else if mine == 0 { standings[agent].losses += 1 } else { standings[agent].draws += 1 }
                if record.forfeitSeat == seat + 1 { standings[agent].forfeits += 1 }
            }
        }
        let ratings = BradleyTerry().fitWithIntervals(players: players, games: results, rounds: bootstrapRounds, seed: seed)
        let elo = Elo().ratings(players: players, games: results)
        let skills = OpenSkill().ratings(players: players, games: results)
        for i in 0..<players {
            standings[i].rating = ratings[i]
            standings[i].elo = elo[i]
            standings[i].skill = skills[i]
        }
        return standings.sorted { $0.rating.rating > $1.rating.rating }
    }

    /// Each rated game's result by game index, from seat 1's side. Environment errors
    /// and malformed rows are left out; a forfeit is a loss for the agent at fault.
    public static func pairwiseResults(_ records: [GameRecord], players: Int) -> [Int: PairwiseResult] {
        var results: [Int: PairwiseResult] = [:]
        for record in records where record.outcome != "error" {
            guard let seats = (try? JSON.decode(record.seats))?.arrayValue?.compactMap(\.intValue),
                let returns = (try? JSON.decode(record.returns))?.arrayValue?.compactMap(\.doubleValue),
                seats.count == 2, returns.count == 2, seats.allSatisfy({ (0..<players).contains($0) })
            else { continue }
            let score = returns[0] > returns[1] ? 1.0 : (returns[0] < returns[1] ? 0.0 : 0.5)
            results[record.gameIndex] = PairwiseResult(first: seats[0], second: seats[1], score: score)
        }
        return results
    }
}
