import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Standard output for commands whose output is often piped (`watch | head -2`): SIGPIPE is
/// ignored, and a reader that went away ends the command quietly with exit 0 instead of a
/// crash (Foundation's `FileHandle.write` traps on EPIPE).
enum StandardOutput {
    /// Ignores SIGPIPE, so a closed pipe shows up as EPIPE on the next write.
    static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes `text` whole to standard output; throws `ExitCode.success` when the reader has
    /// closed the pipe, so the command ends with exit 0 and no message.
    static func write(_ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw ExitCode.success }
                throw ExitCode(2)
            }
            offset += written
        }
        bytes.removeAll()
    }

    /// Writes one line to standard error (a message, never data).
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
