import GRDB
import GRDBSQLite

/// Values bound straight to a prepared SQLite statement, in parameter order.
///
/// Written by hand next to GRDB on purpose, for the statements that run once
/// per stored entry: GRDB's `execute(arguments:)` builds a
/// `StatementArguments` array of existentials for every call and binds
/// through it, which `perf` showed as a third of the CPU time of storing an
/// entry (`tcbench federation`, "store alone"), and storing is what a
/// fresh node's sync spends beside verifying signatures. GRDB still
/// prepares, caches and finalises the statements and runs the transaction;
/// only binding and stepping go through the C API here.
struct DirectBinding {
    /// SQLite copies the bytes before the bind returns (SQLITE_TRANSIENT).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    let statement: SQLiteStatement
    private(set) var index: Int32 = 0

    mutating func int(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(statement, index, value)
    }

    mutating func int(_ value: Int64?) {
        guard let value else {
            index += 1
            sqlite3_bind_null(statement, index)
            return
        }
        int(value)
    }

    mutating func text(_ value: String) {
        index += 1
        var value = value
        value.withUTF8 { text in
            text.withMemoryRebound(to: CChar.self) { chars in
                // An empty string has no address; SQLite would bind NULL for it.
                if let start = chars.baseAddress {
                    _ = sqlite3_bind_text(statement, index, start, Int32(chars.count), Self.transient)
                } else {
                    _ = sqlite3_bind_text(statement, index, "", 0, Self.transient)
                }
            }
        }
    }

    mutating func blob(_ value: [UInt8]) {
        index += 1
        value.withUnsafeBytes { bytes in
            // A zero-length blob needs a non-null pointer, or SQLite binds NULL.
            _ = sqlite3_bind_blob(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), Self.transient)
        }
    }
}

extension Statement {
    /// Runs this statement (no rows expected) with parameters bound by
    /// `bind`, which must bind every one of them, in order.
    func executeBinding(_ bind: (inout DirectBinding) -> Void) throws {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        var binding = DirectBinding(statement: statement)
        bind(&binding)
        precondition(binding.index == sqlite3_bind_parameter_count(statement), "bind every parameter of \(sql)")
        var code = sqlite3_step(statement)
        while code == SQLITE_ROW { code = sqlite3_step(statement) }
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(statement)))
            sqlite3_reset(statement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
        }
    }
}
