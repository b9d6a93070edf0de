/// Keys the CLI gives new records when the operator gives none.
public enum RecordKeys {
    /// A new sale's key: its date and product, the time in milliseconds and
    /// a random part, so that two sales never share a key (a shared key
    /// would replace the earlier sale), not even in the same millisecond.
    /// Only lowercase letters, digits and '-' when `product` is a slug.
    public static func sale(date: String, product: String, nowMs: Int64) -> String {
        let random = String(UInt64.random(in: 0..<(1 << 48)), radix: 36)
        return [date, product, String(nowMs), random].filter { !$0.isEmpty }.joined(separator: "-")
    }
}
