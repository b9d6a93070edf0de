import Foundation
import NodeAPI
import NodeRuntime
import Replication
import Testing

/// tcnoded checks every record written through its control socket as
/// `tcnode` does, whatever client sent it: a refusal is a structured error
/// (code, field, words in English and Bahasa Indonesia), is counted, and
/// stores nothing. Reads give the roster as the node keeps it.
@Suite struct DaemonWriteTests {
    /// A node with its control socket and metrics on (port 0).
    static func hub(_ net: LiveNetwork) async throws -> (LiveNetwork.LiveMember, String) {
        let socket = net.dir.file("control.sock")
        let hub = try await net.add("hub") { config in
            config.controlSocket = socket
            config.metricsHost = "127.0.0.1"
            config.metricsPort = 0
        }
        return (hub, socket)
    }

    /// One POST over the control socket with SwiftNIO's HTTP codec: no
    /// `tcnode`, so none of its own checks run first.
    static func post(_ socket: String, _ uri: String, json: String) async throws -> HTTPExchange.Response {
        try await HTTPExchange.send(on: try await HTTPExchange.connect(unixDomainSocketPath: socket), .POST, uri, host: "tcnoded",
                                    body: Data(json.utf8))
    }

    static func ask(_ kind: String, _ key: String, _ body: String?, op: String = "put") throws -> String {
        String(decoding: try JSONEncoder().encode(AppendRequest(kind: kind, key: key, op: op, body: body)), as: UTF8.self)
    }

    static func refusals(_ port: Int, code: String) async throws -> Int {
        let text = String(decoding: try await HTTPExchange.get(port: port, "/metrics").body, as: UTF8.self)
        let prefix = "tcnode_writes_refused_total{code=\"\(code)\"} "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return 0 }
        return Int(Double(line.dropFirst(prefix.count)) ?? -1)
    }

    @Test func anInvalidRecordFromAnyClientIsRefusedInWordsCountedAndNotStored() async throws {
        let net = LiveNetwork()
        let (hub, socket) = try await Self.hub(net)
        try await net.run {
            let metricsPort = try #require(try await hub.assembly.ready().metricsPort)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let cases: [(kind: String, key: String, body: String?, op: String, code: String, field: String?)] = [
                ("product", "keripik", #"{"name":"Keripik","category":"makanan","price_idr":"mahal"}"#, "put", "invalid-field", "price_idr"),
                ("product", "tanpa-nama", #"{"category":"makanan"}"#, "put", "invalid-field", "name"),
                ("sale", "besok-lusa", #"{"product":"keripik","date":"2999-01-01","quantity":1,"amount_idr":1000,"fee_idr":0,"channel":"online"}"#,
                 "put", "invalid-field", "date"),
                ("product", "nul", #"{"name":"Keri\u0000pik","category":"makanan"}"#, "put", "control-character", "name"),
                ("note", "array", "[1, 2]", "put", "not-json-object", "body"),
                ("Note", "upper", "{}", "put", "bad-kind", "kind"),
                ("note", "", "{}", "put", "bad-key", "key"),
                ("note", "gone", "{}", "delete", "body-not-allowed", "body"),
                ("note", "x", "{}", "replace", "bad-op", "op"),
            ]
            for c in cases {
                let before = try await Self.refusals(metricsPort, code: c.code)
                let r = try await Self.post(socket, "/v1/entries", json: try Self.ask(c.kind, c.key, c.body, op: c.op))
                #expect(r.status == 422 || r.status == 400, "\(c.kind)/\(c.key): HTTP \(r.status)")
                let error = try JSONDecoder().decode(ControlError.self, from: Data(r.body))
                #expect(error.code == c.code, "\(c.kind)/\(c.key): \(error)")
                #expect(error.field == c.field, "\(c.kind)/\(c.key): \(error)")
                #expect(!error.message.isEmpty && !error.messageID.isEmpty && error.message != error.messageID, "\(error)")
                // The same words as tcnode's own check.
                if let op = c.op == "put" ? Op.put : c.op == "delete" ? Op.delete : nil {
                    let local = RecordCheck.refusal(op: op, kind: c.kind, key: c.key, body: Array((c.body ?? "").utf8), nowMs: now)
                    #expect(local?.message == error.message && local?.messageID == error.messageID)
                }
                #expect(try await Self.refusals(metricsPort, code: c.code) == before + 1, "\(c.code) counted")
            }
            // The JSON carries the Indonesian as message_id.
            let raw = try await Self.post(socket, "/v1/entries", json: try Self.ask("product", "keripik", #"{"name":"Keripik","category":"kue"}"#))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(raw.body)) as? [String: Any])
            #expect(object["code"] as? String == "invalid-field" && object["field"] as? String == "category")
            #expect((object["message_id"] as? String)?.contains("harus salah satu dari") == true, "\(object)")
            #expect(try await hub.node.store.head(of: hub.node.id) == nil, "nothing was stored")

            // A valid record is stored; a batch with one invalid record stores none of it.
            let ok = try await Self.post(socket, "/v1/entries", json: try Self.ask("product", "keripik", #"{"name":"Keripik","category":"makanan"}"#))
            #expect(ok.status == 200, "\(String(decoding: ok.body, as: UTF8.self))")
            let batch = "[" + (try Self.ask("product", "a", #"{"name":"A","category":"makanan"}"#)) + ","
                + (try Self.ask("product", "b", #"{"name":"B","category":"makanan","available":"ya"}"#)) + "]"
            let refused = try await Self.post(socket, "/v1/entries/batch", json: batch)
            let error = try JSONDecoder().decode(ControlError.self, from: Data(refused.body))
            #expect(refused.status == 422 && error.code == "invalid-field" && error.field == "available", "\(error)")
            #expect(error.message.hasPrefix("record 2 of 2 (key 'b'): product: field 'available'"), "\(error.message)")
            #expect(error.messageID.hasPrefix("rekaman ke-2 dari 2 (kunci 'b'): product: kolom 'available'"), "\(error.messageID)")
            #expect(try await hub.node.store.head(of: hub.node.id)?.seq == 1, "only the valid record was stored")
        }
    }

    @Test func theClientThrowsTheRefusalItself() async throws {
        let net = LiveNetwork()
        let (hub, socket) = try await Self.hub(net)
        try await net.run {
            _ = try await hub.assembly.ready()
            let client = ControlClient(socketPath: socket)
            let error = await #expect(throws: ControlError.self) {
                _ = try await client.append(AppendRequest(kind: "product", key: "p", op: "put", body: #"{"name":"P","category":"kue"}"#))
            }
            #expect(error?.code == "invalid-field" && error?.field == "category")
            #expect(error?.message(language: "id").hasPrefix("product: kolom 'category' harus salah satu dari") == true)
        }
    }

    @Test func membersAreTheRosterWithNamesRolesAndWhoAdmittedThem() async throws {
        let net = LiveNetwork()
        let (hub, socket) = try await Self.hub(net)
        let (centre, monitor, authority) = (NodeKey(), NodeKey(), NodeKey())
        func admit(_ key: NodeKey, _ role: String, _ name: String) -> Entry.Draft {
            .put(kind: "admit", key: key.id.description,
                 body: #"{"node":"\#(key.id)","role":"\#(role)","name":"\#(name)","region":"Jawa Timur"}"#, time: 1)
        }
        _ = try await hub.node.append([
            admit(centre, "telecenter", "TC Blitar"), admit(monitor, "monitor", "Tim Monev"), admit(authority, "authority", "Dinas"),
            .put(kind: "revoke", key: monitor.id.description,
                 body: #"{"node":"\#(monitor.id)","from_seq":3,"reason":"laptop hilang"}"#, time: 2),
        ])
        try await net.run {
            _ = try await hub.assembly.ready()
            let list = try await ControlClient(socketPath: socket).members()
            #expect(list.network == hub.node.id.description)
            #expect(list.members.map(\.node) == [hub.node.id, centre.id, monitor.id, authority.id].sorted().map(\.description))
            let genesis = try #require(list.member(hub.node.id))
            #expect(genesis.status == "genesis" && genesis.role == "authority" && genesis.authority && genesis.headSeq == 4)
            let tc = try #require(list.member(centre.id))
            #expect(tc.status == "member" && tc.role == "telecenter" && tc.name == "TC Blitar" && tc.region == "Jawa Timur")
            #expect(tc.admittedBy == hub.node.id.description && !tc.authority && tc.revokedFromSeq == nil && tc.headSeq == 0)
            let revoked = try #require(list.member(monitor.id))
            #expect(revoked.status == "revoked" && revoked.role == "monitor" && revoked.revokedFromSeq == 3)
            #expect(try #require(list.member(authority.id)).authority)

            // snake_case, as every JSON of the node.
            let raw = try await HTTPExchange.send(on: try await HTTPExchange.connect(unixDomainSocketPath: socket), .GET, "/v1/members",
                                                  host: "tcnoded")
            let text = String(decoding: raw.body, as: UTF8.self)
            #expect(text.contains("\"admitted_by\"") && text.contains("\"revoked_from_seq\"") && text.contains("\"head_seq\""), "\(text)")
        }
    }
}
