import Foundation
import GRDB

/// Why a Swiss round cannot be played on its own (`ludus tournament --round R --from DB`).
public enum RoundError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `--round` on a round-robin tournament (whose games are all known ahead: use `--shard`).
    case notSwiss
    /// A round the tournament does not have.
    case outOfRange(round: Int, rounds: Int)
    /// A round after the first without the database of the rounds before it.
    case missingFrom(round: Int)
    /// `--from` with round 0, which is paired from no results.
    case fromForFirstRound
    /// `--from` and `--db` are one file: the earlier rounds are read, the round is written apart.
    case sameDatabase(String)
    /// `--from` holds no tournament.
    case noTournament(path: String)
    /// `--from` holds tournaments, none with this configuration.
    case differentConfiguration(path: String, found: [String])
    /// An earlier round is not wholly in `--from` (a shard not merged, or unfinished).
    case incomplete(path: String, round: Int, before: Int, missing: Int, of: Int, ranges: [Range<Int>])

    public var description: String {
        switch self {
        case .notSwiss:
            return "--round is for Swiss tournaments (--schedule swiss): a round-robin schedule is known ahead, split it with --shard K/N"
        case .outOfRange(let round, let rounds):
            return "round \(round) does not exist: this tournament has \(rounds) round(s), numbered from 0 to \(rounds - 1)"
        case .missingFrom(let round):
            return "round \(round) is paired from the results of \(round == 1 ? "round 0" : "rounds 0 to \(round - 1)"): give --from, the database of their games (`ludus merge --partial` of their shards)"
        case .fromForFirstRound:
            return "round 0 is paired from no results: leave out --from"
        case .sameDatabase(let path):
            return "--from and --db are both \(path): the round is played into its own --db (--from is only read)"
        case .noTournament(let path):
            return "--from \(path) holds no tournament"
        case .differentConfiguration(let path, let found):
            return "--from \(path) holds no round of this tournament (configurations differ): it has \(found.joined(separator: "; "))"
        case .incomplete(let path, let round, let before, let missing, let total, let ranges):
            let shown = ranges.prefix(6).map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)..<\($0.upperBound)" }.joined(separator: ", ")
            return "round \(before) cannot be paired yet: round \(round) is incomplete in --from \(path) (\(missing) of \(total) games missing: games \(shown)\(ranges.count > 6 ? ", ..." : "")); finish its shards and merge them into --from first"
        }
    }
}

/// One round of a Swiss tournament played apart from the others (`--round R`): a barrier per
/// round. Round `R` is paired from the results of rounds `0..<R`, read from the database that
/// holds them all (the merge of their shards), exactly as the serial run pairs it from its own
/// database; its games (or a shard of them) then carry the serial run's indices and seeds.
public struct SwissRound: Sendable {
    public let round: Int
    /// Every game of the rounds before `round`.
    public let earlier: [GameRecord]

    /// Checks the round against the config and reads the earlier rounds from `from`.
    /// - Parameters:
    ///   - from: the database of rounds `0..<round` (nil for round 0).
    ///   - output: the database the round is played into (must not be `from`).
    /// - Throws: ``RoundError`` naming the problem; ``ResultStoreError`` for an unreadable `from`.
    public init(round: Int, config: TournamentConfig, from: String?, output: String? = nil) throws {
        guard config.format == .swiss else { throw RoundError.notSwiss }
        let swiss = config.swiss
        guard (0..<swiss.rounds).contains(round) else { throw RoundError.outOfRange(round: round, rounds: swiss.rounds) }
        self.round = round
        guard let from else {
            guard round == 0 else { throw RoundError.missingFrom(round: round) }
            earlier = []
            return
        }
        guard round > 0 else { throw RoundError.fromForFirstRound }
        if let output, URL(fileURLWithPath: output).standardizedFileURL.path == URL(fileURLWithPath: from).standardizedFileURL.path {
            throw RoundError.sameDatabase(from)
        }
        let store = try ResultStore(path: from, readOnly: true)
        let fingerprint = config.fingerprint
        let rows = try store.database.read { db in try Row.fetchAll(db, sql: "SELECT id, environment, agents, fingerprint FROM tournament ORDER BY id") }
        guard !rows.isEmpty else { throw RoundError.noTournament(path: from) }
        // The latest tournament of this configuration, as --resume finds it.
        guard let id = rows.last(where: { ($0["fingerprint"] as String) == fingerprint })?["id"] as Int64? else {
            let wanted = ShardMerge.Source.settings(fingerprint)
            throw RoundError.differentConfiguration(path: from, found: rows.map { row in
                let theirs = ShardMerge.Source.settings(row["fingerprint"])
                let differing = theirs.keys.sorted().filter { theirs[$0] != wanted[$0] }.map { "\($0)=\(theirs[$0]!) (here \(wanted[$0] ?? "unset"))" }
                return "tournament on \(row["environment"] as String) with \(row["agents"] as String)" + (differing.isEmpty ? "" : ": " + differing.joined(separator: ", "))
            })
        }
        let needed = 0..<swiss.indices(ofRound: round).lowerBound
        earlier = try store.games(id).filter { needed.contains($0.gameIndex) }
        let held = Set(earlier.map(\.gameIndex))
        for past in 0..<round {
            let slots = swiss.indices(ofRound: past)
            let missing = slots.filter { !held.contains($0) }
            guard missing.isEmpty else {
                throw RoundError.incomplete(path: from, round: past, before: round, missing: missing.count, of: slots.count, ranges: Self.ranges(missing))
            }
        }
    }

    /// Sorted indices as maximal contiguous ranges.
    static func ranges(_ indices: [Int]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for index in indices {
            if let last = result.last, last.upperBound == index { result[result.count - 1] = last.lowerBound..<index + 1 } else { result.append(index..<index + 1) }
        }
        return result
    }

    /// The games this round plays out of `selection` (a shard splits the round's games, a
    /// `--games-range` is clamped to them; nil: the whole round).
    public func share(of selection: ShardSelection?, in swiss: SwissSchedule) -> Range<Int> {
        let slots = swiss.indices(ofRound: round)
        switch selection {
        case .shard(let shard)?: return shard.range(in: slots)
        case .range(let range)?: return range.clamped(to: slots)
        case nil: return slots
        }
    }
}
