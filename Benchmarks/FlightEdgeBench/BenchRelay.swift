import FlightEdgeTestSupport
import Foundation

/// One release `flightedge-relay run` of the benchmark: FCM and e-mail into the benchmark's sinks,
/// events from the benchmark's broker, logging at notice (a log line per delivery would measure
/// the log).
final class BenchRelay {
    let folder: URL
    let httpPort: Int
    let configPath: String
    private let process = Process()

    /// The release build, or `FLIGHTEDGE_BENCH_RELAY_BINARY` (another build of the relay, e.g. a
    /// copy of the previous one, to alternate old and new in the same hour).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["FLIGHTEDGE_BENCH_RELAY_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return Repository.root.appendingPathComponent(".build/release/flightedge-relay")
    }

    /// `extra` is appended to the configuration (`[rules]`, `[dispatch]`), and after it
    /// `FLIGHTEDGE_BENCH_RELAY_EXTRA` (TOML lines of one's own, to try a setting: lines
    /// in the variable's value, e.g. `[dispatch]` and `concurrency = 64`).
    init(
        name: String, scratch: URL, databaseURL: String, broker: BenchBroker, fcm: FCMSink, smtp: SMTPSink, tls: URL,
        topic: String, extra: String = ""
    ) throws {
        folder = scratch.appendingPathComponent("bench/relay-\(name)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        httpPort = try Loopback.freePort()
        // The stand-ins' service account (its key signs the JWT), its token_uri pointed at the sink.
        let account = try String(contentsOf: scratch.appendingPathComponent("standins/fcm/service-account.json"), encoding: .utf8)
        guard let range = account.range(of: #""token_uri": *"[^"]*""#, options: .regularExpression) else {
            throw BenchError("no token_uri in the FCM stand-in's service account (scripts/standins/run start)")
        }
        let accountFile = folder.appendingPathComponent("service-account.json")
        try account.replacingCharacters(in: range, with: #""token_uri": "\#(fcm.baseURL)/token""#)
            .write(to: accountFile, atomically: true, encoding: .utf8)
        let smtpPassword = folder.appendingPathComponent("smtp.password")
        try "bench\n".write(to: smtpPassword, atomically: true, encoding: .utf8)
        configPath = folder.appendingPathComponent("relay.toml").path
        try """
            [database]
            url = "\(databaseURL)"

            [source]
            kind = "mqtt"
            url = "mqtt://127.0.0.1:\(broker.port)"
            topic = "\(topic)"
            client_id = "fe-bench-relay-\(name)-\(getpid())"

            [http]
            listen = "127.0.0.1:\(httpPort)"
            public_url = "http://127.0.0.1:\(httpPort)"

            [smtp]
            host = "127.0.0.1"
            port = \(smtp.port)
            starttls = "required"
            username = "bench"
            password_file = "\(smtpPassword.path)"
            from = "FlightEdge Bench <alerts@bench.example>"
            ca_file = "\(tls.appendingPathComponent("ca.pem").path)"

            [fcm]
            service_account_file = "\(accountFile.path)"
            base_url = "\(fcm.baseURL)"
            ca_file = "\(tls.appendingPathComponent("ca.pem").path)"

            \(extra)
            \(ProcessInfo.processInfo.environment["FLIGHTEDGE_BENCH_RELAY_EXTRA"] ?? "")
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// `flightedge-relay migrate`.
    func migrate() throws {
        let command = Process()
        command.executableURL = Self.binary
        command.arguments = ["migrate", "--config", configPath]
        command.standardOutput = FileHandle.nullDevice
        try command.run()
        command.waitUntilExit()
        guard command.terminationStatus == 0 else { throw BenchError("flightedge-relay migrate exited \(command.terminationStatus)") }
    }

    /// Starts it and waits for `/healthz` (schema current, broker connected).
    func start() throws {
        process.executableURL = Self.binary
        process.arguments = ["run", "--config", configPath]
        var environment = ProcessInfo.processInfo.environment
        environment["FLIGHTEDGE_LOG_LEVEL"] = "notice"
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        process.environment = environment
        let log = folder.appendingPathComponent("relay.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = now() + 60
        while now() < deadline {
            if let (status, _) = try? Loopback.get("/healthz", port: httpPort), status == 200 { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        throw BenchError("the relay in \(folder.path) was not healthy; see relay.log there")
    }

    var pid: Int32 { process.processIdentifier }
    var peakRSSMegabytes: Double { ProcessStatistics.peakResidentMegabytes(pid) }
    var cpuSeconds: Double { ProcessStatistics.cpuSeconds(pid) }

    func stop() {
        reap(process)
    }
}
