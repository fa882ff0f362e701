import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `flightedge run` process: its own database, its own topic prefix on the broker, its
/// own feed ports and spool folder, its log in a file. Readiness comes from the daemon's
/// `READY=1` on a notify socket this harness owns, as systemd would see it, or from `/healthz`.
///
/// The integration tests and the benchmark drive it from one task each.
public final class DaemonProcess: @unchecked Sendable {
    // @unchecked: the mutable state (`process`, `consumed`, `notifySocketPath`) is touched only
    // by the task that owns the daemon; the concurrent senders of a test only call `send`,
    // which reads constants.

    /// How ``start(waitingFor:timeout:)`` knows the daemon is up.
    public enum Readiness: Sendable {
        /// `READY=1` on the notify socket: database migrated, flights restored, broker connected.
        case notifiedReady
        /// `/healthz` answers 200.
        case healthy
    }

    public let databaseURL: String
    /// A random airport code keeps each daemon's topics apart on the shared test broker (the
    /// shipped ACL only lets the daemon write under `flightedge/`).
    public let airport: String
    public let clientID: String
    /// The daemon's files: configuration, log, spool folder.
    public let folder: URL
    /// The `aodb` feed's tcp-listen port.
    public let listenPort: Int
    /// The operations endpoint (`/healthz`, `/metrics`).
    public let httpPort: Int
    public let configPath: String
    /// The configuration up to and including the `aodb` feed: a reload test writes other feeds
    /// after it.
    public let baseConfig: String
    /// The `flightedge` binary this daemon runs.
    public let binary: URL
    private let logLevel: String
    private let logPath: String
    private(set) var process: Process?
    private let notify: NotifyListener?
    /// Another notify socket for the daemon to use instead of the one this harness reads.
    public var notifySocketPath: String?
    /// How many notifications ``notifications(for:)`` and ``start(waitingFor:timeout:)`` have
    /// handed out.
    private var consumed = 0

    /// The daemon the tests run: `FLIGHTEDGE_TEST_BINARY` (scripts/test sets the release
    /// build), else the debug build.
    public static var binaryUnderTest: URL {
        if let path = ProcessInfo.processInfo.environment["FLIGHTEDGE_TEST_BINARY"], !path.isEmpty {
            return path.hasPrefix("/") ? URL(fileURLWithPath: path) : Repository.root.appendingPathComponent(path)
        }
        return Repository.root.appendingPathComponent(".build/debug/flightedge")
    }

    /// Writes the configuration of a daemon on `databaseURL`; nothing runs until ``start(waitingFor:timeout:)``.
    ///
    /// - Parameters:
    ///   - extraFeeds: TOML appended after the `drop` spool feed (more `[[feeds]]`).
    ///   - mqttPort: the broker's port; by default the test broker's.
    ///   - airport: the IATA code, by default three random letters.
    ///   - clientID: by default `fe-test-` and eight random characters.
    ///   - folder: by default `daemons/<clientID>` in the services' scratch folder; an existing
    ///     folder given here is emptied first.
    ///   - binary: by default ``binaryUnderTest``.
    ///   - logLevel: `FLIGHTEDGE_LOG_LEVEL`.
    ///   - systemdNotify: false leaves `NOTIFY_SOCKET` as this process has it (and
    ///     ``Readiness/notifiedReady`` unusable).
    public init(
        databaseURL: String, extraFeeds: String = "", stateQoS: Int = 1, maxFrameBytes: Int = 1_048_576,
        mqttPort: Int? = nil, airport: String? = nil, clientID: String? = nil, folder: URL? = nil,
        binary: URL = DaemonProcess.binaryUnderTest, logLevel: String = "debug", systemdNotify: Bool = true
    ) throws {
        self.databaseURL = databaseURL
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        self.airport = airport ?? String((0..<3).map { _ in letters.randomElement()! })
        let clientID = clientID ?? "fe-test-\(UUID().uuidString.prefix(8).lowercased())"
        self.clientID = clientID
        if let folder {
            try? FileManager.default.removeItem(at: folder)
            self.folder = folder
        } else {
            self.folder = try TestServices.scratch.appendingPathComponent("daemons").appendingPathComponent(clientID)
        }
        try FileManager.default.createDirectory(at: self.folder.appendingPathComponent("spool"), withIntermediateDirectories: true)
        self.binary = binary
        self.logLevel = logLevel
        listenPort = try Loopback.freePort()
        httpPort = try Loopback.freePort()
        notify = systemdNotify ? try NotifyListener() : nil
        logPath = self.folder.appendingPathComponent("daemon.log").path
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
            password_file = "\(try TestServices.mqttPasswordFolder)/flightedge.password"
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
            path = "\(self.folder.appendingPathComponent("spool").path)"
            framing = "lf"
            \(extraFeeds)
            """
        configPath = self.folder.appendingPathComponent("flightedge.toml").path
        try (config + feeds).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if let process, process.isRunning { process.terminate() }
        notify?.close()
    }

    /// The `drop` feed's folder.
    public var spool: URL { folder.appendingPathComponent("spool") }

    /// `flightedge/{airport}/{rest}`
    public func topic(_ rest: String) -> String { "flightedge/\(airport)/\(rest)" }

    /// Every notification so far, in order.
    public var notifications: [String] { notify?.messages(from: 0) ?? [] }

    /// Starts the daemon and waits until it is ready; returns the seconds that took. Throws
    /// (with the daemon's log) when it exits or is not ready within `timeout` seconds.
    @discardableResult
    public func start(waitingFor readiness: Readiness = .notifiedReady, timeout: Double = 60) throws -> Double {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + .seconds(timeout)
        let first = notify?.count ?? 0
        try launch()
        guard let process else { return 0 }
        while clock.now < deadline {
            switch readiness {
            case .notifiedReady:
                let since = notify?.messages(from: first) ?? []
                if let ready = since.firstIndex(where: { $0.contains("READY=1") }) {
                    consumed = first + ready + 1
                    return seconds(clock.now - started)
                }
            case .healthy:
                if let (status, _) = try? http("/healthz"), status == 200 { return seconds(clock.now - started) }
            }
            if !process.isRunning { break }
            usleep(readiness == .healthy ? 2_000 : 10_000)
        }
        let outcome = process.isRunning ? "did not become ready within \(Int(timeout)) s" : "exited before it was ready"
        throw TestSupportError(.daemonNotReady, "the daemon \(outcome); its log (\(logPath)):\n\(log)")
    }

    /// Starts the daemon without waiting for anything.
    public func launch() throws {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--config", configPath]
        var environment = ProcessInfo.processInfo.environment
        if let socket = notifySocketPath ?? notify?.path { environment["NOTIFY_SOCKET"] = socket }
        environment["FLIGHTEDGE_LOG_LEVEL"] = logLevel
        process.environment = environment
        let log = try logHandle()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
    }

    /// `flightedge migrate` with this daemon's configuration (its output goes to the log).
    public func migrate() throws {
        let migrate = Process()
        migrate.executableURL = binary
        migrate.arguments = ["migrate", "--config", configPath]
        let log = try logHandle()
        migrate.standardOutput = log
        migrate.standardError = log
        try migrate.run()
        migrate.waitUntilExit()
        guard migrate.terminationStatus == 0 else {
            throw TestSupportError(.commandFailed, "flightedge migrate exited \(migrate.terminationStatus); see \(logPath)")
        }
    }

    private func logHandle() throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        return log
    }

    /// What the daemon sent to its notify socket that was not handed out yet, and all it sends
    /// during the next `seconds`.
    public func notifications(for seconds: Double) -> [String] {
        usleep(useconds_t(seconds * 1_000_000))
        let messages = notify?.messages(from: consumed) ?? []
        consumed += messages.count
        return messages
    }

    /// Writes a new configuration file: `base` (by default the original up to the `aodb` feed),
    /// then `feeds`. The daemon reads it at its next reload.
    public func rewriteConfig(base: String? = nil, feeds: String) throws {
        try ((base ?? baseConfig) + feeds).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// `systemctl reload`: SIGHUP.
    public func hangUp() {
        if let pid { kill(pid, SIGHUP) }
    }

    /// The running daemon's process id.
    public var pid: Int32? { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } }

    public var isRunning: Bool { process?.isRunning ?? false }

    /// The highest resident memory of the running daemon so far (VmHWM), in MB.
    public var peakResidentMegabytes: Double { pid.map(ProcessStatistics.peakResidentMegabytes) ?? 0 }

    /// The running daemon's user + system CPU seconds so far.
    public var cpuSeconds: Double { pid.map(ProcessStatistics.cpuSeconds) ?? 0 }

    /// `kill -9`: no shutdown of any kind, as a power cut or the OOM killer would do it.
    public func crash() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(5_000) }
    }

    /// Sends SIGTERM and waits for the exit status; nil when it had to be killed after
    /// `timeout` seconds, or never ran.
    @discardableResult
    public func stop(timeout: Double = 30) -> Int32? {
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

    /// Stops the daemon if it still runs and closes the notify socket: the end of its life.
    public func close() {
        if isRunning { stop() }
        notify?.close()
    }

    /// Everything the daemon logged.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends lines to the daemon's tcp-listen feed (`aodb`, or the one on `port`) and closes
    /// the connection.
    public func send(lines: [String], port: Int? = nil) throws {
        _ = try Loopback.exchange(Array((lines.joined(separator: "\n") + "\n").utf8), port: port ?? listenPort)
    }

    /// Sends bytes to the daemon's tcp-listen feed (`aodb`, or the one on `port`) and closes
    /// the connection.
    public func send(bytes: [UInt8], port: Int? = nil) throws {
        _ = try Loopback.exchange(bytes, port: port ?? listenPort)
    }

    /// `GET path` on the operations endpoint: the status code and the body.
    public func http(_ path: String) throws -> (status: Int, body: String) {
        try Loopback.get(path, port: httpPort)
    }

    /// The samples of `/metrics`.
    public func metrics() throws -> MetricSamples {
        MetricSamples(prometheusText: try http("/metrics").body)
    }

    /// One sample of `/metrics` (`name` with its labels, as the line starts), nil when absent.
    public func metric(_ name: String) throws -> Double? {
        try metrics()[name]
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
