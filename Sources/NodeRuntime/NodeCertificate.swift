import Crypto
import CryptoExtras
import Foundation
import NIOSSL
import Replication
import SwiftASN1
import X509

/// The TLS identity of a node: a self-signed X.509 certificate over its
/// Ed25519 key, subject CN = node id. Peers ignore chains, CAs and expiry
/// and identify each other by the key alone (docs/PROTOCOL.md, "Transport").
package struct NodeCertificate {
    let certificate: NIOSSLCertificate
    let privateKey: NIOSSLPrivateKey

    package init(key: NodeKey, now: Date = Date()) throws {
        let issuerKey = Certificate.PrivateKey(key.signingKey)
        let name = try DistinguishedName { CommonName(key.id.description) }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: issuerKey.publicKey,
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(100 * 365 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ed25519,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
            },
            issuerPrivateKey: issuerKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.certificate = try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
        self.privateKey = try NIOSSLPrivateKey(bytes: Array(key.signingKey.derRepresentation), format: .der)
    }

    /// The node id a peer's leaf certificate proves, if its key is Ed25519.
    static func nodeID(of certificate: NIOSSLCertificate) -> NodeID? {
        guard let der = try? certificate.toDERBytes(),
            let parsed = try? Certificate(derEncoded: der),
            let key = Curve25519.Signing.PublicKey(parsed.publicKey)
        else { return nil }
        return NodeID(keyBytes: key.rawRepresentation)
    }
}
