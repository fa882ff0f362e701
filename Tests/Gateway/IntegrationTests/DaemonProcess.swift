import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real `flightedge run` process for end-to-end tests: its own database, its own topic
/// prefix on the shared test broker, its own feed ports and spool folder. Readiness comes
/// from the daemon's `READY=1` on a notify socket the test owns, as systemd would see it.
final class DaemonProcess: @unchecked Sendable {
    let databaseURL: String
    /// A random airport code keeps each daemon's topics apart on the shared test broker (the
    /// shipped ACL only lets the daemon write under `flightedge/`).
    let airport: String
    let clientID: String
    let folder: URL
    let listenPort: Int
    /// The operations endpoint (`/healthz`, `/metrics`).
    let httpPort: Int
    let configPath: String
    /// The configuration up to and including the `aodb` feed: a reload test writes other feeds
    /// after it.
    let baseConfig: String
    private(set) var process: Process?
    private let notify: NotifyListener
    /// Every notification so far, in order.
    var notifications: [String] { notify.messages(from: 0) }
    /// Another notify socket for the daemon to use instead of the one this harness reads.
    var notifySocketPath: String?
    /// How many of them ``notifications(for:)`` and ``start(timeout:)`` have handed out.
    private var consumed = 0
    private let logPath: String

    /// The repository's root, found from this file.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The daemon under test: `FLIGHTEDGE_TEST_BINARY` (scripts/test sets the release build), else
    /// the debug build.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["FLIGHTEDGE_TEST_BINARY"], !path.isEmpty {
            return path.hasPrefix("/") ? path : repository.appendingPathComponent(path).path
        }
        return repository.appendingPathComponent(".build/debug/flightedge").path
    }

    init(
        databaseURL: String, extraFeeds: String = "", stateQoS: Int = 1, maxFrameBytes: Int = 1_048_576,
        mqttPort: Int? = nil, airport: String? = nil
    ) throws {
        self.databaseURL = databaseURL
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        self.airport = airport ?? String((0..<3).map { _ in letters.randomElement()! })
        clientID = "fe-test-\(UUID().uuidString.prefix(8).lowercased())"
        folder = URL(fileURLWithPath: try TestServices.environment("FLIGHTEDGE_TEST_SCRATCH"))
            .appendingPathComponent("daemons").appendingPathComponent(clientID)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("spool"), withIntermediateDirectories: true)
        listenPort = try Self.freePort()
        httpPort = try Self.freePort()
        notify = try NotifyListener()
        logPath = folder.appendingPathComponent("daemon.log").path
        let passwordDirectory = try TestServices.environment("FLIGHTEDGE_TEST_MQTT_PASSWORD_DIR")
        let config = """
            [airport]
            iata = "\(self.airport)"
            timezone = "Europe/Zurich"

            [database]
            url = "\(databaseURL)"

            [mqtt]
            host = "\(try TestServices.mqttHost)"
            port = \(try mqttPort ?? TestServices.mqttPort)
            client_id = "\(clientID)"
            topic_prefix = "flightedge"
            username = "flightedge"
            password_file = "\(passwordDirectory)/flightedge.password"
            state_qos = \(stateQoS)

            [http]
            listen = "127.0.0.1:\(httpPort)"

            [events]
            delay_threshold_minutes = 15
            delay_step_minutes = 5

            [[feeds]]
            name = "aodb"
            format = "jsonl"
            transport = "tcp-listen"
            address = "127.0.0.1:\(listenPort)"
            framing = "lf"
            allow = ["127.0.0.0/8"]
            precedence = 10
            max_frame_bytes = \(maxFrameBytes)

            """
        baseConfig = config
        let feeds = """
            [[feeds]]
            name = "drop"
            format = "jsonl"
            transport = "spool-dir"
            path = "\(folder.appendingPathComponent("spool").path)"
            framing = "lf"
            \(extraFeeds)
            """
        configPath = folder.appendingPathComponent("flightedge.toml").path
        try (config + feeds).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if let process, process.isRunning { process.terminate() }
        notify.close()
    }

    var spool: URL { folder.appendingPathComponent("spool") }

    /// `flightedge/{airport}/{rest}`
    func topic(_ rest: String) -> String { "flightedge/\(airport)/\(rest)" }

    /// Starts the daemon and waits for `READY=1`.
    func start(timeout: Double = 60) throws {
        let first = notify.count
        try launch()
        guard let process else { return }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let since = notify.messages(from: first)
            if let ready = since.firstIndex(where: { $0.contains("READY=1") }) {
                consumed = first + ready + 1
                return
            }
            if !process.isRunning { break }
            usleep(10_000)
        }
        Issue.record("daemon did not become ready; log:\n\(self.log)")
        throw TimedOut()
    }

    /// One sample of `/metrics` (`name` with its labels, as the line starts), nil when absent.
    func metric(_ name: String) throws -> Double? {
        Self.sample(try http("/metrics").body, name)
    }

    /// The value of the sample line `name{labels} value` in a Prometheus text body.
    static func sample(_ body: String, _ name: String) -> Double? {
        body.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }

    /// Starts the daemon without waiting for anything.
    func launch() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--config", configPath]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notifySocketPath ?? notify.path
        environment["FLIGHTEDGE_LOG_LEVEL"] = "debug"
        process.environment = environment
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
    }

    /// What the daemon sent to its notify socket that was not handed out yet, and all it sends
    /// during the next `seconds`.
    func notifications(for seconds: Double) -> [String] {
        usleep(useconds_t(seconds * 1_000_000))
        let messages = notify.messages(from: consumed)
        consumed += messages.count
        return messages
    }

    /// Writes a new configuration file: `base` (by default the original up to the `aodb` feed),
    /// then `feeds`. The daemon reads it at its next reload.
    func rewriteConfig(base: String? = nil, feeds: String) throws {
        try ((base ?? baseConfig) + feeds).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// `systemctl reload`: SIGHUP.
    func hangUp() {
        if let pid { kill(pid, SIGHUP) }
    }

    /// The running daemon's process id.
    var pid: Int32? { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } }

    var isRunning: Bool { process?.isRunning ?? false }

    /// Resident memory of a process now (VmRSS), in MB.
    static func residentMegabytes(_ pid: Int32) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
    }

    /// `kill -9`: no shutdown of any kind, as a power cut or the OOM killer would do it.
    func crash() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(5_000) }
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    func stop(timeout: Double = 30) -> Int32? {
        guard let process else { return nil }
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        usleep(50_000)  // the listener's last reads
        guard !process.isRunning else {
            process.terminate()
            return nil
        }
        return process.terminationStatus
    }

    /// Everything the daemon logged.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends lines to the daemon's tcp-listen feed and closes the connection.
    func send(lines: [String], port: Int? = nil) throws {
        _ = try Self.exchange(Array((lines.joined(separator: "\n") + "\n").utf8), port: port ?? listenPort)
    }

    /// Sends bytes to the daemon's tcp-listen feed and closes the connection.
    func send(bytes: [UInt8], port: Int? = nil) throws {
        _ = try Self.exchange(bytes, port: port ?? listenPort)
    }

    /// `GET path` on the operations endpoint: the status code and the body.
    func http(_ path: String) throws -> (status: Int, body: String) {
        let reply = String(decoding: try Self.exchange(Array("GET \(path) HTTP/1.0\r\n\r\n".utf8), port: httpPort), as: UTF8.self)
        let parts = reply.components(separatedBy: "\r\n\r\n")
        let statusLine = parts.first?.split(separator: "\r\n").first ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// Connects to 127.0.0.1:`port`, writes `bytes`, closes the write side and reads the reply
    /// until the peer closes.
    static func exchange(_ bytes: [UInt8], port: Int) throws -> [UInt8] {
        let descriptor = try connectLoopback(port)
        defer { Glibc.close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw POSIXError(.EPIPE) }
            offset += written
        }
        shutdown(descriptor, Int32(SHUT_WR))
        var reply: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &scratch, scratch.count, 0)
            guard count > 0 else { break }
            reply += scratch[0..<count]
        }
        return reply
    }

    /// A TCP connection to 127.0.0.1:`port` (the caller closes it).
    static func connectLoopback(_ port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        return descriptor
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// systemd's end of the notify socket: a thread reads every datagram as it arrives, as systemd
/// does, so the daemon never finds the socket full; the messages are kept in order.
final class NotifyListener: @unchecked Sendable {
    let path: String
    private let socket: NotifySocket
    private let lock = NSLock()
    private var received: [String] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init() throws {
        socket = try NotifySocket()
        path = socket.path
        let thread = Thread { [self] in
            while !isStopped {
                if let message = try? socket.receive(timeout: 0.1) { lock.withLock { received.append(message) } }
            }
            finished.signal()
        }
        thread.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Messages received so far.
    var count: Int { lock.withLock { received.count } }

    /// Messages from the `index`th on.
    func messages(from index: Int) -> [String] {
        lock.withLock { Array(received.dropFirst(index)) }
    }

    func close() {
        lock.withLock { stopped = true }
        finished.wait()
        socket.close()
    }
}
