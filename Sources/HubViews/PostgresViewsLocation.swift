import Foundation

/// Where a hub keeps its views on PostgreSQL: `views_store` in tcnode.toml,
/// `postgresql://USER@HOST:PORT/DATABASE`, with optional `?schema=NAME`
/// (default `public`) and `?sslmode=disable|prefer|require`. The password
/// is never part of it: it comes from `views_password_file` (its first
/// line) or the environment's PGPASSWORD, and is never printed.
public struct PostgresViewsLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var schema: String
    public var sslmode: SSLMode
    /// Not printed (see `description`).
    public var password: String?
    /// Where the password came from, for error messages: "views_password_file /etc/...", "PGPASSWORD" or "no password".
    public var passwordSource: String

    public enum SSLMode: String, Sendable {
        case disable, prefer, require
    }

    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let problem: String
        public var description: String { problem }
    }

    /// Whether a `views_store` value names PostgreSQL (anything else is a SQLite file).
    public static func isPostgres(_ store: String) -> Bool {
        store.hasPrefix("postgresql://") || store.hasPrefix("postgres://")
    }

    /// Parses `views_store`; the password from `passwordFile` when given,
    /// else from PGPASSWORD in `environment`.
    public static func parse(_ text: String, passwordFile: String?,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresViewsLocation {
        guard isPostgres(text), let url = URLComponents(string: text), let host = url.host, !host.isEmpty else {
            throw Error(problem: "views_store '\(redacted(text))' is not postgresql://USER@HOST:PORT/DATABASE")
        }
        guard url.password == nil else {
            throw Error(problem: "views_store must not hold the password: put it in the file views_password_file names (or PGPASSWORD)")
        }
        guard let user = url.user, !user.isEmpty else {
            throw Error(problem: "views_store '\(text)' names no user: postgresql://USER@HOST:PORT/DATABASE")
        }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw Error(problem: "views_store '\(text)' names no database: postgresql://USER@HOST:PORT/DATABASE")
        }
        var schema = "public", sslmode: SSLMode = isLoopback(host) ? .disable : .prefer
        for item in url.queryItems ?? [] {
            switch item.name {
            case "schema":
                guard let value = item.value, value.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                    throw Error(problem: "views_store: schema must be lower-case letters, digits and _ (at most 63), starting with a letter")
                }
                schema = value
            case "sslmode":
                guard let value = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw Error(problem: "views_store: sslmode must be disable, prefer or require")
                }
                sslmode = value
            default:
                throw Error(problem: "views_store: unknown parameter '\(item.name)' (schema and sslmode are known)")
            }
        }
        var location = PostgresViewsLocation(host: host, port: url.port ?? 5432, user: user, database: database, schema: schema,
                                             sslmode: sslmode, password: nil, passwordSource: "no password")
        if let passwordFile {
            do {
                let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
                location.password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
                location.passwordSource = "views_password_file \(passwordFile)"
            } catch {
                throw Error(problem: "views_password_file \(passwordFile) cannot be read (\(error.localizedDescription)); it must hold the views user's password")
            }
        } else if let password = environment["PGPASSWORD"] {
            location.password = password
            location.passwordSource = "PGPASSWORD"
        }
        return location
    }

    /// The location without its password, safe to log.
    public var description: String {
        var text = "postgresql://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
        if schema != "public" { text += "?schema=\(schema)" }
        return text
    }

    static func isLoopback(_ host: String) -> Bool { ["localhost", "127.0.0.1", "::1"].contains(host) || host.hasPrefix("127.") }

    /// A location someone wrote with a password in it, shown without it.
    static func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: #"://([^:@/]*):[^@]*@"#, with: "://$1:***@", options: .regularExpression)
    }
}
