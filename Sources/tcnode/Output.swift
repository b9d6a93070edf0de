import Foundation

/// The CLI's standard output and error. SwiftNIO ignores SIGPIPE for the
/// whole process (it does so before its first socket), so a reader that
/// goes away (`tcnode sale list --json | head`) shows up as EPIPE on a
/// write, and Foundation's `FileHandle.write` traps on that with a
/// backtrace. Everything is written here with write(2) instead, and EPIPE
/// ends the process as Unix tools end: killed by SIGPIPE (status 141 in a
/// shell), without a word.
enum Output {
    /// A line on standard output.
    static func say(_ text: String) { write(text + "\n", to: STDOUT_FILENO) }

    /// A line on standard error.
    static func note(_ text: String) { write(text + "\n", to: STDERR_FILENO) }

    static func write(_ text: String, to fd: Int32) { write(Data(text.utf8), to: fd) }

    static func write(_ data: Data, to fd: Int32) {
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n >= 0 {
                    offset += n
                } else if errno == EINTR || errno == EAGAIN {
                    continue
                } else if errno == EPIPE {
                    brokenPipe()
                } else {
                    // Nowhere left to say it (a full disk under a redirect):
                    // the exit status says it.
                    Foundation.exit(1)
                }
            }
        }
    }

    /// The reader went away: die of SIGPIPE, as `cat` or `ls` would.
    static func brokenPipe() -> Never {
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
        _exit(128 + SIGPIPE)
    }
}

func say(_ text: String) { Output.say(text) }

func note(_ text: String) { Output.note(text) }
