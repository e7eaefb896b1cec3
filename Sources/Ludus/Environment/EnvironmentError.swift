import LudusLua

/// Why an environment could not be loaded or could not go on.
public enum EnvironmentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The script failed: syntax, runtime error, time or memory limit, or sandbox violation.
    case lua(LuaError, file: String)
    /// The script declares something malformed (spaces, params, facts).
    case spec(SpecError, file: String)
    /// A parameter value was rejected.
    case parameter(ParameterError)
    /// No environment has this id or path.
    case notFound(String, searched: [String])
    /// An agent asked for something the environment cannot do.
    case unsupported(String)

    public var description: String {
        switch self {
        case .lua(let error, let file):
            return error.location == nil ? "\(file): \(error)" : error.description
        case .spec(let error, let file):
            return error.location == nil ? "\(file): \(error.message)" : error.description
        case .parameter(let error): return error.description
        case .notFound(let name, let searched):
            return "no environment '\(name)' (searched \(searched.joined(separator: ", ")); try `ludus list`)"
        case .unsupported(let message): return message
        }
    }

    /// A stable kind name for logs, JUnit and databases.
    public var kind: String {
        switch self {
        case .lua(let error, _): return error.kind
        case .spec: return "spec_error"
        case .parameter: return "parameter_error"
        case .notFound: return "not_found"
        case .unsupported: return "unsupported"
        }
    }
}
