import Foundation

/// Another process's memory as Linux reports it in /proc/PID/status.
enum ProcessMemory {
    /// Resident set size now (VmRSS), in bytes; nil when the process is gone.
    static func resident(_ pid: Int32) -> Int? { field("VmRSS", of: pid) }

    /// Peak resident set size (VmHWM) since start or since `resetPeak`.
    static func peak(_ pid: Int32) -> Int? { field("VmHWM", of: pid) }

    /// Makes VmHWM start again from the current RSS (Linux 4.0+; writing 5
    /// to clear_refs needs the right to ptrace the process). Returns whether
    /// it worked: where it does not, only sampled figures are available.
    @discardableResult
    static func resetPeak(_ pid: Int32) -> Bool {
        (try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)) != nil
    }

    static func field(_ name: String, of pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kb = Int(parts[1]) else { return nil }
            return kb * 1024
        }
        return nil
    }

    /// The RSS once it has stopped moving: within `tolerance` over the last
    /// second (start-up work such as the views' catch-up has finished).
    static func settled(_ pid: Int32, tolerance: Int = 1_048_576, timeout: Duration = .seconds(120)) async throws -> Int {
        var window: [Int] = []
        return try await eventually("the RSS of process \(pid) settles", timeout: timeout, interval: .milliseconds(250)) { () -> Int? in
            guard let rss = resident(pid) else { throw ProcessTestError("process \(pid) is gone") }
            window.append(rss)
            if window.count > 5 { window.removeFirst() }
            return window.count == 5 && window.max()! - window.min()! <= tolerance ? rss : nil
        }
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }
}

/// Samples a process's RSS in the background (a measurement, not a wait):
/// the highest sample and the average, plus the kernel's own peak where
/// `resetPeak` works, so a spike between samples is not missed.
final class MemorySampler: Sendable {
    let pid: Int32
    let kernelPeak: Bool
    private let task: Task<(peak: Int, total: Int, count: Int), Never>

    init(pid: Int32, interval: Duration = .milliseconds(20)) {
        self.pid = pid
        kernelPeak = ProcessMemory.resetPeak(pid)
        task = Task {
            var (peak, total, count) = (0, 0, 0)
            while !Task.isCancelled, let rss = ProcessMemory.resident(pid) {
                (peak, total, count) = (max(peak, rss), total + rss, count + 1)
                try? await Task.sleep(for: interval)
            }
            return (peak, total, count)
        }
    }

    /// Stops sampling; the highest RSS seen and the average of the samples.
    func stop() async -> (peak: Int, average: Int) {
        let hwm = kernelPeak ? (ProcessMemory.peak(pid) ?? 0) : 0
        task.cancel()
        let s = await task.value
        return (max(s.peak, hwm), s.count == 0 ? 0 : s.total / s.count)
    }

    deinit { task.cancel() }
}
