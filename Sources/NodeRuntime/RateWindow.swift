/// A running total (bytes received) sampled over the last `span`
/// milliseconds, for a rate that counts the time nothing arrived too (a
/// link that is down), from when data began to flow: an idle stretch
/// before the data (only keep-alives) does not dilute it.
public struct RateWindow: Sendable, Equatable {
    public static let span: Int64 = 600_000
    /// Samples are kept about this far apart: a newer one replaces the
    /// latest while that is closer than this to the one before it.
    static let spacing: Int64 = 2_000
    /// Steps smaller than this are keep-alives, not data.
    let quiet: Int
    private var ms: [Int64] = []
    private var totals: [Int] = []

    public init(quiet: Int = 1024) { self.quiet = quiet }

    public mutating func add(_ total: Int, at now: Int64) {
        if let last = totals.last, total < last {  // a new count began
            ms.removeAll()
            totals.removeAll()
        }
        if ms.count >= 2, ms[ms.count - 1] - ms[ms.count - 2] < Self.spacing {
            ms[ms.count - 1] = now
            totals[totals.count - 1] = total
        } else {
            ms.append(now)
            totals.append(total)
        }
        // One sample before the window stays, as the base of its first step.
        while ms.count > 2 && ms[1] <= now - Self.span {
            ms.removeFirst()
            totals.removeFirst()
        }
    }

    /// Bytes per second from the first step of data in the window until
    /// `now`; 0 when no data arrived in it, or for less than 5 s.
    public func rate(now: Int64) -> Int {
        guard let last = totals.last else { return 0 }
        guard let first = ms.indices.dropFirst().first(where: { ms[$0] > now - Self.span && totals[$0] - totals[$0 - 1] >= quiet })
        else { return 0 }
        // The step's own bytes arrived in the time since the sample before it.
        let start = max(ms[first - 1], now - Self.span, ms[first] - Self.spacing)
        let seconds = Double(now - start) / 1000
        guard seconds >= 5 else { return 0 }
        return Int(Double(last - totals[first - 1]) / seconds)
    }
}
