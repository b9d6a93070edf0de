import ArgumentParser
import Foundation
import Replication

struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Node data directory (default: $TCNODE_DATA_DIR, else /var/lib/tcnode).")
    var dataDir: String?

    var directory: DataDirectory { DataDirectory.resolve(dataDir) }

    func openStore() throws -> Store {
        do { return try directory.openStore() } catch { throw Failure(message: "\(error)") }
    }

    func openKey() throws -> NodeKey {
        do { return try directory.openKey() } catch { throw Failure(message: "\(error)") }
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of a table (stable: fields are only ever added).")
    var json = false
}

/// Parses a node id argument, naming the option when it is wrong.
func parseNodeID(_ text: String, option: String) throws -> NodeID {
    guard let id = NodeID(text) else {
        throw ValidationError("\(option): '\(text)' is not a node id (52 characters of a-z and 2-7, as `tcnode id` prints)")
    }
    return id
}

func writeJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

enum TimeText {
    static func local(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func iso(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension Entry {
    /// The stable JSON shape of an entry in CLI output.
    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "author": author.description, "seq": seq, "id": id.description, "kind": kind, "key": key,
            "op": op == .put ? "put" : "delete", "time_ms": time, "time": TimeText.iso(time),
        ]
        if op == .put {
            object["body"] = (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) ?? bodyString
        }
        return object
    }
}
