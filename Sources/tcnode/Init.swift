import ArgumentParser
import Foundation
import Replication

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create this node's key and database.",
        discussion: """
            With --genesis (the default) the node starts a new network whose id is its own node id:
            it is the network's first authority. With --network it prepares to join an existing
            network; give the hub or a neighbour with --peer so it has someone to sync with.
            """)

    @OptionGroup var data: DataOptions

    @Flag(help: "Start a new network with this node as its genesis authority.")
    var genesis = false

    @Option(help: "Join the network with this id (the genesis authority's node id).")
    var network: String?

    @Option(name: .customLong("peer"), help: "A peer to trust and dial while joining, as NODEID@HOST:PORT (repeatable).")
    var peers: [String] = []

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if genesis && network != nil { throw ValidationError("--genesis and --network exclude each other") }
        if let network { _ = try parseNodeID(network, option: "--network") }
        for peer in peers { _ = try PeerAddress.parse(peer, option: "--peer") }
    }

    func run() throws {
        let networkID = try network.map { try parseNodeID($0, option: "--network") }
        let directory = try data.checkedDirectory()
        let (key, store) : (NodeKey, Store)
        do {
            (key, store) = try directory.initialise(network: networkID)
        } catch {
            throw Failure(message: "\(error)")
        }
        for text in peers {
            let peer = try PeerAddress.parse(text, option: "--peer")
            try store.addBootstrapPeer(peer.node, address: peer.hostPort)
        }
        if output.json {
            try writeJSON([
                "node": key.id.description, "network": store.network.description, "data_dir": directory.path,
                "genesis": store.network == key.id, "peers": peers,
            ])
            return
        }
        print(key.id.description)
        let note: String
        if store.network == key.id {
            note = "Started a new network; this node is its genesis authority. Network id: \(store.network)"
        } else {
            note = "Ready to join network \(store.network). Ask its authority to run: tcnode admit \(key.id) --role telecenter --name NAME --region REGION"
        }
        FileHandle.standardError.write(Data("\(note)\nKey and database are in \(directory.path)\n".utf8))
    }
}

/// A peer given as NODEID@HOST:PORT.
struct PeerAddress {
    let node: NodeID
    let host: String
    let port: Int
    var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static func parse(_ text: String, option: String) throws -> PeerAddress {
        let usage = "\(option): '\(text)' is not NODEID@HOST:PORT (e.g. \(String(repeating: "a", count: 8))...@192.168.1.10:7447)"
        guard let at = text.firstIndex(of: "@") else { throw ValidationError(usage) }
        let node = try parseNodeID(String(text[..<at]), option: option)
        let rest = String(text[text.index(after: at)...])
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
            throw ValidationError(usage)
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError(usage) }
        return PeerAddress(node: node, host: host, port: port)
    }
}

struct ID: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "id", abstract: "Print this node's id.")

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let access = try await NodeAccess.open(data)
        if output.json {
            try writeJSON(["node": access.node.description, "short": access.node.short, "network": access.network.description])
        } else {
            print(access.node.description)
        }
    }
}
