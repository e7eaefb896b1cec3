import LudusLua

/// The host's side of the level contract, over one environment instance: reads the
/// current episode's level (`E.level(self)`), plays a given level (reset with it in the
/// reserved parameter), mutates one (`E.mutate(self, level, n)`) and asks whether one
/// is solvable (`E.solvable(self, level)`), all through ``Environment/call(_:_:results:)``.
///
/// Mutations use the episode's seeded generator: the editor resets the environment on
/// the parent level with the given seed, then calls `mutate`, so the same parent, edit
/// count and seed always give the same child. It shares the environment with its loop
/// (single-threaded, between episodes: the next episode resets anyway).
public final class LevelEditor {
    public let environment: any Environment
    /// The resolved parameters every reset uses (defaults and fixed values); levels override them.
    public var baseParams: [String: Value]
    public let canMutate: Bool
    public let canTellSolvable: Bool

    /// - Throws: ``LevelError/unsupported(environment:function:)`` when the script has no `E.level`.
    public init(environment: any Environment, baseParams: [String: Value]? = nil) throws(LevelError) {
        let spec = environment.spec
        guard spec.functions.contains("level") else { throw .unsupported(environment: spec.id, function: "level") }
        self.environment = environment
        self.baseParams = baseParams ?? spec.parameters.defaults
        canMutate = spec.functions.contains("mutate")
        canTellSolvable = spec.functions.contains("solvable")
    }

    /// True when the environment declares `E.level`.
    public static func supports(_ spec: EnvironmentSpec) -> Bool { spec.functions.contains("level") }

    /// The level of the episode the environment is in (after a reset).
    /// - Throws: ``LevelError/failed(function:reason:)``.
    public func current() throws(LevelError) -> Level {
        let value: Value
        do { value = try environment.call("level", [], results: 1).first ?? .nil } catch {
            throw .failed(function: "level", reason: error.description)
        }
        guard case .table = value else {
            throw .failed(function: "level", reason: "returned \(value.typeName), expected a table (call it after reset)")
        }
        return Level(value)
    }

    /// Generates the level of a reset with `seed` and `params` (resolved) and returns it.
    public func generate(seed: UInt64, params: [String: Value]) throws(LevelError) -> Level {
        do { try environment.reset(seed: seed, params: params) } catch {
            throw .failed(function: "reset", reason: error.description)
        }
        return try current()
    }

    /// Resets on `level`: the environment validates it. `source` names it in the error.
    /// - Throws: ``LevelError/invalid(source:reason:)`` when reset rejects the level.
    public func load(_ level: Level, seed: UInt64 = 0, source: String? = nil) throws(LevelError) {
        do { try environment.reset(seed: seed, params: level.params(baseParams)) } catch {
            throw .invalid(source: source ?? "level \(level.hash)", reason: error.description)
        }
    }

    /// `level` changed by `edits` of the environment's edits, drawn with `seed`.
    /// - Throws: ``LevelError``: no `E.mutate`, the parent rejected, or mutate failed.
    public func mutate(_ level: Level, edits: Int, seed: UInt64) throws(LevelError) -> Level {
        guard canMutate else { throw .unsupported(environment: environment.spec.id, function: "mutate") }
        try load(level, seed: seed)
        let value: Value
        do { value = try environment.call("mutate", [level.value, .int(Int64(edits))], results: 1).first ?? .nil } catch {
            throw .failed(function: "mutate", reason: error.description)
        }
        guard case .table = value else { throw .failed(function: "mutate", reason: "returned \(value.typeName), expected a level table") }
        return Level(value)
    }

    /// Whether the goal can be reached, or nil when the environment cannot tell (no `E.solvable`).
    public func solvable(_ level: Level) throws(LevelError) -> Bool? {
        guard canTellSolvable else { return nil }
        let answer: Value
        do { answer = try environment.call("solvable", [level.value], results: 1).first ?? .nil } catch {
            throw .failed(function: "solvable", reason: error.description)
        }
        guard let solvable = answer.boolValue else { throw .failed(function: "solvable", reason: "returned \(answer.typeName), expected a boolean") }
        return solvable
    }
}
