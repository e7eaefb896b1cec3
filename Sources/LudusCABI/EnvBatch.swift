import Foundation
import Ludus
import LudusLua

/// N instances of one environment, each with its own VM and its own ``EpisodeDriver``
/// (the one episode loop: its step-wise API, so every check and the trajectory hash are
/// those of `ludus run`), stepped together on the batch's threads. Results are written in
/// place into buffers the caller allocated once (numpy arrays), row `i` for environment `i`.
final class EnvBatch: @unchecked Sendable {
    enum Autoreset: Int32 { case nextStep = 0, sameStep = 1, disabled = 2 }

    /// One environment of the batch and where its episode stands.
    final class Slot {
        let environment: LuaEnvironment
        let driver: EpisodeDriver
        var progress: EpisodeDriver.Progress?
        /// The player to move (0: episode over or not started).
        var toMove = 0
        var params: [String: Value]
        /// The run seed of this environment's episodes: episode k plays `SeedStreams(root).seed(.episode, k)`.
        var root: UInt64 = 0
        var episode = 0
        var needsReset = true
        /// The exact seed of this environment's next episode when set (a teacher's task).
        var nextSeed: UInt64?
        var error: Failure?
        /// Why the last step ended the episode as a forfeit (a refused action), if it did.
        var forfeit: String?
        /// Each player's return before the step being played (reused, no allocation).
        var before: [Double]

        init(environment: LuaEnvironment, params: [String: Value], policy: AgentFailurePolicy) {
            self.environment = environment
            driver = EpisodeDriver(environment: environment)
            driver.onAgentFailure = policy
            self.params = params
            before = Array(repeating: 0, count: environment.spec.players)
        }
    }

    let spec: EnvironmentSpec
    let slots: [Slot]
    /// How many threads the batch steps on; setting it replaces the pool.
    var threads: Int {
        get { pool.threads }
        set {
            guard newValue != pool.threads else { return }
            pool.stop()
            pool = StepPool(threads: newValue)
        }
    }
    private var pool: StepPool
    let autoreset: Autoreset
    let numberCount: Int
    let textMaxLengths: [Int]
    /// Bytes per text slot in the text buffer: 4 per declared character (UTF-8's bound).
    let textStride: Int
    let players: Int
    /// `n` of a discrete action space (the width of the action-mask rows), else 0.
    let maskWidth: Int
    let actionStart: Int
    let vectorWidth: Int

    // Caller-owned buffers (see `ludus_batch_set_buffers`), rows indexed by environment.
    var obsFloat: UnsafeMutablePointer<Float>?
    var obsDouble: UnsafeMutablePointer<Double>?
    var finalFloat: UnsafeMutablePointer<Float>?
    var finalDouble: UnsafeMutablePointer<Double>?
    var text: UnsafeMutablePointer<UInt8>?
    var textLength: UnsafeMutablePointer<Int32>?
    var finalText: UnsafeMutablePointer<UInt8>?
    var finalTextLength: UnsafeMutablePointer<Int32>?
    var rewards: UnsafeMutablePointer<Double>?
    var terminated: UnsafeMutablePointer<UInt8>?
    var truncated: UnsafeMutablePointer<UInt8>?
    var ended: UnsafeMutablePointer<UInt8>?
    var mask: UnsafeMutablePointer<UInt8>?
    var player: UnsafeMutablePointer<Int32>?
    var status: UnsafeMutablePointer<Int32>?
    var episodeReturn: UnsafeMutablePointer<Double>?
    var episodeLength: UnsafeMutablePointer<Int64>?
    var episodeHash: UnsafeMutablePointer<UInt64>?
    var episodeSeed: UnsafeMutablePointer<UInt64>?
    /// What the last call did, for the caller to skip work (see `ludus_batch_set_summary`):
    /// `[0]` counts the calls in which some environment's text slots changed, `[1]` is how many
    /// of the call's environments ended an episode.
    var summary: UnsafeMutablePointer<Int64>?
    /// Per environment: its text slots changed in the current call (rows are written by
    /// different threads, so one byte each, never a shared flag).
    private let textChanged: UnsafeMutablePointer<UInt8>

    /// The step `ludus_batch_send` started and `ludus_batch_recv` has not collected yet.
    var flight: StepInFlight?

    init(environments: [LuaEnvironment], params: [String: Value], threads: Int, autoreset: Autoreset,
         policy: AgentFailurePolicy) {
        spec = environments[0].spec
        slots = environments.map { Slot(environment: $0, params: params, policy: policy) }
        allIDs = Array(environments.indices)
        textChanged = .allocate(capacity: max(1, environments.count))
        textChanged.initialize(repeating: 0, count: max(1, environments.count))
        pool = StepPool(threads: threads)
        self.autoreset = autoreset
        numberCount = spec.observationSpace.layout.numberCount
        textMaxLengths = spec.observationSpace.textMaxLengths
        textStride = 4 * (textMaxLengths.max() ?? 0)
        players = spec.players
        if case .discrete(let n, let start) = spec.actionSpace { maskWidth = n; actionStart = start } else { maskWidth = 0; actionStart = 0 }
        switch spec.actionSpace {
        case .box(_, _, let shape): vectorWidth = shape.reduce(1, *)
        case .multiDiscrete(let nvec): vectorWidth = nvec.count
        case .multiBinary(let n): vectorWidth = n
        default: vectorWidth = 0
        }
    }

    deinit {
        pool.stop()
        textChanged.deallocate()
    }

    var count: Int { slots.count }
    /// `0..<count`, built once: the ids of a call that names none.
    let allIDs: [Int]

    /// Fails unless `env` names one of the batch's environments.
    func check(_ env: Int64) throws {
        guard env >= 0 && env < count else { throw Failure(.argument, kind: "bad_argument", "environment id \(env) is outside 0..<\(count)") }
    }

    // MARK: Writing rows

    private func writeObservation(_ i: Int, final: Bool = false) {
        let view = slots[i].environment.observation
        let numbers = view.numbers
        let n = min(numbers.count, numberCount)
        if let target = final ? finalFloat : obsFloat {
            let row = target + i * numberCount
            for k in 0..<n { row[k] = Float(numbers[k]) }
        }
        if let target = final ? finalDouble : obsDouble {
            let row = target + i * numberCount
            for k in 0..<n { row[k] = numbers[k] }
        }
        guard !textMaxLengths.isEmpty, let bytes = final ? finalText : text, let lengths = final ? finalTextLength : textLength else { return }
        for slot in 0..<textMaxLengths.count {
            let index = i * textMaxLengths.count + slot
            let base = bytes + index * textStride
            let previous = min(Int(lengths[index]), textStride)
            var written = 0, changed = previous != 0
            if slot < view.texts.count {
                (written, changed) = Self.write(view.texts[slot], to: base, capacity: textStride, over: previous)
            }
            // Bytes past the text are zero (readers may take a slot as a NUL-padded string).
            if previous > written { (base + written).update(repeating: 0, count: previous - written) }
            lengths[index] = Int32(written)
            if changed && !final { textChanged[i] = 1 }
        }
    }

    /// Writes at most `capacity` UTF-8 bytes of `text` at `base`, where `previous` bytes were
    /// written before, unless those are the same bytes (a mission fixed for an episode is
    /// written once): how many bytes the slot now holds and whether any of them changed.
    /// Straight from the string's storage: nothing allocated per step.
    @inline(__always)
    private static func write(_ text: String, to base: UnsafeMutablePointer<UInt8>, capacity: Int,
                              over previous: Int) -> (count: Int, changed: Bool) {
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> (count: Int, changed: Bool) in
            let n = min(bytes.count, capacity)
            guard n > 0, let source = bytes.baseAddress else { return (0, previous != 0) }
            if n == previous && memcmp(base, source, n) == 0 { return (n, false) }
            base.update(from: source, count: n)
            return (n, true)
        }
        if let copied { return copied }
        return (UnsafeMutableBufferPointer(start: base, count: capacity).update(fromContentsOf: text.utf8.prefix(capacity)), true)
    }

    private func writeTurn(_ i: Int) {
        let slot = slots[i]
        player?[i] = Int32(slot.toMove)
        guard let mask, maskWidth > 0 else { return }
        let row = mask + i * maskWidth
        if slot.toMove == 0 {
            row.update(repeating: 0, count: maskWidth)
            return
        }
        let legal = slot.driver.legalActions
        if legal.isEmpty {
            row.update(repeating: 1, count: maskWidth)
        } else {
            row.update(repeating: 0, count: maskWidth)
            for a in legal {
                let k = a - actionStart
                if k >= 0 && k < maskWidth { row[k] = 1 }
            }
        }
    }

    /// Row `i`'s episode columns from `progress` (the caller's, borrowed: not copied out of the slot).
    private func writeEpisode(_ i: Int, _ progress: EpisodeDriver.Progress) {
        if let episodeReturn { for p in 0..<players { episodeReturn[i * players + p] = progress.returns[p] } }
        episodeLength?[i] = Int64(progress.length)
        episodeHash?[i] = progress.hash.value
        episodeSeed?[i] = progress.seed
    }

    private func clearStep(_ i: Int) {
        textChanged[i] = 0
        if let rewards { for p in 0..<players { rewards[i * players + p] = 0 } }
        terminated?[i] = 0
        truncated?[i] = 0
        ended?[i] = 0
    }

    // MARK: Resets and steps

    enum SeedMode: Int32 {
        /// The environment's next episode of its current run seed.
        case next = 0
        /// A new run seed: the first episode of `ludus run --seed ROOT`.
        case root = 1
        /// This exact episode seed (as `ludus replay` takes it).
        case exact = 2
    }

    /// Resets environment `i`; on failure records the error and leaves it needing a reset.
    /// - Parameter reportEpisode: false for a SAME_STEP autoreset, whose row reports the episode that ended.
    private func reset(_ i: Int, seed: UInt64, mode: SeedMode, reportEpisode: Bool = true) -> Bool {
        let slot = slots[i]
        let episodeSeed: UInt64
        switch mode {
        case .next:
            slot.episode += 1
            episodeSeed = slot.nextSeed ?? SeedStreams(root: slot.root).seed(.episode, slot.episode)
        case .root:
            slot.root = seed & SeedStreams.mask
            slot.episode = 1
            episodeSeed = SeedStreams(root: slot.root).seed(.episode, 1)
        case .exact:
            slot.episode += 1
            episodeSeed = seed
        }
        slot.toMove = 0
        slot.nextSeed = nil
        do {
            var progress = try slot.driver.begin(episode: slot.episode, seed: episodeSeed, params: slot.params, agents: [])
            slot.toMove = try slot.driver.turn(&progress)
            slot.progress = progress
            slot.needsReset = false
            slot.error = nil
            writeObservation(i)
            writeTurn(i)
            if reportEpisode { writeEpisode(i, progress) }
            return true
        } catch {
            slot.needsReset = true
            slot.toMove = 0
            slot.error = Failure(error)
            writeTurn(i)
            return false
        }
    }

    func reset(ids: [Int], seeds: UnsafePointer<UInt64>?, mode: SeedMode) {
        pool.run(ids.count) { k in
            let i = ids[k]
            clearStep(i)
            status?[i] = reset(i, seed: seeds?[k] ?? 0, mode: seeds == nil ? .next : mode) ? 0 : slots[i].error!.status.rawValue
        }
        summarize(ids)
    }

    /// The call's summary, once every thread is done with its rows.
    private func summarize(_ ids: [Int]) {
        guard let summary else { return }
        var texts = false, ends: Int64 = 0
        for i in ids {
            texts = texts || textChanged[i] != 0
            if let ended, ended[i] != 0 { ends += 1 }
        }
        if texts { summary[0] &+= 1 }
        summary[1] = ends
    }

    /// Steps environment `i` with `action` (or resets it when its last episode ended, under
    /// NEXT_STEP); writes its row. Returns its status.
    private func step(_ i: Int, _ action: () -> Action) -> Int32 {
        let slot = slots[i]
        clearStep(i)
        slot.forfeit = nil
        if slot.needsReset {
            // The step after an end (or a failure): the next episode's first observation, reward 0.
            if autoreset == .disabled && slot.error == nil && slot.progress != nil {
                slot.error = Failure(.argument, kind: "needs_reset", "environment \(i): its episode is over; reset it first (autoreset is disabled)")
                return Status.argument.rawValue
            }
            return reset(i, seed: 0, mode: .next) ? 0 : slot.error!.status.rawValue
        }
        // Taken out of the slot while the driver mutates it (moved, not copied: one owner, no
        // retain of its arrays per step), and put back once the row is written.
        guard var progress = slot.progress.take() else { return reset(i, seed: 0, mode: .next) ? 0 : slot.error!.status.rawValue }
        for p in 0..<players { slot.before[p] = progress.returns[p] }
        do {
            let step = try slot.driver.play(action(), by: slot.toMove, agent: "caller", &progress)
            // Chance nodes after the move are played by the driver before the next player's turn.
            let next = progress.isOver ? 0 : try slot.driver.turn(&progress)
            if let rewards {
                if let step {
                    for p in 0..<players { rewards[i * players + p] = step.reward(of: p + 1) }
                } else {
                    for p in 0..<players { rewards[i * players + p] = progress.returns[p] - slot.before[p] }
                }
            }
            let forfeited = progress.forfeit != nil
            terminated?[i] = progress.terminated || forfeited ? 1 : 0
            truncated?[i] = progress.truncated && !progress.terminated && !forfeited ? 1 : 0
            if let forfeit = progress.forfeit { slot.forfeit = "player \(forfeit.player): \(forfeit.reason)" }
            writeEpisode(i, progress)
            let over = progress.isOver
            slot.progress = progress
            if over {
                ended?[i] = 1
                slot.toMove = 0
                switch autoreset {
                case .sameStep:
                    writeObservation(i, final: true)
                    return reset(i, seed: 0, mode: .next, reportEpisode: false) ? 0 : slot.error!.status.rawValue
                case .nextStep, .disabled:
                    slot.needsReset = true
                    writeObservation(i)
                    writeTurn(i)
                }
            } else {
                slot.toMove = next
                writeObservation(i)
                writeTurn(i)
            }
            slot.error = nil
            return Status.ok.rawValue
        } catch {
            let failure = Failure(error)
            slot.error = failure
            slot.progress = progress
            if failure.status == .action {
                // Refused under the `raise` policy: nothing was played, the episode goes on.
                return failure.status.rawValue
            }
            // The environment failed: the episode is lost (cut), the next step starts a new one.
            slot.needsReset = true
            slot.toMove = 0
            truncated?[i] = 1
            ended?[i] = 1
            writeTurn(i)
            return failure.status.rawValue
        }
    }

    func step(ids: [Int], action: @escaping (Int) -> Action) {
        pool.run(ids.count) { k in
            let i = ids[k]
            status?[i] = step(i) { action(k) }
        }
        summarize(ids)
    }
}

// MARK: The C functions

/// The batch, refused while a `ludus_batch_send` is in flight (its threads own the environments and buffers).
func batch(_ handle: UnsafeMutableRawPointer?) throws -> EnvBatch {
    let b = try Handle.get(handle, as: EnvBatch.self)
    try b.requireIdle()
    return b
}

/// The batch and its environment `env`, checked.
private func environment(_ handle: UnsafeMutableRawPointer?, _ env: Int64) throws -> (EnvBatch, LuaEnvironment) {
    let b = try batch(handle)
    try b.check(env)
    return (b, b.slots[Int(env)].environment)
}

/// Environment ids from the caller: `ids[0..<count]`, or every environment when `ids` is NULL.
func environmentIDs(_ b: EnvBatch, _ ids: UnsafePointer<Int64>?, _ count: Int64) throws -> [Int] {
    guard let ids else { return b.allIDs }
    guard count >= 0 else { throw Failure(.argument, kind: "bad_argument", "count must be 0 or more") }
    var result: [Int] = []
    result.reserveCapacity(Int(count))
    var seen = Set<Int>()
    for k in 0..<Int(count) {
        let i = Int(ids[k])
        try b.check(Int64(i))
        guard seen.insert(i).inserted else { throw Failure(.argument, kind: "bad_argument", "environment id \(i) is given twice") }
        result.append(i)
    }
    return result
}

func partial(_ b: EnvBatch, _ ids: [Int]) throws {
    guard let status = b.status else { return }
    // Counted without building a list: a call in which nothing failed allocates nothing here.
    guard let first = ids.first(where: { status[$0] != 0 }) else { return }
    let failed = ids.reduce(0) { $0 + (status[$1] != 0 ? 1 : 0) }
    throw Failure(.partial, kind: "partial", "\(failed) environment(s) failed, first \(first): \(b.slots[first].error?.message ?? "")")
}

/// Loads `count` instances of environment `name` (an id or a `.lua` path).
/// `options` (JSON): `paths`, `environments`, `memory_limit`, `time_limit` (see LoadOptions),
/// `params` (every instance's parameters), `autoreset` (0 NEXT_STEP, 1 SAME_STEP, 2 disabled),
/// `illegal` ("forfeit": a refused action ends the episode as a forfeit, as the CLI's loops do;
/// "raise": it fails with status 4 and nothing is played).
@_cdecl("ludus_batch_create")
public func ludus_batch_create(_ name: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?, _ count: Int64, _ threads: Int32,
                               _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                               _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let out = try required(out, "out")
        guard (1...65_536).contains(count) else { throw Failure(.argument, kind: "bad_argument", "count must be from 1 to 65536, got \(count)") }
        guard (1...256).contains(threads) else { throw Failure(.argument, kind: "bad_argument", "threads must be from 1 to 256, got \(threads)") }
        let settings = try object(options, "options")
        let load = try LoadOptions(settings)
        let environments = try load.load(try string(name, "name"), count: Int(count), threads: Int(threads))
        let spec = environments[0].spec
        var given: [String: Value] = [:]
        if case .table(let fields)? = settings["params"] { given = fields }
        let params = try spec.parameters.resolve(given, environment: spec.id)
        guard let mode = EnvBatch.Autoreset(rawValue: Int32(settings["autoreset"]?.intValue ?? 0)) else {
            throw Failure(.setup, kind: "bad_option", "autoreset must be 0 (next step), 1 (same step) or 2 (disabled)")
        }
        let policy: AgentFailurePolicy
        switch settings["illegal"]?.stringValue ?? "forfeit" {
        case "forfeit": policy = .forfeit
        case "raise": policy = .stop
        case let other: throw Failure(.setup, kind: "bad_option", "illegal must be \"forfeit\" or \"raise\", got \"\(other)\"")
        }
        out.pointee = Handle.make(EnvBatch(environments: environments, params: params, threads: Int(threads), autoreset: mode, policy: policy))
    }
}

@_cdecl("ludus_batch_free")
public func ludus_batch_free(_ handle: UnsafeMutableRawPointer?) {
    // A step still in flight writes into the caller's buffers: it finishes before they can go.
    (try? Handle.get(handle, as: EnvBatch.self))?.waitForFlight()
    Handle.release(handle)
}

/// The environment's facts as JSON (see `SpecJSON`), plus `text_stride`, the bytes of one text slot.
@_cdecl("ludus_batch_spec_json")
public func ludus_batch_spec_json(_ handle: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                  _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let b = try batch(handle)
        let out = try required(out, "out")
        guard case .table(var fields) = SpecJSON.spec(b.spec) else { return }
        fields["text_stride"] = .int(Int64(b.textStride))
        fields["count"] = .int(Int64(b.count))
        out.pointee = allocate(JSON.encode(.table(fields)))
    }
}

/// Where the batch writes the summary of each reset and step call: two `int64`s, `[0]` a
/// count of the calls in which some environment's text slots changed (equal counts: every
/// text is as it was, no need to read them again), `[1]` how many of the call's environments
/// ended an episode. NULL: no summary.
@_cdecl("ludus_batch_set_summary")
public func ludus_batch_set_summary(
    _ handle: UnsafeMutableRawPointer?, _ summary: UnsafeMutablePointer<Int64>?,
    _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64
) -> Int32 {
    guarded(error, capacity) { try batch(handle).summary = summary }
}

/// Hands the batch the caller's buffers, written in place by every reset and step (any may be
/// NULL: not written). Shapes, for N environments, P players, K numbers, T text slots, S text
/// stride, A mask width (n of a discrete action space):
/// obs `float32[N*K]` or `float64[N*K]` (`double_obs`), final_obs the same (SAME_STEP: the last
/// observation of an episode that ended), text `uint8[N*T*S]` with text_length `int32[N*T]`
/// (and final_text, final_text_length), rewards `float64[N*P]`, terminated, truncated, ended
/// `uint8[N]`, mask `uint8[N*A]`, player `int32[N]` (to move, 0 when over), status `int32[N]`,
/// episode_return `float64[N*P]`, episode_length `int64[N]`, episode_hash `uint64[N]`,
/// episode_seed `uint64[N]` (of the episode the row's transition belongs to).
@_cdecl("ludus_batch_set_buffers")
public func ludus_batch_set_buffers(
    _ handle: UnsafeMutableRawPointer?, _ doubleObs: Int32, _ obs: UnsafeMutableRawPointer?, _ finalObs: UnsafeMutableRawPointer?,
    _ text: UnsafeMutablePointer<UInt8>?, _ textLength: UnsafeMutablePointer<Int32>?,
    _ finalText: UnsafeMutablePointer<UInt8>?, _ finalTextLength: UnsafeMutablePointer<Int32>?,
    _ rewards: UnsafeMutablePointer<Double>?, _ terminated: UnsafeMutablePointer<UInt8>?, _ truncated: UnsafeMutablePointer<UInt8>?,
    _ ended: UnsafeMutablePointer<UInt8>?, _ mask: UnsafeMutablePointer<UInt8>?, _ player: UnsafeMutablePointer<Int32>?,
    _ status: UnsafeMutablePointer<Int32>?, _ episodeReturn: UnsafeMutablePointer<Double>?,
    _ episodeLength: UnsafeMutablePointer<Int64>?, _ episodeHash: UnsafeMutablePointer<UInt64>?,
    _ episodeSeed: UnsafeMutablePointer<UInt64>?,
    _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64
) -> Int32 {
    guarded(error, capacity) {
        let b = try batch(handle)
        if doubleObs != 0 {
            b.obsDouble = obs?.assumingMemoryBound(to: Double.self); b.obsFloat = nil
            b.finalDouble = finalObs?.assumingMemoryBound(to: Double.self); b.finalFloat = nil
        } else {
            b.obsFloat = obs?.assumingMemoryBound(to: Float.self); b.obsDouble = nil
            b.finalFloat = finalObs?.assumingMemoryBound(to: Float.self); b.finalDouble = nil
        }
        b.text = text; b.textLength = textLength; b.finalText = finalText; b.finalTextLength = finalTextLength
        b.rewards = rewards; b.terminated = terminated; b.truncated = truncated; b.ended = ended
        b.mask = mask; b.player = player; b.status = status
        b.episodeReturn = episodeReturn; b.episodeLength = episodeLength; b.episodeHash = episodeHash; b.episodeSeed = episodeSeed
    }
}

/// Sets the parameters of environment `env` (-1: every one) for its next resets: a JSON
/// object of values, checked and completed with defaults as `--param` is.
@_cdecl("ludus_batch_set_params")
public func ludus_batch_set_params(_ handle: UnsafeMutableRawPointer?, _ env: Int64, _ params: UnsafePointer<CChar>?,
                                   _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let b = try batch(handle)
        let resolved = try b.spec.parameters.resolve(try object(params, "params"), environment: b.spec.id)
        if env < 0 {
            for slot in b.slots { slot.params = resolved }
        } else {
            try b.check(env)
            b.slots[Int(env)].params = resolved
        }
    }
}

/// Sets the exact seed of environment `env`'s next episode (a teacher's task), however that
/// episode starts (an autoreset or a reset without seeds); `has_seed` 0 clears it.
@_cdecl("ludus_batch_set_next_seed")
public func ludus_batch_set_next_seed(_ handle: UnsafeMutableRawPointer?, _ env: Int64, _ seed: UInt64, _ hasSeed: Int32,
                                      _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let b = try batch(handle)
        try b.check(env)
        b.slots[Int(env)].nextSeed = hasSeed != 0 ? seed : nil
    }
}

/// Resets environments `ids[0..<count]` (NULL: all). `seeds` (NULL: each goes on to its next
/// episode) holds one seed per id, read per `seed_mode`: 1, a run seed (episode 1 of
/// `ludus run --seed S`); 2, the exact episode seed. Returns 5 when some failed (status row).
@_cdecl("ludus_batch_reset")
public func ludus_batch_reset(_ handle: UnsafeMutableRawPointer?, _ ids: UnsafePointer<Int64>?, _ count: Int64,
                              _ seeds: UnsafePointer<UInt64>?, _ seedMode: Int32,
                              _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let b = try batch(handle)
        let list = try environmentIDs(b, ids, count)
        guard let mode = EnvBatch.SeedMode(rawValue: seedMode) else { throw Failure(.argument, kind: "bad_argument", "seed_mode must be 0, 1 or 2") }
        b.reset(ids: list, seeds: seeds, mode: mode)
        try partial(b, list)
    }
}

/// Steps environments `ids[0..<count]` (NULL: all, in order) with one action each, aligned
/// with `ids`: `discrete[k]` (int64) for discrete spaces, `vector[k*W..<(k+1)*W]` (float64,
/// W the action's size) for box, multi-discrete and multi-binary ones, or the UTF-8 text
/// `text[text_offsets[k]..<text_offsets[k+1]]` for text ones. An environment whose episode
/// ended at its last step is reset instead (NEXT_STEP autoreset; its action is ignored).
/// Returns 5 when some environments failed (their status rows say how; the others went on).
@_cdecl("ludus_batch_step")
public func ludus_batch_step(_ handle: UnsafeMutableRawPointer?, _ ids: UnsafePointer<Int64>?, _ count: Int64,
                             _ discrete: UnsafePointer<Int64>?, _ vector: UnsafePointer<Double>?,
                             _ text: UnsafePointer<UInt8>?, _ textOffsets: UnsafePointer<Int64>?,
                             _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let b = try batch(handle)
        let list = try environmentIDs(b, ids, count)
        b.step(ids: list, action: try b.actions(discrete: discrete, vector: vector, text: text, textOffsets: textOffsets))
        try partial(b, list)
    }
}

/// The last error of environment `env` (its status row was not 0), as kind and message
/// (malloc'd; free with `ludus_string_free`); else kind `forfeit` when its last step was
/// refused and ended the episode under the `forfeit` policy; empty strings when neither.
@_cdecl("ludus_batch_error")
public func ludus_batch_error(_ handle: UnsafeMutableRawPointer?, _ env: Int64,
                              _ kind: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let b = try batch(handle)
        try b.check(env)
        let slot = b.slots[Int(env)]
        if let failure = slot.error {
            kind?.pointee = allocate(failure.kind)
            message?.pointee = allocate(failure.message)
        } else {
            kind?.pointee = allocate(slot.forfeit == nil ? "" : "forfeit")
            message?.pointee = allocate(slot.forfeit ?? "")
        }
    }
}

/// Environment `env`'s `E.render` text (ANSI), or with `image` its `E.render_image` SVG
/// (sanitized: no external references); status 2 when the script has no such function.
@_cdecl("ludus_batch_render")
public func ludus_batch_render(_ handle: UnsafeMutableRawPointer?, _ env: Int64, _ image: Int32,
                               _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                               _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let (b, environment) = try environment(handle, env)
        let out = try required(out, "out")
        if image != 0 {
            guard b.spec.functions.contains("render_image") else { throw Failure(.setup, kind: "missing_function", "\(b.spec.id) has no E.render_image") }
            guard let svg = try environment.call("render_image", [], results: 1).first?.stringValue else {
                throw Failure(.environment, kind: "contract_violation", "E.render_image must return an SVG document as a string")
            }
            out.pointee = allocate(SVGSanitizer.sanitize(svg))
        } else {
            guard let text = try environment.render() else { throw Failure(.setup, kind: "missing_function", "\(b.spec.id) has no E.render") }
            out.pointee = allocate(text)
        }
    }
}

/// Calls `E.name(self, args...)` on environment `env` with a JSON array of arguments and
/// `results` results, returned as a JSON array (solvers, verifiers, `item`).
@_cdecl("ludus_batch_call")
public func ludus_batch_call(_ handle: UnsafeMutableRawPointer?, _ env: Int64, _ name: UnsafePointer<CChar>?,
                             _ arguments: UnsafePointer<CChar>?, _ results: Int32,
                             _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                             _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let (_, environment) = try environment(handle, env)
        let out = try required(out, "out")
        var list: [Value] = []
        if let arguments, arguments.pointee != 0 {
            guard let items = try JSON.decode(String(cString: arguments)).arrayValue else {
                throw Failure(.argument, kind: "bad_json", "arguments must be a JSON array")
            }
            list = items
        }
        let values = try environment.call(try string(name, "name"), list, results: Int(max(0, results)))
        out.pointee = allocate(JSON.encode(.array(values)))
    }
}

/// How many threads the batch steps on (1...256).
@_cdecl("ludus_batch_set_threads")
public func ludus_batch_set_threads(_ handle: UnsafeMutableRawPointer?, _ threads: Int32,
                                    _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let b = try batch(handle)
        guard (1...256).contains(threads) else { throw Failure(.argument, kind: "bad_argument", "threads must be from 1 to 256") }
        b.threads = Int(threads)
    }
}

/// Seat `seat`'s own observation (`E.observe(self, seat)`) of environment `env`, flattened
/// in the observation space's layout into `out[0..<count]` (count must be the space's
/// number count): what PettingZoo's `observe(agent)` shows in a game with private
/// observations. Without `E.observe` every seat sees the shared observation.
@_cdecl("ludus_batch_seat_observation")
public func ludus_batch_seat_observation(_ handle: UnsafeMutableRawPointer?, _ env: Int64, _ seat: Int32,
                                         _ out: UnsafeMutablePointer<Double>?, _ count: Int64,
                                         _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    guarded(error, capacity) {
        let (b, environment) = try environment(handle, env)
        let out = try required(out, "out")
        guard (1...b.spec.players).contains(Int(seat)) else {
            throw Failure(.argument, kind: "bad_seat", "seat \(seat) is outside 1...\(b.spec.players)")
        }
        let view = SeatView(of: environment, seat: Int(seat))
        try view.refresh()
        let numbers = view.observation.numbers
        guard Int64(numbers.count) == count else {
            throw Failure(.argument, kind: "bad_buffer", "the observation has \(numbers.count) number(s), the buffer \(count)")
        }
        for k in 0..<numbers.count { out[k] = numbers[k] }
    }
}
