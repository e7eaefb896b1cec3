import LudusLua

/// One agent's line in the ratings table.
public struct Standing: Hashable, Sendable {
    /// The agent's label (``AgentLabels``: a spec entered twice is `random`, then `random (2)`).
    public var agent: String
    public var rating: BradleyTerry.Rating
    public var elo: Double
    /// OpenSkill (Weng-Lin Plackett-Luce) belief, games applied in index order.
    public var skill: OpenSkill.Rating
    /// Plackett-Luce maximum-likelihood rating over whole finishing orders, with a bootstrap
    /// 95% interval (equal to ``rating`` when every game has two seats).
    public var plackettLuce = BradleyTerry.Rating(rating: 1000, low: 1000, high: 1000)
    /// Whether games had more than two seats (``plackettLuce`` is then its own fit).
    public var multiSeat = false
    /// Mean return against the meta-game's Nash mixture of agents (``NashAveraging``), with a
    /// bootstrap 95% interval, for two-seat tournaments where every pair of agents met; else nil.
    public var nashAveraged: MeanInterval?
    /// This agent's weight in that Nash mixture.
    public var nashWeight: Double?
    public var games: Int
    public var wins: Int
    public var draws: Int
    public var losses: Int
    public var forfeits: Int
    /// Mean return per game (chips in poker) with a 95% interval.
    public var meanReturn = MeanInterval(mean: 0, low: 0, high: 0, games: 0, note: nil)
    /// Why the rating interval is open (an agent that won or lost every rated game), or nil.
    public var ratingNote: String?
}

/// A mean with a 95% interval, honest when the sample cannot give one: with no spread
/// (every game the same return) the interval is a Hoeffding bound over the tournament's
/// observed return range, or infinite when every game of the tournament returned the same.
public struct MeanInterval: Hashable, Sendable {
    public var mean: Double
    public var low: Double
    public var high: Double
    public var games: Int
    /// Why the interval is not the normal one, or nil.
    public var note: String?

    /// The normal 95% interval (1.96 standard errors) when the returns vary; else the bound described above.
    public static func of(_ values: [Double], range: ClosedRange<Double>?) -> MeanInterval {
        let n = values.count
        guard n > 0 else { return MeanInterval(mean: 0, low: -.infinity, high: .infinity, games: 0, note: "no games") }
        let mean = values.reduce(0, +) / Double(n)
        let variance = n > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1) : 0
        if variance > 0 {
            let half = 1.96 * (variance / Double(n)).squareRoot()
            return MeanInterval(mean: mean, low: mean - half, high: mean + half, games: n, note: nil)
        }
        let same = n == 1 ? "1 game" : "all \(n) games returned \(mean)"
        guard let range, range.upperBound > range.lowerBound else {
            return MeanInterval(mean: mean, low: -.infinity, high: .infinity, games: n,
                                note: "\(same) and no return ever differed: no spread to bound the mean with")
        }
        let half = (range.upperBound - range.lowerBound) * (log(2 / 0.05) / (2 * Double(n))).squareRoot()
        return MeanInterval(mean: mean, low: max(range.lowerBound, mean - half), high: min(range.upperBound, mean + half), games: n,
                            note: "\(same): no spread, so the interval is Hoeffding's 95% bound over the observed returns [\(range.lowerBound), \(range.upperBound)]")
    }
}

/// Mean return of agent `row` in the games it played with agent `column` at the table.
public struct PayoffMatrix: Hashable, Sendable {
    /// The agents' labels (``AgentLabels``), in the tournament's order.
    public var agents: [String]
    public var mean: [[Double?]]
    public var games: [[Int]]
}

/// One rated game: who sat where, what each seat got.
struct RatedGame {
    var index: Int
    var seats: [Int]
    var returns: [Double]
    var forfeitSeat: Int?

    /// Ranks by return (0 is best; ties share a rank).
    var ranks: [Int] { returns.map { r in returns.filter { $0 > r }.count } }
}

public enum Standings {
    /// Ratings from a tournament's recorded games, in game-index order (so Elo, which
    /// depends on order, is the same however many workers played).
    /// Environment errors are left out; a forfeit is a loss for the agent at fault.
    ///
    /// Games of N seats count as their N(N-1)/2 pairwise comparisons for Bradley-Terry and
    /// Elo (rank breaking of a Plackett-Luce ranking) and as one ranking for OpenSkill; a win
    /// is the best return alone, a draw the best return shared.
    public static func compute(store: ResultStore, tournament: ResultStore.Tournament,
                               bootstrapRounds: Int = 1000, seed: UInt64 = 0) throws -> [Standing] {
        let games = rated(try store.games(tournament.id), players: tournament.agents.count)
        let players = tournament.agents.count
        var standings = AgentLabels.unique(tournament.agents).map {
            Standing(agent: $0, rating: .init(rating: 1000, low: 1000, high: 1000), elo: 1000, skill: OpenSkill().initial, games: 0, wins: 0, draws: 0, losses: 0, forfeits: 0)
        }
        var results: [PairwiseResult] = []
        var rankings: [RankedResult] = []
        var returns = Array(repeating: [Double](), count: players)
        let openSkill = OpenSkill()
        var skills = Array(repeating: openSkill.initial, count: players)
        let twoSeats = games.allSatisfy { $0.seats.count == 2 }
        for game in games {
            let ranks = game.ranks
            rankings.append(RankedResult(agents: game.seats, places: ranks))
            let best = ranks.filter { $0 == 0 }.count
            for (seat, agent) in game.seats.enumerated() {
                standings[agent].games += 1
                if ranks[seat] == 0 && best == 1 { standings[agent].wins += 1 } else if ranks[seat] == 0 { standings[agent].draws += 1 } else { standings[agent].losses += 1 }
                if game.forfeitSeat == seat + 1 { standings[agent].forfeits += 1 }
                returns[agent].append(game.returns[seat])
            }
            for i in game.seats.indices {
                for j in game.seats.indices where j > i {
                    let score = game.returns[i] > game.returns[j] ? 1.0 : (game.returns[i] < game.returns[j] ? 0.0 : 0.5)
                    results.append(PairwiseResult(first: game.seats[i], second: game.seats[j], score: score))
                }
            }
            if !twoSeats {
                let updated = openSkill.rate(game.seats.map { [skills[$0]] }, ranks: ranks)
                for (seat, agent) in game.seats.enumerated() { skills[agent] = updated[seat][0] }
            }
        }
        if twoSeats { skills = openSkill.ratings(players: players, games: results) }
        let ratings = BradleyTerry().fitWithIntervals(players: players, games: results, rounds: bootstrapRounds, seed: seed)
        let orders = twoSeats ? ratings : PlackettLuce().fitWithIntervals(players: players, games: rankings, rounds: bootstrapRounds, seed: seed)
        let elo = Elo().ratings(players: players, games: results)
        let all = returns.flatMap { $0 }
        let range = all.isEmpty ? nil : all.min()!...all.max()!
        for i in 0..<players {
            standings[i].rating = ratings[i]
            standings[i].plackettLuce = orders[i]
            standings[i].multiSeat = !twoSeats
            standings[i].elo = elo[i]
            standings[i].skill = skills[i]
            standings[i].meanReturn = MeanInterval.of(returns[i], range: range)
            let s = standings[i]
            if s.games > 0 && s.wins == s.games {
                standings[i].rating.high = .infinity
                standings[i].ratingNote = "won all \(s.games) rated games: the likelihood has no maximum, so the upper bound is open (the rating shown is the prior-regularised fit)"
            } else if s.games > 0 && s.losses == s.games {
                standings[i].rating.low = -.infinity
                standings[i].ratingNote = "lost all \(s.games) rated games: the likelihood has no maximum, so the lower bound is open (the rating shown is the prior-regularised fit)"
            }
        }
        if !twoSeats { openUnboundedPlackettLuce(&standings, rankings) }
        if twoSeats, let nash = nashAveraged(games, players: players, rounds: max(1, bootstrapRounds / 5), seed: seed) {
            for i in 0..<players {
                standings[i].nashAveraged = nash.values[i]
                standings[i].nashWeight = nash.mixture[i]
            }
        }
        return standings.sorted { $0.rating.rating > $1.rating.rating }
    }

    /// A Plackett-Luce rating has no finite maximum-likelihood bound above for an agent no one
    /// ever finished ahead of, nor below for one that never finished ahead of anyone: open those.
    private static func openUnboundedPlackettLuce(_ standings: inout [Standing], _ rankings: [RankedResult]) {
        var behind = Array(repeating: false, count: standings.count)   // someone finished ahead of it
        var ahead = Array(repeating: false, count: standings.count)    // it finished ahead of someone
        for game in rankings {
            for (seat, agent) in game.agents.enumerated() {
                if game.places.contains(where: { $0 < game.places[seat] }) { behind[agent] = true }
                if game.places.contains(where: { $0 > game.places[seat] }) { ahead[agent] = true }
            }
        }
        for i in standings.indices where standings[i].games > 0 {
            if !behind[i] { standings[i].plackettLuce.high = .infinity }
            if !ahead[i] { standings[i].plackettLuce.low = -.infinity }
        }
    }

    /// Nash averaging over the head-to-head mean returns of two-seat games, with intervals from
    /// resampling each pair's games (seeded), or nil when some pair of agents never met.
    static func nashAveraged(_ games: [RatedGame], players: Int, rounds: Int, seed: UInt64) -> (values: [MeanInterval], mixture: [Double])? {
        guard players >= 2 else { return nil }
        // Per unordered pair (a < b): the returns of a and of b in each of their games.
        var meetings = Array(repeating: [(Double, Double)](), count: players * players)
        for game in games where game.seats.count == 2 && game.seats[0] != game.seats[1] {
            let (a, b) = (game.seats[0], game.seats[1])
            if a < b { meetings[a * players + b].append((game.returns[0], game.returns[1])) }
            else { meetings[b * players + a].append((game.returns[1], game.returns[0])) }
        }
        for a in 0..<players { for b in (a + 1)..<players where meetings[a * players + b].isEmpty { return nil } }
        func matrix(_ pick: (_ pair: [(Double, Double)]) -> [(Double, Double)]) -> [[Double]] {
            var m = Array(repeating: Array(repeating: 0.0, count: players), count: players)
            for a in 0..<players {
                for b in (a + 1)..<players {
                    let sample = pick(meetings[a * players + b])
                    m[a][b] = sample.reduce(0) { $0 + $1.0 } / Double(sample.count)
                    m[b][a] = sample.reduce(0) { $0 + $1.1 } / Double(sample.count)
                }
            }
            return m
        }
        let solver = NashAveraging()
        let point = solver.solve(matrix { $0 })
        var generator = SeededGenerator(seed: seed ^ 0x4E41_5348)
        var samples = Array(repeating: [Double](), count: players)
        for _ in 0..<rounds {
            let values = solver.solve(matrix { pair in
                (0..<pair.count).map { _ in pair[Int(generator.nextInt(0, Int64(pair.count - 1)))] }
            }).values
            for i in 0..<players { samples[i].append(values[i]) }
        }
        let values = (0..<players).map { i -> MeanInterval in
            let sorted = samples[i].sorted()
            let count = meetings.enumerated().filter { $0.offset / players == i || $0.offset % players == i }.reduce(0) { $0 + $1.element.count }
            return MeanInterval(mean: point.values[i], low: RatingBootstrap.quantile(sorted, 0.025),
                                high: RatingBootstrap.quantile(sorted, 0.975), games: count, note: nil)
        }
        return (values, point.mixture)
    }

    /// Agent-vs-agent mean returns over the rated games.
    public static func payoffs(store: ResultStore, tournament: ResultStore.Tournament) throws -> PayoffMatrix {
        let players = tournament.agents.count
        var sum = Array(repeating: Array(repeating: 0.0, count: players), count: players)
        var count = Array(repeating: Array(repeating: 0, count: players), count: players)
        for game in rated(try store.games(tournament.id), players: players) {
            for (i, a) in game.seats.enumerated() {
                for (j, b) in game.seats.enumerated() where i != j {
                    sum[a][b] += game.returns[i]
                    count[a][b] += 1
                }
            }
        }
        let mean = (0..<players).map { a in (0..<players).map { b in count[a][b] > 0 ? sum[a][b] / Double(count[a][b]) : nil } }
        return PayoffMatrix(agents: AgentLabels.unique(tournament.agents), mean: mean, games: count)
    }

    /// The games that count: not environment errors, seats and returns well formed.
    static func rated(_ records: [GameRecord], players: Int) -> [RatedGame] {
        records.compactMap { record in
            guard record.outcome != "error",
                  let seats = (try? JSON.decode(record.seats))?.arrayValue?.compactMap(\.intValue),
                  let returns = (try? JSON.decode(record.returns))?.arrayValue?.compactMap(\.doubleValue),
                  seats.count >= 2, returns.count == seats.count, seats.allSatisfy({ (0..<players).contains($0) })
            else { return nil }
            return RatedGame(index: record.gameIndex, seats: seats, returns: returns, forfeitSeat: record.forfeitSeat)
        }
    }

    /// Each rated two-seat game's result by game index, from seat 1's side (Swiss pairing).
    /// Environment errors and malformed rows are left out; a forfeit is a loss for the agent at fault.
    public static func pairwiseResults(_ records: [GameRecord], players: Int) -> [Int: PairwiseResult] {
        var results: [Int: PairwiseResult] = [:]
        for game in rated(records, players: players) where game.seats.count == 2 {
            let score = game.returns[0] > game.returns[1] ? 1.0 : (game.returns[0] < game.returns[1] ? 0.0 : 0.5)
            results[game.index] = PairwiseResult(first: game.seats[0], second: game.seats[1], score: score)
        }
        return results
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
