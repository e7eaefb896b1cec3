import LudusLua

/// The Swiss system: a fixed number of rounds in which agents on similar scores meet,
/// without rematches while any pairing avoids them. Far fewer games than a round
/// robin for large populations, and the games land where ratings are uncertain.
///
/// A round's pairings are a pure function of the config and the results of the
/// earlier rounds, so `--resume` rebuilds exactly the same schedule from the database,
/// and every worker count plays the same games. Game indices are fixed slots:
/// round `r`, pairing `p`, game `g` is `(r * pairings + p) * gamesPerPair + g`.
public struct SwissSchedule: Sendable {
    public let agents: Int
    public let rounds: Int
    public let gamesPerPair: Int
    public let seed: UInt64

    public init(agents: Int, rounds: Int, gamesPerPair: Int, seed: UInt64) {
        self.agents = agents
        self.rounds = rounds
        self.gamesPerPair = gamesPerPair
        self.seed = seed
    }

    /// Pairings per round (the odd agent out sits out with a bye).
    public var pairingsPerRound: Int { agents / 2 }
    public var gamesPerRound: Int { pairingsPerRound * gamesPerPair }
    public var totalGames: Int { rounds * gamesPerRound }

    /// The game slots of one round (`--round R` plays these, or its shard of them).
    public func indices(ofRound round: Int) -> Range<Int> { round * gamesPerRound..<(round + 1) * gamesPerRound }

    /// A sensible default: enough rounds to separate a winner, ceil(log2(n)) + 1.
    public static func defaultRounds(agents: Int) -> Int {
        var rounds = 1
        while 1 << rounds < agents { rounds += 1 }
        return rounds + 1
    }

    /// One round's games as (game index, seats), given every result recorded so far.
    /// Results of rounds at or after `round` are ignored, so a half-played round is
    /// re-paired exactly as it was first paired.
    public func games(round: Int, results: [Int: PairwiseResult]) -> [(index: Int, seats: [Int])] {
        var state = State(agents: agents)
        for earlier in 0..<round {
            let pairing = pair(round: earlier, state: state)
            state.apply(pairing, round: earlier, schedule: self, results: results)
        }
        let pairing = pair(round: round, state: state)
        var games: [(index: Int, seats: [Int])] = []
        for (slot, pair) in pairing.pairs.enumerated() {
            for game in 0..<gamesPerPair {
                let index = (round * pairingsPerRound + slot) * gamesPerPair + game
                games.append((index, game % 2 == 0 ? [pair.first, pair.second] : [pair.second, pair.first]))
            }
        }
        return games
    }

    /// Points, meetings and byes after some rounds.
    struct State {
        var points: [Double]
        var meetings: [[Int]]
        var byes: [Int]
        var firstSeats: [Int]

        init(agents: Int) {
            points = Array(repeating: 0, count: agents)
            meetings = Array(repeating: Array(repeating: 0, count: agents), count: agents)
            byes = Array(repeating: 0, count: agents)
            firstSeats = Array(repeating: 0, count: agents)
        }

        mutating func apply(_ pairing: Pairing, round: Int, schedule: SwissSchedule, results: [Int: PairwiseResult]) {
            if let bye = pairing.bye {
                byes[bye] += 1
                points[bye] += Double(schedule.gamesPerPair)  // a bye scores as winning the round's games
            }
            for (slot, pair) in pairing.pairs.enumerated() {
                meetings[pair.first][pair.second] += 1
                meetings[pair.second][pair.first] += 1
                for game in 0..<schedule.gamesPerPair {
                    let index = (round * schedule.pairingsPerRound + slot) * schedule.gamesPerPair + game
                    let seats = game % 2 == 0 ? (pair.first, pair.second) : (pair.second, pair.first)
                    firstSeats[seats.0] += 1
                    guard let result = results[index] else { continue }  // environment errors score nothing
                    points[seats.0] += result.score
                    points[seats.1] += 1 - result.score
                }
            }
        }
    }

    struct Pairing {
        /// `first` takes seat 1 in the pairing's even games.
        var pairs: [(first: Int, second: Int)]
        var bye: Int?
    }

    /// Ranks by points (ties broken by a seeded draw fixed for the whole tournament),
    /// gives the bye to the lowest-ranked agent with the fewest byes, then pairs
    /// top-down with the fewest rematches possible.
    func pair(round: Int, state: State) -> Pairing {
        var generator = SeededGenerator(seed: SeededGenerator.derive(seed, 0x5_1155))
        var tiebreak = Array(0..<agents)
        tiebreak.shuffle(using: &generator)
        let rankOf = Dictionary(uniqueKeysWithValues: tiebreak.enumerated().map { ($1, $0) })
        var ranked = Array(0..<agents).sorted {
            state.points[$0] != state.points[$1] ? state.points[$0] > state.points[$1] : rankOf[$0]! < rankOf[$1]!
        }
        var bye: Int? = nil
        if ranked.count % 2 == 1 {
            let fewest = ranked.map { state.byes[$0] }.min()!
            let position = ranked.lastIndex { state.byes[$0] == fewest }!
            bye = ranked.remove(at: position)
        }
        var allowed = 0
        while true {
            var budget = 100_000  // search nodes; past that, allow one more meeting rather than search on
            if let pairs = Self.match(ranked, meetings: state.meetings, allowedMeetings: allowed, budget: &budget) {
                // The agent with fewer first seats so far opens the pairing.
                let seated = pairs.map { a, b in
                    state.firstSeats[a] <= state.firstSeats[b] ? (first: a, second: b) : (first: b, second: a)
                }
                return Pairing(pairs: seated, bye: bye)
            }
            allowed += 1
        }
    }

    /// Pairs the first unpaired agent with the best-ranked opponent it has met at most
    /// `allowedMeetings` times, backtracking when the rest cannot be paired.
    static func match(_ ranked: [Int], meetings: [[Int]], allowedMeetings: Int, budget: inout Int) -> [(Int, Int)]? {
        guard let head = ranked.first else { return [] }
        budget -= 1
        guard budget > 0 else { return nil }
        let rest = Array(ranked.dropFirst())
        for (position, opponent) in rest.enumerated() where meetings[head][opponent] <= allowedMeetings {
            var remaining = rest
            remaining.remove(at: position)
            if let tail = match(remaining, meetings: meetings, allowedMeetings: allowedMeetings, budget: &budget) {
                return [(head, opponent)] + tail
            }
        }
        return nil
    }
}
