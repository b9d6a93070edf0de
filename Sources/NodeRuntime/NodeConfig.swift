import Foundation
import Logging
import NIOCore
import Replication
import TOMLKit

/// tcnoded's configuration file (TOML; every option is documented in
/// Deploy/tcnode.toml.example). Unknown options, wrong types and bad values
/// are errors that name the file, the option and what is allowed.
public struct NodeConfig: Sendable, Equatable {
    public static let defaultPath = "/etc/tcnode/tcnode.toml"

    public var dataDir = DataDirectory.defaultPath
    public var listenHost = "0.0.0.0"
    public var listenPort = 7447
    public var peers: [PeerEndpoint] = []
    public var name: String?
    public var region: String?
    /// What this node asks its peers for (PROTOCOL.md §7.16).
    public var interest = InterestChoice()
    /// Fetch every photo of the records held (nil: only on a hub, see `PhotoFetch`).
    public var fetchAllPhotos: Bool?
    public var logLevel: Logger.Level = .info
    /// Empty host: metrics off.
    public var metricsHost = "127.0.0.1"
    public var metricsPort = 9447
    /// Empty: no control API (never from the file, which needs an absolute
    /// path; a node built in a test or benchmark that does not talk to it).
    public var controlSocket = "/run/tcnode/control.sock"
    /// Network-wide views: nil means on for a hub or the genesis, off otherwise.
    public var views: Bool?
    public var viewsHost = "127.0.0.1"
    public var viewsPort = 8080
    /// Required to bind the views anywhere but loopback.
    public var viewsToken: String?
    /// Where the views are kept: nil for views.sqlite in the data directory,
    /// or "postgresql://USER@HOST:PORT/DATABASE" (docs/OPERATIONS.md).
    public var viewsStore: String?
    /// The PostgreSQL password's file (else PGPASSWORD); never in views_store.
    public var viewsPasswordFile: String?
    public var blobMaxBytes = 10 * 1024 * 1024
    /// Seconds without sending before a PING (PROTOCOL.md §7.9).
    public var keepaliveSeconds = 150
    /// Seconds without receiving before the peer counts as gone.
    public var peerTimeoutSeconds = 360
    /// Not an option of the file: every daemon exchanges photos and keeps
    /// the views (a centre needs the photo references of its own records).
    /// Tests and benchmarks of entries alone turn this off: no blob store,
    /// views or views follower.
    public var photos = true

    public init() {}

    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let path: String
        public let option: String?
        public let problem: String

        public var description: String {
            if let option { return "\(path): option '\(option)': \(problem)" }
            return "\(path): \(problem)"
        }
    }

    static let options: [String: String] = [
        "data_dir": "directory with the node key and database",
        "listen": "HOST:PORT to accept peers on",
        "peers": "list of NODEID@HOST:PORT to dial",
        "name": "this centre's name",
        "region": "this centre's region",
        "interest": "what to fetch from peers: \"auto\" (default: a centre its region, the national hub everything), \"region\" or \"everything\"",
        "interest_regions": "list of further regions whose records to fetch",
        "interest_authors": "list of node ids whose records to fetch whatever their region",
        "interest_roles": "list of roles whose members' records to fetch (telecenter, hub, monitor, authority)",
        "fetch_all_photos": "true to fetch the photos of every record held, false for only this node's own (default: true on a hub)",
        "log_level": "trace, debug, info, notice, warning, error or critical",
        "metrics": "HOST:PORT for Prometheus metrics, or \"\" for none",
        "control_socket": "path of the Unix socket tcnode talks to",
        "views": "true to serve the network-wide views and dashboard",
        "views_listen": "HOST:PORT of the views and dashboard",
        "views_token": "access token; required to bind views_listen beyond loopback",
        "views_store": "where the views are kept: \"sqlite\" (default, views.sqlite in data_dir) or postgresql://USER@HOST:PORT/DATABASE",
        "views_password_file": "file holding the PostgreSQL password of views_store's user (else PGPASSWORD)",
        "blob_max_bytes": "largest photo accepted, in bytes",
        "keepalive_seconds": "seconds without sending before a PING, 10 to 3600 (default 150: about 40 KB a day per idle link)",
        "peer_timeout_seconds": "seconds without receiving before a peer counts as gone; at least twice keepalive_seconds (default 360)",
    ]

    /// Reads and checks a config file.
    public static func load(path: String) throws(NodeConfig.Error) -> NodeConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            throw Error(path: path, option: nil, problem: "file not found; copy Deploy/tcnode.toml.example there, or pass --config")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(path: path, option: nil, problem: "cannot read the file (permissions?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Error(path: path, option: nil, problem: "the file is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws(NodeConfig.Error) -> NodeConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Error(path: path, option: nil,
                        problem: "line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        } catch {
            throw Error(path: path, option: nil, problem: "not valid TOML: \(error)")
        }
        var config = NodeConfig()
        for key in table.keys.sorted() {
            guard options[key] != nil else {
                let known = options.keys.sorted().joined(separator: ", ")
                throw Error(path: path, option: key, problem: "unknown option (known: \(known))")
            }
        }
        func string(_ key: String) throws(NodeConfig.Error) -> String? {
            guard let value = table[key] else { return nil }
            guard let s = value.string else {
                throw Error(path: path, option: key, problem: "must be a string in quotes, got a \(value.type)")
            }
            return s
        }
        func address(_ key: String, allowEmpty: Bool = false) throws(NodeConfig.Error) -> (String, Int)? {
            guard let text = try string(key) else { return nil }
            if allowEmpty && text.isEmpty { return ("", 0) }
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port)
            else {
                throw Error(path: path, option: key, problem: "'\(text)' is not HOST:PORT (e.g. \"0.0.0.0:7447\")")
            }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw Error(path: path, option: key, problem: "'\(text)' has no host") }
            guard isHostSyntax(host) else {
                throw Error(path: path, option: key,
                            problem: "'\(host)' is neither an IP address nor a host name; use an address of this machine, e.g. \"0.0.0.0:\(port)\"")
            }
            return (host, port)
        }

        if let dir = try string("data_dir") {
            guard dir.hasPrefix("/") else { throw Error(path: path, option: "data_dir", problem: "must be an absolute path") }
            config.dataDir = dir
        }
        if let (host, port) = try address("listen") { (config.listenHost, config.listenPort) = (host, port) }
        if let value = table["peers"] {
            guard let array = value.array else {
                throw Error(path: path, option: "peers", problem: "must be a list of strings, e.g. [\"NODEID@10.0.0.1:7447\"]")
            }
            var peers: [PeerEndpoint] = []
            for (i, item) in array.enumerated() {
                guard let text = item.string else {
                    throw Error(path: path, option: "peers[\(i)]", problem: "must be a string \"NODEID@HOST:PORT\"")
                }
                do {
                    peers.append(try PeerEndpoint(parsing: text))
                } catch {
                    throw Error(path: path, option: "peers[\(i)]", problem: "\(error)")
                }
            }
            config.peers = peers
        }
        config.name = try string("name")
        config.region = try string("region")
        if let mode = try string("interest") {
            guard let parsed = InterestChoice.Mode(rawValue: mode) else {
                throw Error(path: path, option: "interest", problem: "'\(mode)' is not one of auto, region, everything")
            }
            config.interest.mode = parsed
        }
        func strings(_ key: String, example: String) throws(NodeConfig.Error) -> [String] {
            guard let value = table[key] else { return [] }
            guard let array = value.array else { throw Error(path: path, option: key, problem: "must be a list of strings, e.g. [\"\(example)\"]") }
            var out: [String] = []
            for (i, item) in array.enumerated() {
                guard let text = item.string, !text.isEmpty else {
                    throw Error(path: path, option: "\(key)[\(i)]", problem: "must be a non-empty string, e.g. \"\(example)\"")
                }
                out.append(text)
            }
            return out
        }
        config.interest.regions = try strings("interest_regions", example: "Jawa Tengah")
        for (i, text) in try strings("interest_authors", example: "NODEID").enumerated() {
            guard let id = NodeID(text) else {
                throw Error(path: path, option: "interest_authors[\(i)]", problem: "'\(text)' is not a node id (52 characters, as `tcnode id` prints)")
            }
            config.interest.authors.append(id)
        }
        config.interest.roles = try strings("interest_roles", example: "hub")
        for (i, role) in config.interest.roles.enumerated() where Role(rawValue: role) == nil {
            throw Error(path: path, option: "interest_roles[\(i)]", problem: "'\(role)' is not one of telecenter, hub, monitor, authority")
        }
        // A list that cannot change what is fetched is a mistake to point at, not to ignore.
        if config.interest.mode == .everything {
            for (key, list) in [("interest_regions", config.interest.regions), ("interest_authors", config.interest.authors.map(\.description)),
                                ("interest_roles", config.interest.roles)] where !list.isEmpty {
                throw Error(path: path, option: key,
                            problem: "has no effect with interest = \"everything\" (every record is fetched already); remove \(key), or set interest = \"auto\" or \"region\"")
            }
        }
        if let value = table["fetch_all_photos"] {
            guard let flag = value.bool else { throw Error(path: path, option: "fetch_all_photos", problem: "must be true or false") }
            config.fetchAllPhotos = flag
        }
        if let level = try string("log_level") {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw Error(path: path, option: "log_level", problem: "'\(level)' is not one of \(options["log_level"]!)")
            }
            config.logLevel = parsed
        }
        if let (host, port) = try address("metrics", allowEmpty: true) { (config.metricsHost, config.metricsPort) = (host, port) }
        if let socket = try string("control_socket") {
            guard socket.hasPrefix("/") else { throw Error(path: path, option: "control_socket", problem: "must be an absolute path") }
            config.controlSocket = socket
        }
        if let value = table["views"] {
            guard let flag = value.bool else { throw Error(path: path, option: "views", problem: "must be true or false") }
            config.views = flag
        }
        if let (host, port) = try address("views_listen") { (config.viewsHost, config.viewsPort) = (host, port) }
        config.viewsToken = try string("views_token")
        if let store = try string("views_store"), store != "sqlite" {
            guard store.hasPrefix("postgresql://") || store.hasPrefix("postgres://") else {
                throw Error(path: path, option: "views_store", problem: "must be \"sqlite\" or postgresql://USER@HOST:PORT/DATABASE")
            }
            // URLComponents finds the password of either scheme; a port
            // with no user ("postgresql://host:5432/db") is not one.
            guard URLComponents(string: store)?.password == nil else {
                throw Error(path: path, option: "views_store",
                            problem: "must not hold the password: put it in a file only tcnoded reads and name it in views_password_file")
            }
            config.viewsStore = store
        }
        if let file = try string("views_password_file") {
            guard file.hasPrefix("/") else { throw Error(path: path, option: "views_password_file", problem: "must be an absolute path") }
            config.viewsPasswordFile = file
        }
        if let value = table["blob_max_bytes"] {
            guard let n = value.int, n > 0 else {
                throw Error(path: path, option: "blob_max_bytes", problem: "must be a positive whole number of bytes")
            }
            config.blobMaxBytes = n
        }
        for (key, range) in [("keepalive_seconds", 10...3600), ("peer_timeout_seconds", 20...7200)] {
            guard let value = table[key] else { continue }
            guard let n = value.int, range.contains(n) else {
                throw Error(path: path, option: key, problem: "must be a whole number of seconds from \(range.lowerBound) to \(range.upperBound)")
            }
            if key == "keepalive_seconds" { config.keepaliveSeconds = n } else { config.peerTimeoutSeconds = n }
        }
        guard config.peerTimeoutSeconds >= 2 * config.keepaliveSeconds else {
            throw Error(path: path, option: "peer_timeout_seconds",
                        problem: "\(config.peerTimeoutSeconds) is less than twice keepalive_seconds (\(config.keepaliveSeconds)): a live peer would be dropped between two PINGs")
        }
        if config.views == true, !isLoopback(config.viewsHost), (config.viewsToken ?? "").count < 16 {
            throw Error(path: path, option: "views_listen",
                        problem: "binding the views beyond loopback (\(config.viewsHost)) needs views_token of at least 16 characters")
        }
        return config
    }

    public var dataDirectory: DataDirectory { DataDirectory(dataDir) }

    /// An IP address, or a name that could be one (RFC 1123 labels, and `_`
    /// as /etc/hosts allows). Checked without asking DNS, so that a typo is
    /// a config error at once.
    static func isHostSyntax(_ host: String) -> Bool {
        if (try? SocketAddress(ipAddress: host, port: 0)) != nil { return true }
        // IPv6 with a zone ("fe80::1%eth0") is left to the bind.
        if host.contains(":") { return host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ":.%".contains($0)) } }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        // Digits and dots only, yet not an IPv4 address ("10.0.0.256"): a mistyped address.
        if labels.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) { return false }
        return host.utf8.count <= 253 && labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }

    /// The addresses tcnoded binds, resolved the way the bind will (NIO's
    /// getaddrinfo): a name that does not exist is a config error, reported
    /// with its option before anything starts, so that systemd does not
    /// restart tcnoded every few seconds for it (exit 78). A resolver that
    /// cannot answer now (EAI_AGAIN, no network yet at boot) is not: the
    /// bind then fails, and the restart tries again. Runs getaddrinfo off
    /// the cooperative pool, since it blocks.
    public func checkBindAddresses(path: String) async throws(NodeConfig.Error) {
        var binds = [("listen", listenHost, listenPort)]
        if !metricsHost.isEmpty { binds.append(("metrics", metricsHost, metricsPort)) }
        if views != false { binds.append(("views_listen", viewsHost, viewsPort)) }
        for (option, host, port) in binds {
            let failure = await OffPool.run { () -> SocketAddressError.UnknownHost? in
                do {
                    _ = try SocketAddress.makeAddressResolvingHost(host, port: port)
                    return nil
                } catch let error as SocketAddressError.UnknownHost {
                    return error
                } catch {
                    return nil  // anything else is the bind's to report
                }
            }
            if let failure, Self.isDefinitelyUnknown(failure.errorCode) {
                throw Error(path: path, option: option,
                            problem: "host '\(host)' cannot be resolved (\(failure.errorDescription)); use an IP address of this machine, e.g. \"0.0.0.0:\(port)\", or a name in /etc/hosts")
            }
        }
    }

    /// getaddrinfo's "no such name" answers, as opposed to "try again".
    static func isDefinitelyUnknown(_ code: Int) -> Bool {
        code == Int(EAI_NONAME) || code == Int(EAI_SERVICE) || code == Int(EAI_FAMILY)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}
