import Foundation
import Replication

/// `Fixtures/entries.json`: vectors from an independent implementation,
/// kept byte for byte as delivered.
struct Vectors: Decodable {
    struct Valid: Decodable {
        let label: String
        let seed_hex: String
        let public_key_hex: String
        let node_id: String
        let seq: UInt64
        let prev_hex: String
        let time_ms: Int64
        let op: UInt8
        let kind: String
        let key: String
        let body_utf8: String
        let signature_hex: String
        let entry_hex: String
        let entry_id_hex: String
    }

    struct Invalid: Decodable {
        let label: String
        let entry_hex: String
        let reason: String
    }

    struct InvalidInChain: Decodable {
        let label: String
        let after_entry_hex: String
        let entry_hex: String
        let reason: String
    }

    let format: String
    let signature_context_ascii: String
    let valid: [Valid]
    let invalid: [Invalid]
    let invalid_in_chain: [InvalidInChain]

    static let shared: Vectors = {
        let url = Bundle.module.url(forResource: "entries", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()
}

func bytes(hex: String) -> [UInt8] { Hex.decode(hex)! }
