
/// Why an environment could not be loaded or could not go on.
public enum EnvironmentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The script failed: syntax, runtime error, time or memory limit, or sandbox violation.
    case script(ScriptError, file: String)
    /// The script declares something malformed (spaces, params, facts).
    case spec(SpecError, file: String)
    /// A parameter value was rejected.
    case parameter(ParameterError)
    /// No environment has this id or path.
    case notFound(String, searched: [String])
    /// The script file cannot be read as a script (not a regular file, missing).
    case unreadable(String, reason: String)
    /// The script ran but broke the contract (a reward of the wrong shape or not finite,
    /// an observation outside its space, a player to move out of range).
    case contract(ContractViolation)
    /// A loop needs a function the script does not define (`E.item` for datasets).
    case missingFunction(String, environment: String, purpose: String)

    public var description: String {
        switch self {
        case .script(let error, let file):
            return error.location == nil ? "\(file): \(error)" : error.description
        case .spec(let error, let file):
            return error.location == nil ? "\(file): \(error.message)" : error.description
        case .parameter(let error): return error.description
        case .notFound(let name, let searched):
            return "no environment '\(name)' (searched \(searched.joined(separator: ", ")); try `ludus list`)"
        case .contract(let violation): return violation.description
        case .unreadable(let file, let reason): return "\(file): \(reason)"
        case .missingFunction(let name, let environment, let purpose):
            return "\(environment) has no function E.\(name): \(purpose)"
        }
    }

    /// A stable kind name for logs, JUnit and databases.
    public var kind: String {
        switch self {
        case .script(let error, _): return error.kind
        case .spec: return "spec_error"
        case .parameter: return "parameter_error"
        case .notFound: return "not_found"
        case .contract: return "contract_violation"
        case .unreadable: return "unreadable"
        case .missingFunction: return "missing_function"
        }
    }
}

/// A broken promise of the environment contract, found by the host while running the script.
public struct ContractViolation: Hashable, Sendable, CustomStringConvertible {
    /// The script function at fault (`step`, `current_player`...).
    public var function: String
    public var message: String
    /// Where `E.<function>` is defined, when known.
    public var location: SourceLocation?
    /// The script's path (named when the location is unknown).
    public var file: String

    public init(function: String, message: String, location: SourceLocation?, file: String) {
        self.function = function
        self.message = message
        self.location = location
        self.file = file
    }

    public var description: String { "\(location?.description ?? file): E.\(function) \(message)" }
}
