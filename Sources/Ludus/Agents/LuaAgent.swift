import LudusLua

/// An agent written in Lua (`lua:PATH`): a file returning a table `A` with
/// `A.act(self, observation, legal_actions)` and optionally `A.reset(self, seed)`.
/// It runs in its own sandboxed VM, under the same time and memory limits as
/// environments; any error forfeits the game.
public final class LuaAgent: Agent {
    public let name: String
    private let vm: LuaVM
    private let actRef: LuaRef
    private let resetRef: LuaRef?
    private var instance: LuaRef

    public init(path: String, limits: LuaLimits = .default) throws(SetupError) {
        name = "lua:\(path)"
        do {
            vm = try LuaVM(limits: limits)
            let module = try vm.runFile(path: path, displayName: path)
            guard let act = try vm.field(module, "act"), vm.isFunction(act) else {
                throw SetupError.badFile("\(path): a Lua agent must return a table with a function act(self, observation, legal_actions)")
            }
            actRef = act
            resetRef = try vm.field(module, "reset")
            let rng = try vm.newRandom(seed: 0)
            instance = try vm.callPreludeRef("new_instance", [.ref(module), .ref(rng)])
        } catch let error as SetupError {
            throw error
        } catch {
            // A syntax error, a failing chunk, a limit: the file is not a usable agent, and says why (file:line).
            throw .badFile("lua:\(path): \(error)")
        }
    }

    public var needsObservationValue: Bool { true }

    /// Longest forfeit reason kept from a script's error (a `__tostring` may return 200 MB).
    public static let maxReasonLength = 2000

    /// The error's kind first (`time limit:`, `memory limit:`, `script error:`, ...), cut to
    /// ``maxReasonLength`` characters.
    static func reason(_ error: ScriptError) -> String {
        let text = error.description
        guard text.utf8.count > maxReasonLength else { return text }
        let kept = String(decoding: text.utf8.prefix(maxReasonLength), as: UTF8.self)
        return kept + "... (\(text.utf8.count) bytes in all)"
    }

    /// Why `A.reset` failed this episode: the agent then forfeits at its first move.
    private var resetFailure: AgentFailure?

    public func beginEpisode(seed: UInt64, player: Int) {
        resetFailure = nil
        guard let resetRef else { return }
        do {
            _ = try vm.call(resetRef, [.ref(instance), .value(.int(Int64(bitPattern: seed)))], results: 0)
        } catch {
            resetFailure = AgentFailure(agent: name, reason: "reset failed: " + Self.reason(error))
        }
    }

    public func act(in environment: any Environment, legalActions: [Int]) throws -> Action {
        if let resetFailure { throw resetFailure }
        let result: Value
        do {
            result = try vm.call(actRef, [.ref(instance), .value(environment.lastObservation),
                                          .value(.array(legalActions.map { .int(Int64($0)) }))], results: 1)[0]
        } catch {
            throw AgentFailure(agent: name, reason: Self.reason(error))
        }
        if let action = result.intValue { return .discrete(action) }
        if let text = result.stringValue { return .text(text) }
        if let items = result.arrayValue {
            let numbers = items.compactMap(\.doubleValue)
            guard numbers.count == items.count else { throw AgentFailure(agent: name, reason: "act returned a list holding something that is not a number") }
            return .vector(numbers)
        }
        throw AgentFailure(agent: name, reason: "act returned \(result.typeName), not an action")
    }
}
