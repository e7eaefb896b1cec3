import CLua
import CLuaShim
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// An action as it is handed to `E.step`.
public enum LuaAction: Hashable, Sendable {
    /// A discrete action (pushed as a Lua integer: no allocation).
    case integer(Int64)
    /// A vector (box or multi-discrete), pushed as a fresh array.
    case numbers([Double])
    /// A text answer.
    case text(String)
    /// Anything else.
    case value(Value)
}

/// What `E.step` returned, besides the observation (kept in ``ScriptEnvironment/observation``).
public struct StepOutcome: Hashable, Sendable {
    /// The reward of player 1 (or the only player).
    public var reward: Double
    public var terminated: Bool
    public var truncated: Bool
}

/// One environment instance: a table `self` made by the host, driven through
/// its module's functions. The hot path (``step(_:)``) pushes an action, calls
/// `E.step` under the budget, copies the observation into a reused buffer and
/// reads reward and flags, with no allocation for discrete actions.
public final class ScriptEnvironment {
    public let module: ScriptModule
    public let vm: LuaVM
    private let stepRef: LuaRef
    private let resetRef: LuaRef?
    private let legalActionsRef: LuaRef?
    private let currentPlayerRef: LuaRef?
    private let turnRef: LuaRef?
    private let stepTurnRef: LuaRef?
    private let resetTurnRef: LuaRef?
    let instanceRef: LuaRef
    let layout: ObservationLayout
    private var keyRefs: [String: LuaRef] = [:]
    private let rngKeyRef: LuaRef
    /// The last distinct params, as a Lua table, and (when no value is a table) its keys in
    /// the order the table was built: what ``pushParams(_:)`` copies from.
    private var cachedParams: (value: Value, ref: LuaRef, keys: LuaRef?)?
    /// Number of players whose rewards ``rewards`` holds.
    public let players: Int
    /// The items `E.prepare_item` prepared for scoring (ScriptEnvironment+PreparedItems.swift);
    /// nil for a script without `E.prepare_item` and `E.score_prepared`.
    lazy var preparedItems: PreparedItemCache? =
        module.hasFunction("prepare_item") && module.hasFunction("score_prepared") ? PreparedItemCache(vm: vm) : nil

    // Hot-path storage lives behind pointers (`let`), so the step loop pays no
    // exclusivity checks or copy-on-write tests.
    private let numbers: UnsafeMutableBufferPointer<Double>
    private let rewardBuffer: UnsafeMutableBufferPointer<Double>
    /// Where legal-action lists are read before they reach the caller's array (grows on demand).
    private let legalScratch: UnsafeMutablePointer<UnsafeMutableBufferPointer<Int64>>
    /// The turn a fused step read ahead (``ScriptModule/stepTurnRef``): the player to move
    /// and, in ``legalScratch``, its legal actions; valid until the next call into the script.
    private let ahead: UnsafeMutablePointer<(valid: Bool, player: Int, count: Int)>
    private let detail: UnsafeMutablePointer<Bool>
    /// [copies eagerly, observation stale]: when nobody reads observations (random or
    /// search agents), the step only parks the observation in a registry slot and the
    /// copy happens on first read.
    private let lazy: UnsafeMutablePointer<(eager: Bool, stale: Bool)>
    private let observationSlot: LuaRef
    private var plan: FlattenPlan = FlattenPlan(entries: [], isFlat: false)
    /// ``plan``'s number parts as the C copier reads them (one host call per observation).
    private var flatCopy = FlatCopy(plan: FlattenPlan(entries: [], isFlat: false))
    // Read on every move (``observation``), written only by the copy: unchecked as the driver's state is.
    @exclusivity(unchecked) private var texts: [String]
    /// Per text slot: the most UTF-8 bytes its declared `max_length` allows (4 per character).
    private let textMaxBytes: [Int]

    /// The observation of the last reset or step (a view: valid until the next one).
    public var observation: ObservationView {
        if lazy.pointee.stale { refreshObservation() }
        return ObservationView(numbers: UnsafeBufferPointer(numbers), texts: texts)
    }

    /// Whether every step copies its observation into Swift (default), or only on first read.
    public var copiesObservation: Bool {
        get { lazy.pointee.eager }
        set {
            if lazy.pointee.stale { refreshObservation() }
            lazy.pointee.eager = newValue
        }
    }

    private func refreshObservation() {
        lazy.pointee.stale = false
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(observationSlot))
        try? copyObservation(at: top + 1, function: "step")  // checked eagerly by `ludus check`
    }
    /// Per-player rewards of the last step (index 0 is player 1); a view like ``observation``.
    public var rewards: UnsafeBufferPointer<Double> { UnsafeBufferPointer(rewardBuffer) }
    /// When true, ``lastObservation`` and ``lastInfo`` are copied out every step (for traces and checks).
    public var capturesDetail: Bool {
        get { detail.pointee }
        set { detail.pointee = newValue }
    }
    public private(set) var lastObservation: Value = .nil
    public private(set) var lastInfo: Value = .nil

    /// Makes a fresh instance `self = {rng = <rng>}` whose metatable indexes `E`.
    /// - Parameter textMaxLengths: the declared `max_length` of each text part (``Space/textMaxLengths``):
    ///   a string of more than 4 bytes per character is refused before it is copied.
    public init(module: ScriptModule, layout: ObservationLayout, players: Int, textMaxLengths: [Int] = [])
        throws(ScriptError)
    {
        self.module = module
        vm = module.vm
        stepRef = module.stepRef
        resetRef = module.functionRefs["reset"]
        legalActionsRef = module.functionRefs["legal_actions"]
        currentPlayerRef = module.functionRefs["current_player"]
        turnRef = module.turnRef
        stepTurnRef = module.stepTurnRef
        // Games only: every loop asks a game for its first turn, while a one-player puzzle is
        // also reset for its question alone (datasets), where the legal list would be wasted.
        resetTurnRef = players > 1 ? module.resetTurnRef : nil
        (legalScratch, ahead) = Self.allocateTurn()
        self.layout = layout
        self.players = max(1, players)
        (numbers, rewardBuffer, detail) = Self.allocate(layout: layout, players: self.players)
        lazy = UnsafeMutablePointer.allocate(capacity: 1)
        lazy.initialize(to: (true, false))
        observationSlot = try module.vm.makeRef(.bool(true))
        texts = Array(repeating: "", count: layout.textCount)
        textMaxBytes = (0..<layout.textCount).map { i in
            i < textMaxLengths.count ? textMaxLengths[i].multipliedReportingOverflow(by: 4).partialValue : Int.max
        }
        let rng = try module.vm.newRandom(seed: 0)
        defer { module.vm.release(rng) }
        let made = try module.vm.callPreludeRef("new_instance", [.ref(module.moduleRef), .ref(rng)])
        instanceRef = made
        rngKeyRef = try module.vm.makeRef(.string("rng"))
        try prepareKeys(layout)
        plan = FlattenPlan(layout: layout, keyRefs: keyRefs)
        flatCopy.entries.deallocate()  // the placeholder's
        flatCopy = FlatCopy(plan: plan)
    }

    private static func allocate(layout: ObservationLayout, players: Int)
        -> (UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>, UnsafeMutablePointer<Bool>)
    {
        let numbers = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, layout.numberCount))
        numbers.initialize(repeating: 0)
        let rewards = UnsafeMutableBufferPointer<Double>.allocate(capacity: players)
        rewards.initialize(repeating: 0)
        let detail = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        detail.initialize(to: false)
        return (UnsafeMutableBufferPointer(rebasing: numbers[0..<layout.numberCount]), rewards, detail)
    }

    private static func allocateTurn()
        -> (UnsafeMutablePointer<UnsafeMutableBufferPointer<Int64>>, UnsafeMutablePointer<(valid: Bool, player: Int, count: Int)>)
    {
        let scratch = UnsafeMutablePointer<UnsafeMutableBufferPointer<Int64>>.allocate(capacity: 1)
        scratch.initialize(to: .allocate(capacity: 16))
        let ahead = UnsafeMutablePointer<(valid: Bool, player: Int, count: Int)>.allocate(capacity: 1)
        ahead.initialize(to: (false, 0, 0))
        return (scratch, ahead)
    }

    private init(copying other: ScriptEnvironment, instance: LuaRef) {
        module = other.module
        vm = other.vm
        stepRef = other.stepRef
        resetRef = other.resetRef
        legalActionsRef = other.legalActionsRef
        currentPlayerRef = other.currentPlayerRef
        turnRef = other.turnRef
        stepTurnRef = other.stepTurnRef
        resetTurnRef = other.resetTurnRef
        (legalScratch, ahead) = Self.allocateTurn()
        layout = other.layout
        players = other.players
        if other.lazy.pointee.stale { other.refreshObservation() }
        (numbers, rewardBuffer, detail) = Self.allocate(layout: other.layout, players: other.players)
        lazy = UnsafeMutablePointer.allocate(capacity: 1)
        lazy.initialize(to: (other.lazy.pointee.eager, false))
        observationSlot = (try? other.vm.makeRef(.bool(true))) ?? LUA_NOREF
        if numbers.count > 0 { _ = numbers.update(fromContentsOf: other.numbers) }
        _ = rewardBuffer.update(fromContentsOf: other.rewardBuffer)
        detail.pointee = other.detail.pointee
        texts = other.texts
        textMaxBytes = other.textMaxBytes
        lastObservation = other.lastObservation
        lastInfo = other.lastInfo
        instanceRef = instance
        rngKeyRef = (try? module.vm.makeRef(.string("rng"))) ?? LUA_NOREF
        for (key, _) in other.keyRefs { keyRefs[key] = try? module.vm.makeRef(.string(key)) }
        plan = FlattenPlan(layout: layout, keyRefs: keyRefs)
        flatCopy.entries.deallocate()  // the placeholder's
        flatCopy = FlatCopy(plan: plan)
    }

    deinit {
        numbers.baseAddress.map { UnsafeMutablePointer(mutating: $0).deallocate() }
        rewardBuffer.deallocate()
        legalScratch.pointee.deallocate()
        legalScratch.deallocate()
        ahead.deallocate()
        detail.deallocate()
        lazy.deallocate()
        flatCopy.entries.deallocate()
        vm.release(observationSlot)
        vm.release(instanceRef)
        vm.release(rngKeyRef)
        if let cachedParams { vm.release(cachedParams.ref); cachedParams.keys.map { vm.release($0) } }
        for ref in keyRefs.values { vm.release(ref) }
    }

    private func prepareKeys(_ layout: ObservationLayout) throws(ScriptError) {
        switch layout {
        case .dict(let entries):
            for entry in entries {
                if keyRefs[entry.key] == nil { keyRefs[entry.key] = try vm.makeRef(.string(entry.key)) }
                try prepareKeys(entry.layout)
            }
        case .tuple(let parts): for part in parts { try prepareKeys(part) }
        default: break
        }
    }

    /// The instance table copied into Swift (for debugging and state hashes).
    public var state: Value { get throws(ScriptError) { try vm.value(of: instanceRef, what: "the instance table") } }

    // MARK: - Contract calls

    /// `E.reset(self, params)` after seeding `self.rng` with `seed` and `math.random` from it.
    /// The observation lands in ``observation``; with ``capturesDetail`` also in
    /// ``lastObservation`` and ``lastInfo``.
    public func reset(seed: UInt64, params: Value) throws(ScriptError) {
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        ahead.pointee.valid = false
        vm.seedMathRandom(SeededGenerator.derive(seed, 0x6D61_7468))
        guard lua_checkstack(L, 8) != 0 else { throw ScriptError.memoryLimit(bytes: vm.limits.memoryBytes) }
        try seedInstanceRandom(seed)
        let reset: LuaRef
        if let resetTurnRef { reset = resetTurnRef } else if let resetRef { reset = resetRef } else { reset = try module.functionRef("reset") }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(reset))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        try pushParams(params)
        try vm.check(ludus_call(L, 2, resetTurnRef == nil ? 2 : 4))
        if detail.pointee {
            lastObservation = try vm.read(at: top + 1, what: "E.reset's observation")
            lastInfo = try vm.read(at: top + 2, what: "E.reset's info")
        }
        try parkOrCopyObservation(at: top + 1, function: "reset")
        if resetTurnRef != nil { keepTurnAhead(at: top + 3) }
    }

    /// Reseeds `self.rng` mid-episode (search clones), without calling the script.
    public func reseed(_ seed: UInt64) throws(ScriptError) {
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        ahead.pointee.valid = false
        try seedInstanceRandom(seed)
    }

    /// Writes a fresh generator state into `self.rng` (no Lua call).
    private func seedInstanceRandom(_ seed: UInt64) throws(ScriptError) {
        let L = vm.L
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(rngKeyRef))
        lua_rawget(L, -2)
        defer { ludus_pop(L, 2) }
        guard let words = ludus_rng_state(L, -1) else {
            throw ScriptError.script(location: module.location(of: "reset"),
                                  message: "self.rng was replaced: keep the host's generator in self.rng", traceback: "")
        }
        let generator = SeededGenerator(seed: seed)
        words[0] = generator.state.0; words[1] = generator.state.1
        words[2] = generator.state.2; words[3] = generator.state.3
    }

    /// Pushes a fresh copy of the params table, which the script may change freely. The table
    /// of the last distinct params is cached so that a loop resetting with the same params does
    /// not rebuild it; a flat one (the usual: numbers, strings, booleans) is copied from its key
    /// list in one sized allocation (``ludus_copy_params``) instead of walked and grown.
    private func pushParams(_ params: Value) throws(ScriptError) {
        if cachedParams?.value != params {
            if let old = cachedParams { vm.release(old.ref); old.keys.map { vm.release($0) } }
            cachedParams = nil
            let ref = try vm.makeRef(params)
            var keys: LuaRef?
            if case .table(let fields) = params, !fields.values.contains(where: Self.isTable) {
                // The order the push wrote the table in (LuaVM+Stack.swift): sorted keys.
                do { keys = try vm.makeRef(.array(fields.keys.sorted().map { .string($0) })) } catch {
                    vm.release(ref)
                    throw error
                }
            }
            cachedParams = (params, ref, keys)
        }
        let L = vm.L
        if let keys = cachedParams!.keys {
            try vm.check(ludus_copy_params(L, cachedParams!.ref, keys))
        } else {
            lua_rawgeti(L, ludus_registry_index(), lua_Integer(cachedParams!.ref))
            defer { ludus_remove(L, -2) }
            try vm.check(ludus_deep_copy(L, -1))
        }
    }

    private static func isTable(_ value: Value) -> Bool {
        switch value {
        case .array, .table: return true
        default: return false
        }
    }

    /// `E.step(self, action)` for a discrete action: the hot path, allocation-free.
    @inline(__always)
    public func step(discrete action: Int64) throws(ScriptError) -> StepOutcome {
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        ahead.pointee.valid = false
        let eager = lazy.pointee.eager || detail.pointee
        var reward = 0.0
        var flags: Int32 = 0
        try vm.check(ludus_step_integer(
            L, stepTurnRef ?? stepRef, instanceRef, lua_Integer(action), stepTurnRef == nil ? 5 : 7,
            eager ? LUA_NOREF : observationSlot, &reward, &flags))
        if eager {
            lazy.pointee.stale = false
            try copyObservation(at: top + 1, function: "step")
        } else {
            lazy.pointee.stale = true
        }
        return try readStep(top: top, flags: flags, reward: reward)
    }

    /// `E.step(self, action)`.
    public func step(_ action: LuaAction) throws(ScriptError) -> StepOutcome {
        if case .integer(let value) = action { return try step(discrete: value) }
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(stepTurnRef ?? stepRef))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        switch action {
        case .integer(let value): lua_pushinteger(L, lua_Integer(value))
        case .numbers(let values): try vm.push(.value(.array(values.map { .number($0) })))
        case .text(let text): try vm.pushString(text)
        case .value(let value): try vm.push(.value(value))
        }
        return try finishStep(top: top)
    }

    @inline(__always)
    private func finishStep(top: Int32) throws(ScriptError) -> StepOutcome {
        let L = vm.L
        ahead.pointee.valid = false
        try vm.check(ludus_call(L, 2, stepTurnRef == nil ? 5 : 7))
        try parkOrCopyObservation(at: top + 1, function: "step")
        var reward = 0.0
        let flags = ludus_read_step(L, top + 1, &reward)
        return try readStep(top: top, flags: flags, reward: reward)
    }

    /// The rest of a step once the script returned (results from `top + 1`) and its flags and
    /// number reward were read: the checks, the per-player rewards, detail and the turn ahead.
    @inline(__always)
    private func readStep(top: Int32, flags: Int32, reward: Double) throws(ScriptError) -> StepOutcome {
        var reward = reward
        guard flags != LUDUS_STEP_BAD_FLAGS else {
            throw contractError("step", "must return terminated and truncated as booleans (got \(typeName(top + 3)) and \(typeName(top + 4)))")
        }
        if flags & LUDUS_STEP_REWARD_NOT_NUMBER != 0 || players > 1 {
            reward = try readReward(at: top + 2)
        } else {
            rewardBuffer[0] = reward
        }
        if detail.pointee {
            lastObservation = try vm.read(at: top + 1, what: "E.step's observation")
            lastInfo = try vm.read(at: top + 5, what: "E.step's info")
        }
        if stepTurnRef != nil { keepTurnAhead(at: top + 6) }
        return StepOutcome(reward: reward, terminated: flags & 1 != 0, truncated: flags & 2 != 0)
    }

    /// Keeps the turn a fused step returned at `index` (player) and `index + 1` (legal
    /// actions). Anything malformed is dropped: ``turn(legal:)`` then asks the script itself
    /// and reports the problem as it would have without fusing.
    @inline(__always)
    private func keepTurnAhead(at index: Int32) {
        let L = vm.L
        var isInteger: Int32 = 0
        let player = Int(ludus_tointeger(L, index, &isInteger))
        guard isInteger != 0 else { return }
        if player == 0 || player == -1 {
            ahead.pointee = (true, player, 0)
        } else if lua_type(L, index + 1) == LUA_TTABLE {
            let count = readIntoScratch(at: index + 1).count
            if count >= 0 && count <= legalScratch.pointee.count { ahead.pointee = (true, player, Int(count)) }
        }
    }

    /// `E.legal_actions(self)`, written into `actions` (reused).
    public func legalActions(into actions: inout [Int]) throws(ScriptError) {
        guard let legalActionsRef else {
            actions.removeAll(keepingCapacity: true)
            return
        }
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(legalActionsRef))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        try vm.check(ludus_call(L, 1, 1))
        try readLegal(at: -1, into: &actions)
    }

    /// The player to move and, unless the episode is over, the legal actions: one call into Lua
    /// (the prelude's `turn`) instead of two, for game loops.
    public func turn(legal actions: inout [Int]) throws(ScriptError) -> Int {
        if ahead.pointee.valid {
            ahead.pointee.valid = false
            copyScratch(count: ahead.pointee.count, into: &actions)
            return ahead.pointee.player
        }
        guard currentPlayerRef != nil, legalActionsRef != nil, let turnRef else {
            // A task that names no player and lists no actions (single-player, every action
            // legal): nothing to ask the VM, every step.
            if currentPlayerRef == nil && legalActionsRef == nil {
                actions.removeAll(keepingCapacity: true)
                return 1
            }
            let player = try currentPlayer()
            if player != 0 && player != -1 { try legalActions(into: &actions) } else { actions.removeAll(keepingCapacity: true) }
            return player
        }
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(turnRef))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(module.moduleRef))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        try vm.check(ludus_call(L, 2, 2))
        var isInteger: Int32 = 0
        let player = Int(ludus_tointeger(L, top + 1, &isInteger))
        guard isInteger != 0 else { throw contractError("current_player", "must return an integer, got \(typeName(top + 1))") }
        if player == 0 || player == -1 {  // over, or a chance node
            actions.removeAll(keepingCapacity: true)
        } else {
            try readLegal(at: top + 2, into: &actions)
        }
        return player
    }

    private func readLegal(at index: Int32, into actions: inout [Int]) throws(ScriptError) {
        let L = vm.L
        guard lua_type(L, index) == LUA_TTABLE else {
            throw contractError("legal_actions", "must return a list of integers, got \(typeName(index))")
        }
        let (count, bad) = readIntoScratch(at: index)
        guard count >= 0, count <= legalScratch.pointee.count else {
            throw contractError("legal_actions", bad > 0 ? "element \(bad) is not an integer" : "must return a list of integers, got \(typeName(index))")
        }
        copyScratch(count: Int(count), into: &actions)
    }

    /// Reads the list at `index` into ``legalScratch`` (grown when too small): the count, or
    /// a negative count with the first bad element's position (0: not a list).
    @inline(__always)
    private func readIntoScratch(at index: Int32) -> (count: Int32, bad: Int32) {
        var bad: Int32 = 0
        var count = ludus_read_integers(vm.L, index, legalScratch.pointee.baseAddress, Int32(legalScratch.pointee.count), &bad)
        if count > legalScratch.pointee.count {
            legalScratch.pointee.deallocate()
            legalScratch.pointee = .allocate(capacity: Int(count))
            count = ludus_read_integers(vm.L, index, legalScratch.pointee.baseAddress, Int32(legalScratch.pointee.count), &bad)
        }
        return (count, bad)
    }

    /// Writes the first `count` scratch entries over `actions` in place (resized only when the
    /// count changed), without the per-element capacity checks of `append`.
    @inline(__always)
    private func copyScratch(count: Int, into actions: inout [Int]) {
        if actions.count > count {
            // One at a time: the list usually shrinks by one move, and `removeLast(_:)` is a
            // generic path that cost more than the copy.
            while actions.count > count { actions.removeLast() }
        } else if actions.count < count {
            actions.append(contentsOf: repeatElement(0, count: count - actions.count))
        }
        let scratch = legalScratch.pointee
        actions.withUnsafeMutableBufferPointer { out in
            for k in 0..<count { out[k] = Int(scratch[k]) }
        }
    }

    /// `E.current_player(self)`: 1...players, or 0 once the episode is over.
    public func currentPlayer() throws(ScriptError) -> Int {
        guard let currentPlayerRef else { return 1 }
        let L = vm.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(currentPlayerRef))
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
        try vm.check(ludus_call(L, 1, 1))
        var isInteger: Int32 = 0
        let player = ludus_tointeger(L, -1, &isInteger)
        guard isInteger != 0 else {
            throw contractError("current_player", "must return an integer, got \(typeName(-1))")
        }
        return Int(player)
    }

    /// `E.render(self)`, or nil when the environment has no renderer.
    public func render() throws(ScriptError) -> String? {
        guard module.hasFunction("render") else { return nil }
        ahead.pointee.valid = false
        let result = try callMethod("render", [], results: 1)[0]
        guard case .string(let text) = result else {
            throw contractError("render", "must return a string, got \(result.typeName)")
        }
        return text
    }

    /// A copy whose future is identical: `E.clone(self)` if defined, else a deep copy
    /// of the instance table (the rng state is copied too). Shares the VM.
    public func clone() throws(ScriptError) -> ScriptEnvironment {
        let instance: LuaRef
        if module.hasFunction("clone") {
            ahead.pointee.valid = false
            let L = vm.L
            let top = lua_gettop(L)
            defer { lua_settop(L, top) }
            lua_rawgeti(L, ludus_registry_index(), lua_Integer(try module.functionRef("clone")))
            lua_rawgeti(L, ludus_registry_index(), lua_Integer(instanceRef))
            try vm.check(ludus_call(L, 1, 1))
            guard lua_type(L, -1) == LUA_TTABLE else { throw contractError("clone", "must return a table") }
            instance = try vm.makeRef()
        } else {
            instance = try vm.deepCopy(instanceRef)
        }
        return ScriptEnvironment(copying: self, instance: instance)
    }

    /// Calls `E.name(self, arguments...)` and copies `results` values out.
    public func callMethod(_ name: String, _ arguments: [Value], results: Int) throws(ScriptError) -> [Value] {
        let function = try module.functionRef(name)
        ahead.pointee.valid = false
        return try vm.call(function, [.ref(instanceRef)] + arguments.map { .value($0) }, results: results)
    }

    // MARK: - Reading results

    private func typeName(_ index: Int32) -> String { String(cString: lua_typename(vm.L, lua_type(vm.L, index))) }

    func contractError(_ function: String, _ message: String) -> ScriptError {
        .script(location: module.location(of: function), message: "E.\(function) \(message)", traceback: "")
    }

    private func readReward(at index: Int32) throws(ScriptError) -> Double {
        let L = vm.L
        var isNumber: Int32 = 0
        if lua_type(L, index) == LUA_TTABLE {
            if ludus_read_rewards(L, index, rewardBuffer.baseAddress, Int32(players)) != 0 { return rewardBuffer[0] }
            // Exactly one number per player: a short list would leave stale rewards from
            // earlier steps, a long one hides a bug.
            let count = Int(lua_rawlen(L, index))
            guard count == players else {
                throw contractError("step", "must return a reward table with one number per player (\(players)), got \(count) entr\(count == 1 ? "y" : "ies")")
            }
            for player in 0..<players {
                lua_rawgeti(L, index, lua_Integer(player + 1))
                rewardBuffer[player] = ludus_tonumber(L, -1, &isNumber)
                ludus_pop(L, 1)
                guard isNumber != 0 else {
                    throw contractError("step", "reward table must hold a number for each of the \(players) players (entry \(player + 1) is not a number)")
                }
            }
            return rewardBuffer[0]
        }
        let reward = ludus_tonumber(L, index, &isNumber)
        guard lua_type(L, index) == LUA_TNUMBER else {
            throw contractError("step", "must return a number as reward (or a table per player), got \(typeName(index))")
        }
        guard players == 1 else {
            throw contractError("step", "returned a single number as reward in a \(players)-player game: return a table with one reward per player, like {1, -1}")
        }
        rewardBuffer[0] = reward
        return reward
    }

    /// Copies the observation at `index` into ``observation`` when every step's is read (or
    /// detail is captured); else parks it in ``observationSlot`` for a copy on first read.
    @inline(__always)
    private func parkOrCopyObservation(at index: Int32, function: String) throws(ScriptError) {
        if lazy.pointee.eager || detail.pointee {
            lazy.pointee.stale = false
            try copyObservation(at: index, function: function)
        } else {
            lua_pushvalue(vm.L, index)
            lua_rawseti(vm.L, ludus_registry_index(), lua_Integer(observationSlot))  // an existing slot: no allocation
            lazy.pointee.stale = true
        }
    }

    @inline(__always)
    private func copyObservation(at index: Int32, function: String) throws(ScriptError) {
        if plan.isFlat {
            // The common case: numbers only, at most one level of named or positional parts.
            // C copies the numbers in one call; text parts, and any part that did not fit (to
            // word the problem), take the loop below.
            if let base = numbers.baseAddress,
                ludus_copy_flat_numbers(vm.L, index, flatCopy.entries.baseAddress, Int32(flatCopy.entries.count), base) < 0
            {
                if flatCopy.hasText { try copyFlat(at: index, function: function, textOnly: true) }
                return
            }
            try copyFlat(at: index, function: function, textOnly: false)
            return
        }
        var cursor = 0
        var textSlot = 0
        if let problem = copy(layout, at: index, into: numbers, cursor: &cursor, textSlot: &textSlot) {
            throw contractError(function, "returned an observation that does not fit its space: \(problem)")
        }
    }

    /// The flat plan part by part: every part, or only the text parts once C copied the numbers.
    private func copyFlat(at index: Int32, function: String, textOnly: Bool) throws(ScriptError) {
            let L = vm.L
            let base = numbers.baseAddress
            for entry in plan.entries where !textOnly || entry.isText {
                var value = index
                if entry.source != .whole {
                    guard lua_type(L, index) == LUA_TTABLE else {
                        throw contractError(function, "returned an observation that does not fit its space: expected a table, got \(typeName(index))")
                    }
                    if entry.source == .field {
                        lua_rawgeti(L, ludus_registry_index(), lua_Integer(entry.key))
                        lua_rawget(L, index < 0 ? index - 1 : index)
                    } else {
                        lua_rawgeti(L, index, lua_Integer(entry.key))
                    }
                    value = -1
                }
                if entry.isText {
                    var problem = lua_type(L, value) == LUA_TSTRING ? nil : "expected a string, got \(typeName(value))"
                    if problem == nil { problem = readText(at: value, into: Int(entry.offset)) }
                    if entry.source != .whole { ludus_pop(L, 1) }
                    if let problem {
                        throw contractError(function, "returned an observation that does not fit its space: \(entry.name.isEmpty ? "" : entry.name + ": ")\(problem)")
                    }
                    continue
                }
                let written = ludus_read_numbers(L, value, base.map { $0 + Int(entry.offset) }, entry.count)
                if entry.source != .whole { ludus_pop(L, 1) }
                if written != entry.count {
                    throw contractError(function, "returned an observation that does not fit its space: \(entry.name.isEmpty ? "" : entry.name + ": ")expected \(entry.count) number(s), got \(written < 0 ? "something else or more" : String(written))")
                }
            }
    }

    /// Stores the string at `index` in a text slot; an unchanged text (a mission that
    /// stays the same all episode) is compared in place, not copied again. A string longer
    /// than 4 bytes per declared character is refused before anything is copied.
    @inline(__always)
    private func readText(at index: Int32, into slot: Int) -> String? {
        var length = 0
        guard let pointer = lua_tolstring(vm.L, index, &length) else { return nil }
        if length > textMaxBytes[slot] {
            return "text of \(length) bytes cannot fit \(textMaxBytes[slot] / 4) characters (at most 4 bytes each): refused before copying"
        }
        let same = texts[slot].utf8.withContiguousStorageIfAvailable {
            $0.count == length && (length == 0 || memcmp($0.baseAddress!, pointer, length) == 0)
        } ?? false
        if !same { texts[slot] = vm.readString(at: index) }
        return nil
    }

    /// Returns nil on success, else what did not fit.
    private func copy(
        _ layout: ObservationLayout, at index: Int32, into buffer: UnsafeMutableBufferPointer<Double>,
        cursor: inout Int, textSlot: inout Int
    ) -> String? {
        let L = vm.L
        switch layout {
        case .number, .numbers:
            let expected = layout.numberCount
            let written = ludus_read_numbers(L, index, buffer.baseAddress.map { $0 + cursor }, Int32(expected))
            guard written == expected else {
                return written < 0 ? "expected \(expected) number(s), got \(typeName(index)) with more or non-numbers"
                    : "expected \(expected) number(s), got \(written)"
            }
            cursor += expected
        case .text:
            guard lua_type(L, index) == LUA_TSTRING else { return "expected a string, got \(typeName(index))" }
            if let problem = readText(at: index, into: textSlot) { return problem }
            textSlot += 1
        case .dict(let entries):
            guard lua_type(L, index) == LUA_TTABLE else { return "expected a table, got \(typeName(index))" }
            let table = lua_absindex(L, index)
            for entry in entries {
                lua_rawgeti(L, ludus_registry_index(), lua_Integer(keyRefs[entry.key]!))
                lua_rawget(L, table)
                defer { ludus_pop(L, 1) }
                if let problem = copy(entry.layout, at: -1, into: buffer, cursor: &cursor, textSlot: &textSlot) {
                    return "\(entry.key): \(problem)"
                }
            }
        case .tuple(let parts):
            guard lua_type(L, index) == LUA_TTABLE else { return "expected a table, got \(typeName(index))" }
            let table = lua_absindex(L, index)
            for (offset, part) in parts.enumerated() {
                lua_rawgeti(L, table, lua_Integer(offset + 1))
                defer { ludus_pop(L, 1) }
                if let problem = copy(part, at: -1, into: buffer, cursor: &cursor, textSlot: &textSlot) {
                    return "[\(offset + 1)]: \(problem)"
                }
            }
        }
        return nil
    }
}

extension LuaVM {
    /// Calls a prelude function and keeps its first result as a reference.
    public func callPreludeRef(_ name: String, _ arguments: [LuaArgument]) throws(ScriptError) -> LuaRef {
        guard let function = try field(prelude, name) else {
            throw ScriptError.script(location: nil, message: "prelude has no \(name)", traceback: "")
        }
        defer { release(function) }
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, ludus_registry_index(), lua_Integer(function))
        for argument in arguments { try push(argument) }
        try check(ludus_call(L, Int32(arguments.count), 1))
        return try makeRef()
    }
}

/// A precomputed copy plan for observations made of numbers and text, flat or with
/// one level of named (dict) or positional (tuple) parts: no recursion, no lookups by name.
struct FlattenPlan {
    enum Source { case whole, field, index }
    struct Entry {
        var source: Source
        var key: LuaRef
        /// Numbers: where they go in the buffer. Text: its slot.
        var offset: Int32
        /// Numbers: how many. Text: -1.
        var count: Int32
        var name: String
        var isText: Bool { count < 0 }
    }
    let entries: [Entry]
    let isFlat: Bool

    init(entries: [Entry], isFlat: Bool) {
        self.entries = entries
        self.isFlat = isFlat
    }

    init(layout: ObservationLayout, keyRefs: [String: LuaRef]) {
        var offset: Int32 = 0
        var textSlot: Int32 = 0
        func leaf(_ layout: ObservationLayout, _ source: Source, _ key: LuaRef, _ name: String) -> Entry? {
            switch layout {
            case .number, .numbers:
                let count = Int32(layout.numberCount)
                defer { offset += count }
                return Entry(source: source, key: key, offset: offset, count: count, name: name)
            case .text:
                defer { textSlot += 1 }
                return Entry(source: source, key: key, offset: textSlot, count: -1, name: name)
            default:
                return nil
            }
        }
        var entries: [Entry] = []
        switch layout {
        case .number, .numbers, .text:
            entries = [leaf(layout, .whole, 0, "")!]
        case .dict(let parts):
            for part in parts {
                guard let key = keyRefs[part.key], let entry = leaf(part.layout, .field, key, part.key) else {
                    self.init(entries: [], isFlat: false)
                    return
                }
                entries.append(entry)
            }
        case .tuple(let parts):
            for (i, part) in parts.enumerated() {
                guard let entry = leaf(part, .index, LuaRef(i + 1), "[\(i + 1)]") else {
                    self.init(entries: [], isFlat: false)
                    return
                }
                entries.append(entry)
            }
        }
        self.init(entries: entries, isFlat: true)
    }
}

/// A ``FlattenPlan`` as `ludus_copy_flat_numbers` reads it: plain C structs, no names, so the
/// per-step copy pays no retains and no bounds checks. Owned by its environment (freed in deinit).
struct FlatCopy {
    let entries: UnsafeMutableBufferPointer<ludus_flat_entry>
    /// Whether some part is text (copied by the host after the numbers).
    let hasText: Bool

    init(plan: FlattenPlan) {
        entries = .allocate(capacity: plan.entries.count)
        for (k, entry) in plan.entries.enumerated() {
            let source: Int32 = switch entry.source {
            case .whole: LUDUS_FLAT_WHOLE
            case .field: LUDUS_FLAT_FIELD
            case .index: LUDUS_FLAT_INDEX
            }
            entries[k] = ludus_flat_entry(source: source, key: Int32(entry.key), offset: entry.offset, count: entry.count)
        }
        hasText = plan.entries.contains { $0.isText }
    }
}
