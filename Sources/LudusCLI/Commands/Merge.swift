import ArgumentParser
import Foundation
import Ludus

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the databases of a sharded tournament or teach sweep (--shard K/N) into one, identical to a serial run's.",
        discussion: "Refuses shards of different configurations, a game (or teach run) recorded differently in two shards, and games (or finished runs) no shard holds, naming them. A game or run present in two shards with the same rows is kept once. Prints the ratings of the merged games.")

    @Argument(help: ArgumentHelp("The new merged database.", valueName: "out.sqlite")) var output: String
    @Argument(help: ArgumentHelp("Shard databases, in any order.", valueName: "shard.sqlite")) var shards: [String]
    @Flag(help: "Allow games missing (a level of a merge tree: merge its outputs again at the end, without --partial).") var partial = false

    func run() throws {
        let start = Date()
        let summary: ShardMerge.Summary
        do { summary = try ShardMerge.merge(shards, into: output, partial: partial) } catch let error as MergeError { throw CommandFailure(error.description) }
        let sweeps = summary.sweeps == 0 ? "" : String(format: ", %d teach sweep(s) of %d run(s), %d repeated run(s) kept once", summary.sweeps, summary.runs, summary.duplicateRuns)
        print(String(format: "merged %d shard(s) into %@: %d tournament(s), %d game(s), %d repeated game(s) kept once%@, in %.2f s",
                     shards.count, output, summary.tournaments, summary.games, summary.duplicates, sweeps, Date().timeIntervalSince(start)))
        let store = try ResultStore(path: output, readOnly: true)
        var id: Int64 = 1
        while let tournament = try store.latestTournament(id: id) {
            id += 1
            if partial { continue }
            try RatingsCommand.printTable(store: store, tournament: tournament)
        }
    }
}
