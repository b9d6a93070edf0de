/// How fast the link drains what this side writes, measured from the
/// writer's own completions, and the data-frame size that follows from it
/// (PROTOCOL.md §7.15): a frame takes about `frameTime` of the link, so a
/// cut loses at most that much, and a control frame waits at most that long.
/// Half a second, not a whole one: on 64 kbit/s cut every 30 s, bytes sent
/// again fell from 7.4 % to 4.3 % of what the sync needs (`tcbench link`,
/// 2,000 entries), while the 13 bytes of framing per frame stay noise.
///
/// Only the time the writer was busy counts: an idle link is not a slow one.
/// Frames stay at the initial size until the first measurement (a second
/// of busy writing, or 1 MiB), then grow at most twofold from one to the
/// next, so a link whose buffers swallow the first frames quickly is not
/// taken for a fast one before the buffers fill.
struct LinkRate: Sendable {
    static let floor = 2 * 1024
    static let initial = 8 * 1024
    static let frameTimeMs: Int64 = 500

    private var windowBytes = 0
    private var windowMs: Int64 = 0
    /// Bytes per second, once measured.
    private(set) var bytesPerSecond: Double?
    private var lastFrame = LinkRate.initial / 2

    /// The writer wrote `bytes` in `busyMs`.
    mutating func record(bytes: Int, busyMs: Int64) {
        windowBytes += bytes
        windowMs += max(1, busyMs)
        // A sample needs enough time to mean something, or enough bytes to
        // show the link is fast: the first writes of a connection go into
        // empty buffers and look instantaneous.
        guard windowMs >= 1000 || windowBytes >= 1 << 20 else { return }
        let sample = Double(windowBytes) * 1000 / Double(windowMs)
        bytesPerSecond = bytesPerSecond.map { 0.5 * $0 + 0.5 * sample } ?? sample
        windowBytes = 0
        windowMs = 0
    }

    /// What a frame should take now, without growing: for HEADS and WANT.
    var budget: Int {
        let grown = 2 * lastFrame
        guard let rate = bytesPerSecond else { return Self.initial }
        return max(Self.floor, min(grown, Int(clamping: Int64(rate) * Self.frameTimeMs / 1000)))
    }

    /// The payload budget of the next data frame, at most `ceiling`.
    mutating func frameBudget(ceiling: Int) -> Int {
        // Frames grow only once the link has been measured: before that,
        // buffers that swallow the first frames would pass for a fast link,
        // and a cut would then throw away a frame of minutes.
        var budget = min(bytesPerSecond == nil ? Self.initial : 2 * lastFrame, ceiling)
        if let rate = bytesPerSecond {
            budget = min(budget, Int(clamping: Int64(rate) * Self.frameTimeMs / 1000))
        }
        budget = max(Self.floor, min(budget, ceiling))
        lastFrame = budget
        return budget
    }
}
