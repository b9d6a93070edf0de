import NIOCore

extension SocketAddress {
    /// "127.0.0.1:8080" or "[::1]:8080", as logs and status show addresses.
    public var hostAndPort: String { PeerChannel.describe(self) }
}
