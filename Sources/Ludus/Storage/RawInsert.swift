import GRDB
import GRDBSQLite

/// One prepared INSERT on the SQLite C API, bound and stepped per row and reset for the
/// next: no `StatementArguments` of boxed values per row, and texts bound from buffers
/// (copied by SQLite) rather than from `String`s. Lives inside one `database.write`
/// transaction and is finalized at its end. Failures are GRDB's ``DatabaseError``, as
/// from any other statement, so callers handle them alike.
struct RawInsert: ~Copyable {
    private let connection: OpaquePointer
    private let statement: OpaquePointer
    private let sql: String
    /// The first failing bind's code since the last step (binds stay across resets, so a
    /// failed one would otherwise store the previous row's value): `step` throws it.
    private let bindFailure: UnsafeMutablePointer<Int32>

    init(_ db: Database, sql: String) throws(DatabaseError) {
        guard let connection = db.sqliteConnection else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "closed database", sql: sql) }
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v2(connection, sql, -1, &prepared, nil)
        guard code == SQLITE_OK, let prepared else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        self.connection = connection
        statement = prepared
        self.sql = sql
        bindFailure = .allocate(capacity: 1)
        bindFailure.initialize(to: SQLITE_OK)
    }

    deinit {
        sqlite3_finalize(statement)
        bindFailure.deallocate()
    }

    @inline(__always) private func checked(_ code: Int32) {
        if code != SQLITE_OK && bindFailure.pointee == SQLITE_OK { bindFailure.pointee = code }
    }

    /// SQLite's `SQLITE_TRANSIENT`: copy the bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    @inline(__always) func bind(_ index: Int32, _ value: Int64) { checked(sqlite3_bind_int64(statement, index, value)) }
    @inline(__always) func bind(_ index: Int32, _ value: Int) { checked(sqlite3_bind_int64(statement, index, Int64(value))) }
    @inline(__always) func bind(_ index: Int32, _ value: Double) { checked(sqlite3_bind_double(statement, index, value)) }
    @inline(__always) func bindNull(_ index: Int32) { checked(sqlite3_bind_null(statement, index)) }

    /// UTF-8 bytes, as GRDB binds a `String`.
    @inline(__always) func bind(_ index: Int32, utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            checked(sqlite3_bind_text(statement, index, "", 0, Self.transient))
            return
        }
        checked(sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient))
    }

    @inline(__always) func bind(_ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bind(index, utf8: $0) }
    }

    @inline(__always) func bind(_ index: Int32, _ value: Int?) {
        if let value { bind(index, value) } else { bindNull(index) }
    }

    @inline(__always) func bind(_ index: Int32, _ text: String?) {
        if let text { bind(index, text) } else { bindNull(index) }
    }

    /// Runs the bound row and readies the statement for the next one.
    func step() throws(DatabaseError) {
        let failedBind = bindFailure.pointee
        if failedBind != SQLITE_OK {
            bindFailure.pointee = SQLITE_OK
            throw DatabaseError(resultCode: ResultCode(rawValue: failedBind), message: String(cString: sqlite3_errstr(failedBind)), sql: sql)
        }
        let code = sqlite3_step(statement)
        if code == SQLITE_DONE {
            sqlite3_reset(statement)
            return
        }
        let message = String(cString: sqlite3_errmsg(connection))
        sqlite3_reset(statement)
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
}
