import Foundation
import LudusLua

/// Plays a tournament's games (two or more seats, rotated: ``TournamentConfig/roundRobinGames(players:)``) on K workers (each with its own Lua VMs and agents),
/// committing every game to the store as it ends. Results depend only on the config:
/// each game is seeded by its index, never by which worker played it or when.
///
/// Workers hand finished games (values: ``FinishedGame``) to one writer thread, which
/// commits whatever has ended since its last commit in one transaction (group commit, up
/// to ``commitGames`` games or ``commitSeconds`` apart): a game is durable within that
/// window after it ends, workers never wait on the disk and format no text, and a crash
/// loses only games not yet committed, which `--resume` plays again.
public final class TournamentRunner: @unchecked Sendable {
    public let config: TournamentConfig
    public let catalog: EnvironmentCatalog
    public let store: ResultStore
    /// Called (serially) after each recorded game, with its record: costs a record's text
    /// per game on the writer thread, so leave it nil unless the records are wanted.
    public var onGame: ((GameRecord, _ done: Int, _ total: Int) -> Void)?
    /// For tests: stop after recording this many games in this run (a simulated crash).
    public var stopAfter: Int?
    /// Play only these games of a round-robin schedule (`--shard K/N`, `--games-range`),
    /// recorded in the database for `ludus merge`.
    public var selection: ShardSelection?
    /// Play only this round of a Swiss tournament (`--round R`), paired from the earlier
    /// rounds it holds; `selection` then splits the round's games.
    public var swissRound: SwissRound?

    private let lock = NSLock()
    private var next = 0
    private var recorded = 0
    private var pending: [(index: Int, seats: [Int])] = []
    /// Games handed out in this run (all batches), for `stopAfter`.
    private var taken = 0
    private var firstError: Error?
    private var played = 0
    private let writerSignal = NSCondition()
    private var finishedGames: [FinishedGame] = []
    private var workersDone = false
    /// A commit holds at most this many games...
    static let commitGames = 512
    /// ...and waits at most this long for them after the first (seconds).
    static let commitSeconds = 0.05

    public init(config: TournamentConfig, catalog: EnvironmentCatalog, store: ResultStore) {
        self.config = config
        self.catalog = catalog
        self.store = store
    }

    /// Runs (or, with `resume`, finishes) the tournament.
    /// - Returns: the tournament row and how many games this run played.
    @discardableResult
    public func run(workers: Int, resume: Bool) throws -> (ResultStore.Tournament, played: Int) {
        try config.validate()
        let location = try catalog.resolve(config.environment)
        let probe = try catalog.load(location, limits: config.limits)
        let seats = probe.spec.players
        guard seats >= 2 else {
            throw SetupError.unsuitable("tournaments need an environment of two or more players; \(probe.spec.id) has \(seats)")
        }
        guard config.agents.count >= 2 else { throw SetupError.badSpec("a tournament needs at least two agents") }
        guard config.agents.count >= seats else {
            throw SetupError.badSpec("\(probe.spec.id) seats \(seats) players: give at least \(seats) agents, got \(config.agents.count)")
        }
        guard config.format == .roundRobin || seats == 2 else {
            throw SetupError.unsuitable("swiss pairs two agents per game; \(probe.spec.id) seats \(seats): use the round-robin schedule")
        }
        let params = try probe.spec.parameters.parse(config.params, environment: probe.spec.id)
        for spec in config.agents { _ = try AgentFactory.make(spec, for: probe.spec, limits: config.limits, moveMilliseconds: config.moveMilliseconds) }
        if swissRound != nil && config.format != .swiss { throw RoundError.notSwiss }
        if selection != nil && config.format == .swiss && swissRound == nil { throw ShardError.swiss }
        guard let planned = config.plannedGames(players: seats) else {
            throw SetupError.badSpec("\(config.agents.count) agents in \(seats)-seat games plan more than \(TournamentConfig.maxPlannedGames) games")
        }
        let share = swissRound.map { $0.share(of: selection, in: config.swiss) } ?? selection?.range(of: planned) ?? 0..<planned
        let total = share.count
        let (tournament, _) = try store.tournament(environment: probe.spec.name, agents: config.agents, config: config.fingerprint,
                                                   fingerprint: config.fingerprint, gamesPlanned: planned, resume: resume)
        if selection != nil || swissRound != nil {
            try store.recordShard(tournament: tournament.id, selection: selection ?? .range(share), games: share, round: swissRound?.round)
        }
        recorded = try store.finishedGames(tournament.id).filter(share.contains).count
        played = 0
        taken = 0
        switch config.format {
        case .roundRobin:
            let games = config.roundRobinGames(players: seats)[share].enumerated().map { (index: share.lowerBound + $0.offset, seats: $0.element) }
            try play(games, workers: workers, location: location, params: params, tournament: tournament.id, total: total)
        case .swiss:
            let swiss = config.swiss
            if let swissRound {
                // One round apart: paired from the earlier rounds' results it was given, as the serial run pairs it.
                let results = Standings.pairwiseResults(swissRound.earlier, players: config.agents.count)
                let games = swiss.games(round: swissRound.round, results: results).filter { share.contains($0.index) }
                try play(games, workers: workers, location: location, params: params, tournament: tournament.id, total: total)
                break
            }
            for round in 0..<swiss.rounds {
                // Each round is paired from the recorded results of the rounds before it.
                let results = Standings.pairwiseResults(try store.games(tournament.id), players: config.agents.count)
                try play(swiss.games(round: round, results: results), workers: workers, location: location, params: params,
                         tournament: tournament.id, total: total)
                if let stopAfter, taken >= stopAfter { break }
            }
        }
        return (tournament, played)
    }

    /// Plays the games not yet recorded on `workers` threads, with one writer thread committing them.
    private func play(_ games: [(index: Int, seats: [Int])], workers: Int, location: ScriptLocation,
                      params: [String: Value], tournament: Int64, total: Int) throws {
        let finished = try store.finishedGames(tournament)
        pending = games.filter { !finished.contains($0.index) }
        next = 0
        let threads = max(1, min(workers, pending.count))
        guard !pending.isEmpty else { return }
        let group = DispatchGroup()
        workersDone = false
        let writerGroup = DispatchGroup()
        writerGroup.enter()
        let writer = Thread { [self] in
            defer { writerGroup.leave() }
            writeLoop(total: total, tournament: tournament)
        }
        writer.start()
        for _ in 0..<threads {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                do {
                    let count = try work(location: location, params: params, tournament: tournament)
                    lock.withLock { played += count }
                } catch {
                    lock.withLock { if firstError == nil { firstError = error } }
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        writerSignal.withLock {
            workersDone = true
            writerSignal.signal()
        }
        writerGroup.wait()
        if let firstError { throw firstError }
    }

    private func take() -> (index: Int, seats: [Int])? {
        lock.withLock {
            if firstError != nil || next >= pending.count { return nil }
            if let stopAfter, taken >= stopAfter { return nil }
            defer {
                next += 1
                taken += 1
            }
            return pending[next]
        }
    }

    private func work(location: ScriptLocation, params: [String: Value], tournament: Int64) throws -> Int {
        let environment = try catalog.load(location, limits: config.limits)
        let agents = try config.agents.map { try AgentFactory.make($0, for: environment.spec, limits: config.limits, moveMilliseconds: config.moveMilliseconds) }
        let driver = EpisodeDriver(environment: environment)
        let labels = OutcomeLabels(roles: environment.spec.roles, players: environment.spec.players)
        var count = 0
        while let game = take() {
            let record = GamePlayer.play(index: game.index, seats: game.seats, agents: agents, driver: driver,
                                         params: params, seed: config.seed, labels: labels)
            // A language-model server that failed is not the agent's loss: stop, the game is played again on --resume.
            if let fatal = agents.lazy.compactMap({ ($0 as? LLMAgent)?.serverError }).first { throw fatal }
            writerSignal.withLock {
                finishedGames.append(record)
                // The first game of a batch wakes the writer, a full batch sends it off: two wake-ups per commit at most.
                if finishedGames.count == 1 || finishedGames.count == Self.commitGames { writerSignal.signal() }
            }
            count += 1
        }
        return count
    }

    /// Commits finished games as they come, until the workers are done and the queue is empty.
    private func writeLoop(total: Int, tournament: Int64) {
        var encoder = GameRowEncoder()
        var batch: [FinishedGame] = []
        batch.reserveCapacity(Self.commitGames)
        while true {
            let last: Bool
            writerSignal.lock()
            while finishedGames.isEmpty && !workersDone { writerSignal.wait() }
            // Let games gather into the same transaction: a full batch or the window's end sends it.
            let deadline = Date(timeIntervalSinceNow: Self.commitSeconds)
            while !workersDone && finishedGames.count < Self.commitGames {
                if !writerSignal.wait(until: deadline) { break }
            }
            // Swap buffers: the workers append into the emptied array of the last commit.
            swap(&batch, &finishedGames)
            last = workersDone
            writerSignal.unlock()
            if !batch.isEmpty {
                do {
                    try store.record(batch, tournament: tournament, encoder: &encoder)
                } catch {
                    lock.withLock { if firstError == nil { firstError = error } }
                    return
                }
                lock.withLock {
                    recorded += batch.count
                    if let onGame {
                        var done = recorded - batch.count
                        for game in batch {
                            done += 1
                            onGame(game.record(tournament: tournament, encoder: &encoder), done, total)
                        }
                    }
                }
            }
            let wasEmpty = batch.isEmpty
            batch.removeAll(keepingCapacity: true)
            if last && wasEmpty { return }
        }
    }
}
