/// Why shard databases cannot be merged; every case names the files at fault.
public enum MergeError: Error, Hashable, Sendable, CustomStringConvertible {
    case noShards
    /// The output exists: merge writes a new database, never into results already there.
    case outputExists(String)
    /// A shard without tournaments.
    case empty(String)
    /// Two shards played different tournaments or sweeps (their config fingerprints differ).
    case differentConfigurations(first: String, firstTournaments: [String], other: String, otherTournaments: [String])
    /// One game recorded with different results in two shards.
    case conflictingGame(tournament: String, index: Int, first: String, firstHash: String, other: String, otherHash: String)
    /// Any other row with the same key and different values.
    case conflictingRow(table: String, key: String, first: String, other: String)
    /// Games of the schedule that no shard holds.
    case missingGames(tournament: String, ranges: [Range<Int>], planned: Int, missingShards: [String])
    /// A table merge does not know how to combine, with rows in a shard.
    case unsupportedTable(table: String, shard: String)
    /// Teach runs recorded outside a sweep (a database from before sweeps).
    case runsOutsideSweep(shard: String)
    /// One run of a teach sweep recorded differently in two shards.
    case conflictingRun(sweep: String, run: String, table: String, first: String, other: String)
    /// Runs of a sweep that no shard holds finished.
    case missingRuns(sweep: String, missing: [String], planned: Int, unfinished: [String], missingShards: [String])

    public var description: String {
        func ranges(_ list: [Range<Int>]) -> String {
            let shown = list.prefix(6).map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)..<\($0.upperBound)" }
            return shown.joined(separator: ", ") + (list.count > 6 ? ", ... (\(list.count) ranges)" : "")
        }
        switch self {
        case .noShards:
            return "give at least one shard database to merge"
        case .outputExists(let path):
            return "\(path) exists: ludus merge writes a new database (remove it or choose another name)"
        case .empty(let path):
            return "\(path) holds no tournament and no teach sweep"
        case .differentConfigurations(let first, let a, let other, let b):
            return "\(first) and \(other) are shards of different tournaments or teach sweeps (configurations differ): \(a.joined(separator: "; ")) vs \(b.joined(separator: "; "))"
        case .conflictingGame(let tournament, let index, let first, let a, let other, let b):
            return "game \(index) of \(tournament) differs between shards: trajectory hash \(a) in \(first) but \(b) in \(other) (a tampered or non-deterministic shard)"
        case .conflictingRow(let table, let key, let first, let other):
            return "\(table) row \(key) differs between \(first) and \(other)"
        case .missingGames(let tournament, let list, let planned, let shards):
            let missing = list.reduce(0) { $0 + $1.count }
            return "\(tournament): \(missing) of \(planned) games missing (games \(ranges(list)))"
                + (shards.isEmpty ? "" : "; not given or unfinished: \(shards.prefix(8).joined(separator: ", "))" + (shards.count > 8 ? ", ... (\(shards.count) shards)" : ""))
        case .unsupportedTable(let table, let shard):
            return "\(shard) has rows in \(table), which ludus merge does not combine (it merges tournaments and teach sweeps)"
        case .runsOutsideSweep(let shard):
            return "\(shard) has teach runs outside a sweep (written before `ludus teach` recorded sweeps): ludus merge combines the shards of one sweep (`ludus teach --shard K/N`)"
        case .conflictingRun(let sweep, let run, let table, let first, let other):
            return "\(run) of the \(sweep) differs between shards: its \(table) rows in \(first) and \(other) are not the same (a tampered or non-deterministic shard)"
        case .missingRuns(let sweep, let missing, let planned, let unfinished, let shards):
            return "\(sweep): \(missing.count) of \(planned) runs missing (\(missing.prefix(6).joined(separator: ", "))\(missing.count > 6 ? ", ..." : ""))"
                + (unfinished.isEmpty ? "" : "; unfinished (resume that shard): \(unfinished.prefix(6).joined(separator: ", "))")
                + (shards.isEmpty ? "" : "; not given or unfinished: \(shards.prefix(8).joined(separator: ", "))")
        }
    }
}
