import Foundation
import Logging
import NIOCore
import Synchronization

/// Log lines for the journal: one line per message on stderr, with the
/// syslog priority prefix journald understands ("<4>") when run by systemd
/// (JOURNAL_STREAM is set) and a timestamp otherwise. swift-log provides the
/// API; only the line format is ours.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let journal: Bool

    public init(label: String, level: Logger.Level, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.label = label
        self.logLevel = level
        self.journal = Self.stderrIsJournal(environment["JOURNAL_STREAM"])
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let output = Mutex(())

    /// systemd sets JOURNAL_STREAM to "device:inode" of the stream it gave
    /// the service; only when stderr is still that stream are priority
    /// prefixes right (not when someone runs tcnoded by hand from a unit's
    /// environment).
    static func stderrIsJournal(_ value: String?) -> Bool {
        guard let value, let colon = value.firstIndex(of: ":"),
            let device = UInt64(value[..<colon]), let inode = UInt64(value[value.index(after: colon)...])
        else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let level = Self.level(of: event)
        var line = ""
        if journal {
            line = "<\(Self.priority(level))>"
        } else {
            line = Self.timestamp() + " " + level.rawValue.uppercased() + " "
        }
        line += "\(event.message)"
        if !merged.isEmpty {
            line += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        line = line.replacingOccurrences(of: "\n", with: " ") + "\n"
        Self.output.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// The level a line is written at. Hummingbird reports as errors two
    /// things that are only the consequence of a stop: when ServiceGroup
    /// cancels the services still running because stopping took longer than
    /// allowed (`maximumGracefulShutdownDuration`), each HTTP server (control
    /// socket, metrics, views) logs that its accept loop was cancelled, and
    /// then, asked to quiesce, that its channel is already closed. The
    /// servers themselves stopped as they were told; the slow stop is what
    /// went wrong, so these are warnings, and a normal stop (which finishes
    /// in time) logs neither.
    public static func level(of event: LogEvent) -> Logger.Level {
        guard event.level == .error, event.source == "HummingbirdCore" else { return event.level }
        let message = event.message.description
        if message == "Waiting on child channel: \(CancellationError())" || message == "Server shutdown error: \(ChannelError.alreadyClosed)" {
            return .warning
        }
        return event.level
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }
}
