import FlightEdgeTestSupport
import Foundation

/// A mosquitto of the relay benchmark's own (loopback, anonymous, no persistence): the relay's
/// events never reach the shared test broker, where other relays (tests running meanwhile)
/// would take them too.
final class BenchBroker {
    let port: Int
    let folder: URL
    private let process: Process

    init(scratch: URL) throws {
        folder = scratch.appendingPathComponent("bench/relay-broker")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try Loopback.freePort()
        let config = folder.appendingPathComponent("mosquitto.conf")
        try """
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence false
            max_inflight_messages 1000
            max_queued_messages 100000
            """.write(to: config, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/mosquitto")
        process.arguments = ["-c", config.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: {
            let log = folder.appendingPathComponent("mosquitto.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            return log
        }())
        try process.run()
        let deadline = now() + 10
        while (try? Loopback.connect(port: port, noDelay: true)).map({ close($0) }) == nil {
            guard now() < deadline else { throw BenchError("the benchmark's mosquitto did not listen on \(port)") }
            usleep(20_000)
        }
    }

    /// SIGKILL: it keeps nothing, and a child of this process may start with SIGTERM blocked.
    func stop() {
        reap(process, signal: SIGKILL)
    }
}

/// Signals `process`, then waitpid: Foundation's `waitUntilExit` can miss an exit and wait forever.
func reap(_ process: Process, signal: Int32 = SIGTERM) {
    guard process.isRunning else { return }
    kill(process.processIdentifier, signal)
    var status: Int32 = 0
    _ = waitpid(process.processIdentifier, &status, 0)
}
