import Foundation
import GRDB
import Testing
@testable import Ludus
import LudusCore
import LudusLua

/// The tournament writer's fast path (values to rows on the SQLite C API, group commit) and the
/// driver's fused bounds check and hash store exactly what the old path stored.
@Suite struct TournamentFastPathTests {
    func database() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fastpath-\(UUID()).sqlite").path
    }

    /// Every column of every row of both tables, with SQLite's storage class: equal dumps, equal databases.
    func dump(_ store: ResultStore) throws -> [String] {
        try store.database.read { db in
            let games = try Row.fetchAll(db, sql: """
                SELECT tournament_id, game_index, quote(seed), typeof(seed), quote(seats), quote(returns), length, typeof(length), quote(outcome),
                       quote(forfeit_seat), quote(reason), quote(trajectory_hash) FROM game ORDER BY tournament_id, game_index
                """)
            let seats = try Row.fetchAll(db, sql: """
                SELECT tournament_id, game_index, seat, agent, quote(return), typeof(return) FROM game_seat ORDER BY tournament_id, game_index, seat
                """)
            return (games + seats).map { $0.description }
        }
    }

    /// Games of every shape a tournament records: wins, draws, forfeits with reasons, errors,
    /// fractional, large, negative-zero and chip returns, three seats, extreme seeds and hashes.
    static let games: [FinishedGame] = [
        FinishedGame(index: 0, seed: 0, seats: [0, 1], returns: [1, -1], length: 7, outcome: "x wins", forfeitSeat: nil, reason: nil, trajectoryHash: 0),
        FinishedGame(index: 1, seed: UInt64.max, seats: [1, 0], returns: [0, 0], length: 42, outcome: "draw", forfeitSeat: nil, reason: nil,
                     trajectoryHash: UInt64.max),
        FinishedGame(index: 2, seed: 12_345_678_901_234_567_890, seats: [0, 1], returns: [-1, 1], length: 3, outcome: "forfeit", forfeitSeat: 1,
                     reason: "illegal action 9 (legal: [0, 1])\n\"quoted\" é", trajectoryHash: 0x00ab_cdef_0123_4567),
        FinishedGame(index: 3, seed: 9, seats: [0, 1], returns: [0, 0], length: 0, outcome: "error", forfeitSeat: nil, reason: "script_error: boom",
                     trajectoryHash: TrajectoryHash().value),
        FinishedGame(index: 4, seed: 10, seats: [2, 0, 1], returns: [0.5, -0.25, 1e20], length: 11, outcome: "player3 wins", forfeitSeat: nil,
                     reason: nil, trajectoryHash: 1),
        FinishedGame(index: 5, seed: 11, seats: [1, 2, 0], returns: [-0.0, 0.1 + 0.2, -3], length: 5, outcome: "o wins", forfeitSeat: nil,
                     reason: "", trajectoryHash: 0xF000_0000_0000_000F),
        FinishedGame(index: 6, seed: 12, seats: [0, 1], returns: [1], length: 1, outcome: "x wins", forfeitSeat: nil, reason: nil,
                     trajectoryHash: 42),
    ]

    func newStore() throws -> (ResultStore, Int64) {
        let store = try ResultStore(path: database())
        let (tournament, _) = try store.tournament(environment: "test", agents: ["a", "b", "c"], config: "{}", fingerprint: "f",
                                                   gamesPlanned: 10, resume: false)
        return (store, tournament.id)
    }

    @Test func encodedRowsEqualTheOldPathsRows() throws {
        let (old, oldID) = try newStore()
        let (new, newID) = try newStore()
        var encoder = GameRowEncoder()
        // The old path: text records, the seats parsed back from their JSON.
        try old.record(Self.games.map { game in
            GameRecord(tournamentID: oldID, gameIndex: game.index, seed: String(game.seed),
                       seats: JSON.encode(.array(game.seats.map { .int(Int64($0)) })), returns: JSON.encode(.array(game.returns.map { .number($0) })),
                       length: game.length, outcome: game.outcome, forfeitSeat: game.forfeitSeat, reason: game.reason,
                       trajectoryHash: String(repeating: "0", count: 16 - String(game.trajectoryHash, radix: 16).count) + String(game.trajectoryHash, radix: 16))
        })
        try new.record(Self.games, tournament: newID, encoder: &encoder)
        let oldRows = try dump(old), newRows = try dump(new)
        #expect(oldRows.count == newRows.count && oldRows.count > Self.games.count)
        #expect(oldRows == newRows)
        // And the record handed to onGame is the stored one.
        #expect(try new.games(newID) == Self.games.map { $0.record(tournament: newID, encoder: &encoder) })
    }

    @Test func hexAndDecimalAreTheStringFormatting() {
        var generator = SeededGenerator(seed: 7)
        let values: [UInt64] = [0, 1, 9, 10, 15, 16, UInt64.max, UInt64.max - 1, 1 << 63, 0x0000_0000_ffff_0000]
            + (0..<200).map { _ in generator.next() }
        for value in values {
            let digits = String(value, radix: 16)
            #expect(GameRowEncoder.hex(value) == String(repeating: "0", count: 16 - digits.count) + digits)
            #expect(GameRowEncoder.withDecimal(value) { String(decoding: $0, as: UTF8.self) } == String(value))
        }
    }

    @Test func memoisedJSONIsJSONEncodeEvenPastTheLimit() {
        var encoder = GameRowEncoder()
        #expect(encoder.returnsJSON([0.0]) == JSON.encode(.array([.number(0.0)])))
        #expect(encoder.returnsJSON([-0.0]) == JSON.encode(.array([.number(-0.0)])))
        #expect(GameRowEncoder.seatReturn(-0.0).sign == .plus && GameRowEncoder.seatReturn(-2) == -2)
        for i in 0..<(GameRowEncoder.memoSize * 3) {
            let returns = [Double(i) / 8, -Double(i)]
            #expect(encoder.returnsJSON(returns) == JSON.encode(.array(returns.map { .number($0) })))
            let seats = [i, i + 1]
            #expect(encoder.seatsJSON(seats) == JSON.encode(.array(seats.map { .int(Int64($0)) })))
        }
    }

    @Test func recordingAGameTwiceKeepsTheFirst() throws {
        let (store, id) = try newStore()
        var encoder = GameRowEncoder()
        try store.record(Array(Self.games.prefix(2)), tournament: id, encoder: &encoder)
        var changed = Self.games[0]
        changed.outcome = "changed"
        try store.record([changed, Self.games[2]], tournament: id, encoder: &encoder)
        #expect(try store.games(id).map(\.outcome) == ["x wins", "draw", "forfeit"])
    }

    static let connectFour = TournamentConfig(environment: "connect_four", agents: ["random", "random"], gamesPerPair: 1400, seed: 5)

    @Test func groupCommitsResumeToTheUninterruptedDatabase() throws {
        // More games than one commit holds, stopped part-way (a crash) and resumed with another worker count.
        let path = database()
        let interrupted = TournamentRunner(config: Self.connectFour, catalog: Package.catalog, store: try ResultStore(path: path))
        interrupted.stopAfter = TournamentRunner.commitGames + 97
        var seen: [GameRecord] = []
        interrupted.onGame = { record, done, _ in
            seen.append(record)
            #expect(done == seen.count)
        }
        let (first, played) = try interrupted.run(workers: 2, resume: false)
        #expect(played == TournamentRunner.commitGames + 97)
        let store = try ResultStore(path: path)
        #expect(Set(try store.games(first.id)) == Set(seen))
        let resumed = try TournamentRunner(config: Self.connectFour, catalog: Package.catalog, store: store).run(workers: 1, resume: true)
        #expect(resumed.played == 1400 - played)
        let reference = try ResultStore(path: database())
        _ = try TournamentRunner(config: Self.connectFour, catalog: Package.catalog, store: reference).run(workers: 2, resume: false)
        #expect(try dump(store) == dump(reference))
    }

    @Test func fusedBoundsCheckVisitsEveryNumberOfAnInsideObservation() {
        let bounds = ObservationBounds(.dict([(name: "a", space: .box(low: [0, 0, -1], high: [2, 2, 1], shape: [3])),
                                              (name: "b", space: .discrete(n: 3, start: 0))]))
        func check(_ numbers: [Double]) -> (Bool, Bool, [Double]) {
            numbers.withUnsafeBufferPointer { buffer in
                let view = ObservationView(numbers: buffer, texts: [])
                var seen: [Double] = []
                let fused = bounds.contains(view) { seen.append($0) }
                return (fused, bounds.contains(view), seen)
            }
        }
        let inside = check([0, 2, -0.5, 1])
        #expect(inside.0 && inside.1 && inside.2 == [0, 2, -0.5, 1])
        for outside in [[0, 3, 0, 1], [0, 0, 0, 1.5], [0, 0, 0], [0, 0, .nan, 1]] as [[Double]] {
            let result = check(outside)
            #expect(!result.0 && !result.1, "\(outside)")
        }
    }

    /// Texts are part of the per-step test: one that fits passes it (a gridworld's mission
    /// is not walked again through `problem(with:)`), one that does not fails it with the
    /// problem named, and a length counts characters, not UTF-8 bytes, at either end.
    @Test(arguments: [
        ("go", true), ("", false), ("ab\u{e9}", true), ("\u{e9}\u{e9}", true), ("\u{e9}", false), ("abcdef", true), ("abcdefg", false),
        ("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", true), ("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", false),
    ])
    func textsArePartOfTheFusedBoundsCheck(text: String, fits: Bool) {
        let bounds = ObservationBounds(.dict([(name: "x", space: .discrete(n: 3, start: 0)),
                                              (name: "mission", space: .text(maxLength: 6, minLength: 2))]))
        [1.0].withUnsafeBufferPointer { buffer in
            let view = ObservationView(numbers: buffer, texts: [text])
            var seen: [Double] = []
            #expect(bounds.contains(view) { seen.append($0) } == fits)
            #expect(bounds.contains(view) == fits && seen == [1])
            let problem = bounds.problem(with: view)
            #expect(fits ? problem == nil : problem == "mission has \(text.count) characters, outside 2...6", "\(problem ?? "nil")")
        }
    }

    @Test func twoWorkersAndOneStoreTheSameConnectFourGames() throws {
        let config = TournamentConfig(environment: "connect_four", agents: ["random", "random"], gamesPerPair: 150, seed: 2)
        var dumps: [[String]] = []
        for workers in [1, 2] {
            let store = try ResultStore(path: database())
            _ = try TournamentRunner(config: config, catalog: Package.catalog, store: store).run(workers: workers, resume: false)
            dumps.append(try dump(store))
        }
        #expect(dumps[0] == dumps[1])
        #expect(dumps[0].count == 150 * 3)  // a game row and two seat rows per game
    }
}
