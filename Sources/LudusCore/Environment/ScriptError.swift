/// Where in a script something happened: `file:line`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var description: String { "\(file):\(line)" }
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// Parses the `file:line:` prefix Lua puts on error messages.
    public static func parse(_ message: Substring) -> (SourceLocation, Substring)? {
        // `chunk:line: text`; chunk names never hold ": " in Ludus.
        guard let firstColon = message.firstIndex(of: ":") else { return nil }
        let afterFile = message[message.index(after: firstColon)...]
        guard let secondColon = afterFile.firstIndex(of: ":"),
            let line = Int(afterFile[..<secondColon])
        else { return nil }
        let file = String(message[..<firstColon])
        guard !file.isEmpty, !file.hasPrefix("[") else { return nil }
        let text = afterFile[afterFile.index(after: secondColon)...].drop(while: { $0 == " " })
        return (SourceLocation(file: file, line: line), text)
    }
}

/// Why a call into an environment's script failed. Every case is distinct so that callers, the
/// checker and the tournament can tell a broken script from a hostile one.
public enum ScriptError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The chunk does not compile.
    case syntax(location: SourceLocation?, message: String)
    /// The script raised an error (or called something wrongly).
    case script(location: SourceLocation?, message: String, traceback: String)
    /// A call ran past its time budget and was stopped.
    case timeLimit(milliseconds: Int)
    /// The state's memory cap was reached.
    case memoryLimit(bytes: Int)
    /// The script tried to leave the sandbox.
    case sandboxViolation(location: SourceLocation?, message: String)
    /// A value the script handed back is too large for the host to copy (see the copy budget).
    case copyLimit(message: String)

    public var description: String {
        switch self {
        case .syntax(let location, let message):
            return "syntax error: \(location.map { "\($0): " } ?? "")\(message)"
        case .script(let location, let message, _):
            return "script error: \(location.map { "\($0): " } ?? "")\(message)"
        case .timeLimit(let ms):
            return "time limit: a call ran longer than \(ms) ms and was stopped"
        case .memoryLimit(let bytes):
            return "memory limit: the script needed more than \(bytes / (1 << 20)) MiB and was stopped"
        case .sandboxViolation(let location, let message):
            return "sandbox violation: \(location.map { "\($0): " } ?? "")\(message)"
        case .copyLimit(let message):
            return "copy limit: \(message)"
        }
    }

    /// The `file:line` the error points at, when known.
    public var location: SourceLocation? {
        switch self {
        case .syntax(let l, _), .script(let l, _, _), .sandboxViolation(let l, _): return l
        case .timeLimit, .memoryLimit, .copyLimit: return nil
        }
    }

    /// A short machine-friendly kind, for logs and databases.
    public var kind: String {
        switch self {
        case .syntax: return "syntax_error"
        case .script: return "script_error"
        case .timeLimit: return "time_limit"
        case .memoryLimit: return "memory_limit"
        case .sandboxViolation: return "sandbox_violation"
        case .copyLimit: return "copy_limit"
        }
    }
}
