import Foundation
import GRDB

/// Why a report input cannot be read at all (a database that opens but holds little is
/// not an error: the page says what is missing).
public enum ReportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No file at the path.
    case missing(path: String)
    /// The file is not an SQLite database (or cannot be opened).
    case unreadable(path: String, reason: String)
    /// The vendored chart runtime is not beside the executable.
    case runtimeMissing(String)
    /// The page cannot be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): return "no database at \(path)"
        case .unreadable(let path, let reason): return "\(path) cannot be read as an SQLite database: \(reason)"
        case .runtimeMissing(let what): return "the chart runtime is missing: \(what) (rebuild ludus; see docs/report.md)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}

/// A Ludus database opened for reading only, read defensively: a table or column that
/// is not there (an older schema, another helper's newer one) reads as "not recorded",
/// never as an error.
public final class ReportDatabase {
    public let path: String
    let queue: DatabaseQueue
    /// Table name → its column names.
    public let tables: [String: Set<String>]

    public init(path: String) throws(ReportError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            tables = try queue.read { db in
                var found: [String: Set<String>] = [:]
                for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
                    found[name] = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(name.quotedDatabaseIdentifier))").map { $0["name"] as String })
                }
                return found
            }
        } catch let error as DatabaseError {
            throw .unreadable(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    public func has(_ table: String, _ columns: String...) -> Bool {
        guard let found = tables[table] else { return false }
        return columns.allSatisfy(found.contains)
    }

    /// Rows of a query; a failing query (a malformed table) reads as no rows plus a note.
    func rows(_ sql: String, _ arguments: StatementArguments = [], notes: inout [String]) -> [Row] {
        do {
            return try queue.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
        } catch {
            notes.append("could not read from \(path): \(error)")
            return []
        }
    }

    /// The last checkpoint's progress per run of a loop (episodes or rounds done).
    func checkpoints(_ loop: String, notes: inout [String]) -> [Int64: Int] {
        guard has("checkpoint", "loop", "run_id", "progress") else { return [:] }
        var result: [Int64: Int] = [:]
        for row in rows("SELECT run_id, progress FROM checkpoint WHERE loop = ?", [loop], notes: &notes) {
            result[row["run_id"]] = row["progress"]
        }
        return result
    }
}

extension Row {
    /// A column as Double when present and numeric.
    func double(_ column: String) -> Double? {
        guard hasColumn(column) else { return nil }
        switch self[column] as DatabaseValue? {
        case .some(let value): return Double.fromDatabaseValue(value)
        case .none: return nil
        }
    }

    func string(_ column: String) -> String? {
        guard hasColumn(column) else { return nil }
        let value: DatabaseValue = self[column]
        if let text = String.fromDatabaseValue(value) { return text }
        if let number = Int64.fromDatabaseValue(value) { return String(number) }
        return nil
    }

    func int(_ column: String) -> Int? {
        guard hasColumn(column) else { return nil }
        return Int.fromDatabaseValue(self[column] as DatabaseValue)
    }
}
