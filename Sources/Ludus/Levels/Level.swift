import LudusLua

/// A level as data: the value an environment's `E.level(self)` returns for the current
/// episode and its reset accepts back (as the reserved parameter ``parameter``) instead
/// of generating one from its parameters and seed. Gridworlds: the ASCII layout, the
/// step budget and the mission (`Environments/lib/minigrid/levels.lua`).
///
/// Levels are compared and stored by ``hash``: FNV-1a (``StableHash``) of the value's
/// canonical JSON (sorted keys), the same on every machine and run.
public struct Level: Hashable, Sendable {
    /// The reserved name under which reset receives a level in its params table
    /// (`params._level`); never a declared parameter.
    public static let parameter = "_level"

    public let value: Value
    /// Sixteen hex digits.
    public let hash: String

    public init(_ value: Value) {
        self.value = value
        var hasher = StableHash()
        hasher.combine(JSON.encode(value))
        hash = hasher.hex
    }

    /// The canonical JSON of the value.
    public var json: String { JSON.encode(value) }

    /// `params` (already resolved) with this level in the reserved slot.
    public func params(_ params: [String: Value]) -> [String: Value] {
        var copy = params
        copy[Self.parameter] = value
        return copy
    }
}

/// Why a level could not be saved, loaded, played or mutated.
public enum LevelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The environment does not define the level function `function` (`level`, `mutate`).
    case unsupported(environment: String, function: String)
    /// A level file that is not readable JSON of the level file format.
    case badFile(path: String, reason: String)
    /// A level file written for another environment or version.
    case wrongEnvironment(path: String, expected: String, found: String)
    /// The environment rejected the level (its reset failed on it): `source` is the file or
    /// `level HASH`.
    case invalid(source: String, reason: String)
    /// A level function failed or returned something unusable.
    case failed(function: String, reason: String)

    public var description: String {
        switch self {
        case .unsupported(let environment, let function):
            return "\(environment) does not declare E.\(function), so it has no levels as data (see docs/environments.md, Levels)"
        case .badFile(let path, let reason): return "\(path): not a level file: \(reason)"
        case .wrongEnvironment(let path, let expected, let found): return "\(path): a level of \(found), not of \(expected)"
        case .invalid(let source, let reason): return "\(source): not a valid level: \(reason)"
        case .failed(let function, let reason): return "E.\(function): \(reason)"
        }
    }

    /// A stable kind name for logs and databases.
    public var kind: String {
        switch self {
        case .unsupported: return "level_unsupported"
        case .badFile: return "level_bad_file"
        case .wrongEnvironment: return "level_wrong_environment"
        case .invalid: return "level_invalid"
        case .failed: return "level_function_failed"
        }
    }
}
