import ArgumentParser
import Foundation
import Replication
import Telecenter

struct Put: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or replace a record of this node.",
        discussion: "The body is a JSON object, at most 1 MiB. Example: tcnode put product keripik --json '{\"name\":\"Keripik\"}'")

    @OptionGroup var data: DataOptions
    @Argument(help: "Record kind: 1-64 of a-z 0-9 . _ -") var kind: String
    @Argument(help: "Record key (1-512 bytes of UTF-8).") var key: String
    @Option(name: .customLong("json"), help: "The body as JSON text.") var body: String?
    @Option(help: "Read the body from this file ('-' for standard input).") var file: String?

    func validate() throws {
        guard Entry.isValidKind(kind) else {
            throw ValidationError("kind '\(kind)' is invalid: use 1 to 64 of lowercase a-z, 0-9, '.', '_' and '-'")
        }
        guard (body == nil) != (file == nil) else { throw ValidationError("give the body with exactly one of --json or --file") }
    }

    func run() async throws {
        let bytes: [UInt8]
        if let body {
            bytes = Array(body.utf8)
        } else if file == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let content = FileManager.default.contents(atPath: file!) else {
                throw Failure(message: "cannot read \(file!): check the path and permissions")
            }
            bytes = Array(content)
        }
        // Checked here: the control socket would refuse it with the same words.
        guard bytes.count <= Entry.maximumBodySize else {
            throw Failure(message: "the record body is larger than 1 MiB (\(bytes.count) bytes, the most is \(Entry.maximumBodySize)): "
                + "make it smaller, or keep photos and other files out of the record (`--photo` of the record commands stores them by hash); nothing was stored")
        }
        if let failure = JSONObjectCheck.validate(bytes) {
            throw Failure(message: "the body is not a JSON object: \(failure.message) (at byte \(failure.offset)); nothing was stored")
        }
        let language = Language.choose(nil).rawValue
        do {
            try RecordValidation.validate(kind: kind, key: key, body: bytes)
        } catch {
            throw Failure(message: error.message(language: language) + "; nothing was stored")
        }
        if let problem = TextCheck.problem(kind: kind, key: key, body: JSONValue.parse(bytes)) {
            throw Failure(message: TextCheck.message(problem, kind: kind, language: language) + "; nothing was stored")
        }
        let draft = Entry.Draft(time: TimeText.nowMs(), op: .put, kind: kind, key: key, body: bytes)
        let done = try await append(draft, data: data)
        print("stored \(done.kind)/\(done.key) as seq \(done.seq) (\(done.id.prefix(16)))\(done.viaDaemon ? "" : "; tcnoded is not running, peers get it when it starts")")
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete a record of this node (leaves a tombstone that replicates).")

    @OptionGroup var data: DataOptions
    @Argument var kind: String
    @Argument var key: String

    func run() async throws {
        let access = try await NodeAccess.open(data)
        guard let current = try await access.record(author: access.node, kind: kind, key: key), current.op == .put else {
            throw Failure(message: "no record \(kind)/\(key) of this node to delete; see `tcnode list \(kind)`")
        }
        let done = try await append(.delete(kind: kind, key: key, time: TimeText.nowMs()), data: data)
        print("deleted \(done.kind)/\(done.key) as seq \(done.seq)")
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the current state of one record.")

    @OptionGroup var data: DataOptions
    @Argument var kind: String
    @Argument var key: String
    @Option(help: "The author's node id (default: this node).") var author: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let access = try await NodeAccess.open(data)
        let authorID = try author.map { try parseNodeID($0, option: "--author") } ?? access.node
        guard let entry = try await access.record(author: authorID, kind: kind, key: key) else {
            throw Failure(message: "no record \(kind)/\(key) by \(authorID.short); see `tcnode list \(kind)`")
        }
        if output.json {
            try writeJSON(entry.jsonObject)
            return
        }
        print("author  \(entry.author)")
        print("record  \(entry.kind)/\(entry.key)")
        print("seq     \(entry.seq)")
        print("time    \(TimeText.local(entry.time))")
        print("id      \(entry.id)")
        if entry.op == .delete {
            print("state   deleted")
        } else {
            print("body    \(entry.bodyString)")
        }
    }
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List current records of a kind, from every author held.")

    @OptionGroup var data: DataOptions
    @Argument var kind: String
    @Option(help: "Only records of this author.") var author: String?
    @Flag(help: "Include deleted records (tombstones).") var deleted = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let access = try await NodeAccess.open(data)
        let authorID = try author.map { try parseNodeID($0, option: "--author") }
        let entries = try await access.records(kind: kind, author: authorID, deleted: deleted)
        if output.json {
            try writeJSON(entries.map(\.jsonObject))
            return
        }
        var table = Table("AUTHOR", "KEY", "SEQ", "TIME", "BODY")
        for e in entries {
            table.add(e.author.short, e.key.clipped(40), "\(e.seq)", TimeText.local(e.time),
                      e.op == .delete ? "(deleted)" : e.bodyString.clipped(60))
        }
        table.print()
        if entries.isEmpty { FileHandle.standardError.write(Data("no \(kind) records\n".utf8)) }
    }
}

struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show entries, newest first.")

    @OptionGroup var data: DataOptions
    @Option(help: "Only entries of this author.") var author: String?
    @Option(help: "At most this many entries.") var limit = 50
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be 1 or more") }
    }

    func run() async throws {
        let access = try await NodeAccess.open(data)
        let authorID = try author.map { try parseNodeID($0, option: "--author") }
        let entries = try await access.log(author: authorID, limit: limit)
        if output.json {
            try writeJSON(entries.map { e -> [String: Any] in
                var o = e.jsonObject
                o["body"] = nil
                return o
            })
            return
        }
        var table = Table("AUTHOR", "SEQ", "KIND", "KEY", "TIME", "ID")
        for e in entries {
            table.add(e.author.short, "\(e.seq)", e.kind + (e.op == .delete ? " (delete)" : ""), e.key.clipped(40),
                      TimeText.local(e.time), String(e.id.description.prefix(16)))
        }
        table.print()
    }
}
