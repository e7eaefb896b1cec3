import Logging
import LudusLua

/// An environment defined by a Lua script, running in its own sandboxed VM.
public final class LuaEnvironment: Environment {
    public let spec: EnvironmentSpec
    public let script: ScriptEnvironment
    let file: String  // internal: the dataset fast path (Run/Dataset.swift) words its errors as `wrap` does

    /// Loads a script into a fresh VM and reads its facts.
    /// - Parameters:
    ///   - path: the `.lua` file.
    ///   - displayName: the name errors use (`file:line`), usually the path as the user knows it.
    ///   - libraryDirectory: the folder `require` loads from (`Environments/lib`).
    ///   - game: game parameters given with the name (`kuhn_poker(players=3)`), checked
    ///     against `E.game_params`.
    /// - Throws: ``EnvironmentError/lua(_:file:)``, ``EnvironmentError/spec(_:file:)``, or
    ///   ``EnvironmentError/parameter(_:)`` for a game parameter the script does not declare or take.
    public init(
        path: String, displayName: String? = nil, limits: LuaLimits = .default, libraryDirectory: String? = nil,
        game: GameName? = nil, logger: Logger? = nil
    ) throws(EnvironmentError) {
        let name = displayName ?? path
        file = name
        let log: (String) -> Void = { message in logger?.info("\(name): \(message)") }
        do {
            let vm = try LuaVM(limits: limits, libraryDirectory: libraryDirectory, log: log)
            let module = try ScriptModule(vm: vm, path: path, displayName: name, gameParameters: game?.table ?? [:])
            var parsed: EnvironmentSpec
            do throws(SpecError) {
                parsed = try EnvironmentSpec(definition: module.definition, path: path, location: SourceLocation(file: name, line: 1))
            } catch {
                throw EnvironmentError.spec(error, file: name)
            }
            do throws(ParameterError) {
                parsed.gameParams = try parsed.gameParameters.resolve(game?.table ?? [:], environment: "\(parsed.id) game parameters")
            } catch {
                var error = error
                if error.message.hasPrefix("unknown parameter"), parsed.parameters[error.parameter] != nil {
                    error.message += "; '\(error.parameter)' is an episode parameter: give it with --param \(error.parameter)=VALUE"
                }
                throw EnvironmentError.parameter(error)
            }
            if let game, !game.given.isEmpty { parsed.name = parsed.id + "(" + game.description.drop { $0 != "(" }.dropFirst() }
            spec = parsed
            script = try ScriptEnvironment(
                module: module, layout: spec.observationSpace.layout, players: spec.players,
                textMaxLengths: spec.observationSpace.textMaxLengths)
        } catch let error as ScriptError {
            throw .script(error, file: name)
        } catch let error as EnvironmentError {
            throw error
        } catch {
            throw .spec(SpecError("\(error)"), file: name)
        }
    }

    private init(spec: EnvironmentSpec, script: ScriptEnvironment, file: String) {
        self.spec = spec
        self.script = script
        self.file = file
    }

    private func wrap<T>(_ body: () throws(ScriptError) -> T) throws(EnvironmentError) -> T {
        do { return try body() } catch { throw .script(error, file: file) }
    }

    public func reset(seed: UInt64, params: [String: Value]) throws(EnvironmentError) {
        try wrap { () throws(ScriptError) in try script.reset(seed: seed, params: .table(params)) }
    }

    @inline(__always)
    public func step(_ action: Action) throws(EnvironmentError) -> Step {
        let outcome = try stepOutcome(action)
        let rewards = script.rewards
        return rewards.count > 1 ? Step(rewards: rewards, terminated: outcome.terminated, truncated: outcome.truncated)
                                 : Step(reward: outcome.reward, terminated: outcome.terminated, truncated: outcome.truncated)
    }

    /// A step without building a ``Step`` (no array): per-player rewards stay in ``rewards``.
    @inline(__always)
    public func stepOutcome(_ action: Action) throws(EnvironmentError) -> StepOutcome {
        do {
            if case .discrete(let i) = action { return try script.step(discrete: Int64(i)) }
            return try script.step(action.luaAction(in: spec.actionSpace))
        } catch { throw .script(error, file: file) }
    }

    /// Per-player rewards of the last step (a view: valid until the next step).
    public var rewards: UnsafeBufferPointer<Double> { script.rewards }

    /// The hot path for discrete actions: no `Step` array copy, just the outcome.
    @inline(__always)
    public func stepDiscrete(_ action: Int) throws(EnvironmentError) -> StepOutcome {
        do { return try script.step(discrete: Int64(action)) } catch { throw .script(error, file: file) }
    }

    public var observation: ObservationView { script.observation }
    /// Whether steps copy observations into Swift eagerly (default) or on first read.
    public var copiesObservation: Bool {
        get { script.copiesObservation }
        set { script.copiesObservation = newValue }
    }
    public var capturesDetail: Bool {
        get { script.capturesDetail }
        set { script.capturesDetail = newValue }
    }
    public var lastObservation: Value { script.lastObservation }
    public var lastInfo: Value { script.lastInfo }
    /// The instance table, for state hashes and debugging.
    public var state: Value { get throws(EnvironmentError) { try wrap { () throws(ScriptError) in try script.state } } }
    public var memoryUsed: Int { script.vm.memoryUsed }

    public func currentPlayer() throws(EnvironmentError) -> Int {
        try wrap { () throws(ScriptError) in try script.currentPlayer() }
    }

    public func legalActions(into actions: inout [Int]) throws(EnvironmentError) {
        guard spec.hasLegalActions else {
            actions.removeAll(keepingCapacity: true)
            return
        }
        do { try script.legalActions(into: &actions) } catch { throw .script(error, file: file) }
    }

    /// The player to move and the legal actions, in one call into Lua (game loops).
    public func turn(legal actions: inout [Int]) throws(EnvironmentError) -> Int {
        do { return try script.turn(legal: &actions) } catch { throw .script(error, file: file) }
    }

    public func render() throws(EnvironmentError) -> String? {
        try wrap { () throws(ScriptError) in try script.render() }
    }

    public func clone() throws(EnvironmentError) -> any Environment {
        let copy = try wrap { () throws(ScriptError) in try script.clone() }
        return LuaEnvironment(spec: spec, script: copy, file: file)
    }

    // MARK: Hidden information and chance

    public func observation(of player: Int) throws(EnvironmentError) -> Value {
        guard spec.hasPrivateObservations else { return lastObservation }
        return try wrap { () throws(ScriptError) in try script.callMethod("observe", [.int(Int64(player))], results: 1)[0] }
    }

    public func informationState(of player: Int) throws(EnvironmentError) -> String {
        guard spec.hasInformationStates else {
            throw .missingFunction("information_state", environment: spec.id, purpose: "search and solvers need each player's information state")
        }
        let value = try wrap { () throws(ScriptError) in try script.callMethod("information_state", [.int(Int64(player))], results: 1)[0] }
        guard case .string(let text) = value else {
            throw .contract(ContractViolation(function: "information_state", message: "must return a string, got \(value.typeName)",
                                              location: location(of: "information_state"), file: file))
        }
        return text
    }

    public func chanceOutcomes() throws(EnvironmentError) -> [ChanceOutcome] {
        guard spec.hasExplicitChance else { return [] }
        let value = try wrap { () throws(ScriptError) in try script.callMethod("chance_outcomes", [], results: 1)[0] }
        guard let list = value.arrayValue else {
            throw chanceViolation("must return a list of {action, probability} pairs, got \(value.typeName)")
        }
        var outcomes: [ChanceOutcome] = []
        outcomes.reserveCapacity(list.count)
        for (index, pair) in list.enumerated() {
            guard let items = pair.arrayValue, items.count == 2, let action = items[0].intValue, let probability = items[1].doubleValue else {
                throw chanceViolation("entry \(index + 1) is not an {action, probability} pair: \(JSON.encode(pair))")
            }
            outcomes.append(ChanceOutcome(action: action, probability: probability))
        }
        return outcomes
    }

    private func chanceViolation(_ message: String) -> EnvironmentError {
        .contract(ContractViolation(function: "chance_outcomes", message: message, location: location(of: "chance_outcomes"), file: file))
    }

    public func reseed(_ seed: UInt64) throws(EnvironmentError) {
        try wrap { () throws(ScriptError) in try script.reseed(seed) }
    }

    public func resample(for player: Int, seed: UInt64) throws(EnvironmentError) {
        try reseed(seed)
        guard spec.canResample else { return }
        _ = try wrap { () throws(ScriptError) in try script.callMethod("resample", [.int(Int64(player))], results: 0) }
    }

    public func location(of function: String) -> SourceLocation? { script.module.location(of: function) }

    public func call(_ name: String, _ arguments: [Value], results: Int) throws(EnvironmentError) -> [Value] {
        guard spec.functions.contains(name) else { throw .missingFunction(name, environment: spec.id, purpose: "it was asked for") }
        return try wrap { () throws(ScriptError) in try script.callMethod(name, arguments, results: results) }
    }
}

