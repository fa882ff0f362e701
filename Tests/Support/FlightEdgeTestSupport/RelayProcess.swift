import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `flightedge-relay` under test: its configuration written into a scratch folder (the test
/// PostgreSQL database given, the test broker, the SMTP stand-in when given), started, stopped,
/// killed, and its HTTP API called over a real socket.
public final class RelayProcess: @unchecked Sendable {
    // @unchecked: `process` is set by `launch()` from the test's own task only.
    public let folder: URL
    public let configPath: String
    public let httpPort: Int
    public let clientID: String
    public let binary: URL
    public var logPath: String { folder.appendingPathComponent("relay.log").path }
    private var process: Process?

    /// The binary the tests run: `FLIGHTEDGE_TEST_RELAY_BINARY`, else the debug build's.
    public static var binaryUnderTest: URL {
        if let path = ProcessInfo.processInfo.environment["FLIGHTEDGE_TEST_RELAY_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return Repository.root.appendingPathComponent(".build/debug/flightedge-relay")
    }

    /// Writes the configuration; nothing runs until ``start()``.
    ///
    /// - Parameters:
    ///   - smtp: the SMTP stand-in to mail through; nil leaves e-mail off.
    ///   - statusTopic: the airports' status the relay reads (`[source] status_topic`); none by
    ///     default, so a status another suite left retained on the shared broker opens no gap here;
    ///     `bridgeTopic` likewise for the bridges' notifications.
    ///   - extra: TOML appended (`[rules]`, `[dispatch]`, more channels).
    public init(
        databaseURL: String, smtp: SMTPStandin? = nil, clientID: String? = nil, topic: String = "flightedge/+/events/#",
        statusTopic: String = "", bridgeTopic: String = "", extra: String = "", binary: URL = RelayProcess.binaryUnderTest
    ) throws {
        let clientID = clientID ?? "fe-relay-test-" + UUID().uuidString.prefix(8).lowercased()
        self.clientID = clientID
        self.binary = binary
        folder = try TestServices.scratch.appendingPathComponent("relays/\(clientID)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        httpPort = try Loopback.freePort()
        configPath = folder.appendingPathComponent("relay.toml").path
        var config = """
            [database]
            url = "\(databaseURL)"

            [source]
            kind = "mqtt"
            url = "mqtt://\(try TestServices.mqttHost):\(try TestServices.mqttPort)"
            username = "relay"
            password_file = "\(try TestServices.mqttPasswordFolder)/relay.password"
            topic = "\(topic)"
            status_topic = "\(statusTopic)"
            bridge_topic = "\(bridgeTopic)"
            client_id = "\(clientID)"

            [http]
            listen = "127.0.0.1:\(httpPort)"
            public_url = "http://127.0.0.1:\(httpPort)"

            """
        if let smtp {
            let passwordFile = folder.appendingPathComponent("smtp.password")
            try Data("\(SMTPStandin.password)\n".utf8).write(to: passwordFile)
            config += """

                [smtp]
                host = "127.0.0.1"
                port = \(smtp.port)
                starttls = "required"
                username = "\(SMTPStandin.user)"
                password_file = "\(passwordFile.path)"
                from = "FlightEdge Test <alerts@flightedge.test>"
                ca_file = "\(smtp.caFile)"

                """
        }
        config += "\n" + extra
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the relay and waits until `/healthz` answers 200 (database migrated, source connected).
    @discardableResult
    public func start(timeout: Double = 60) throws -> Double {
        let clock = ContinuousClock()
        let started = clock.now
        try launch()
        while clock.now < started + .seconds(timeout) {
            if let (status, _) = try? Loopback.get("/healthz", port: httpPort), status == 200 {
                let elapsed = (clock.now - started).components
                return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            }
            if process?.isRunning != true { break }
            usleep(20_000)
        }
        let outcome = process?.isRunning == true ? "was not healthy within \(Int(timeout)) s" : "exited before it was healthy"
        throw TestSupportError(.daemonNotReady, "the relay \(outcome); its log (\(logPath)):\n\(log)")
    }

    /// Starts the relay without waiting.
    public func launch() throws {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--config", configPath]
        var environment = ProcessInfo.processInfo.environment
        environment["FLIGHTEDGE_LOG_LEVEL"] = "debug"
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        process.environment = environment
        let log = try logHandle()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
    }

    /// SIGTERM, then waits for the exit; returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? 0 }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILL: no chance to finish anything.
    public func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public var isRunning: Bool { process?.isRunning ?? false }

    /// Runs `flightedge-relay ARGUMENTS --config …` to its end: (exit status, standard output, standard error).
    public func command(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let command = Process()
        command.executableURL = binary
        command.arguments = arguments + ["--config", configPath]
        let output = Pipe()
        let error = Pipe()
        command.standardOutput = output
        command.standardError = error
        try command.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        command.waitUntilExit()
        return (command.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// A new API key, made with `flightedge-relay api-key create`.
    public func createAPIKey(_ name: String = "test") throws -> String {
        let result = try command(["api-key", "create", name])
        guard result.status == 0 else {
            throw TestSupportError(.commandFailed, "api-key create exited \(result.status): \(result.error)")
        }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Subscribes `address` by e-mail to one flight through `POST /v1/subscriptions`, as an
    /// airline's app does; the answer as it came (201 and the subscription's JSON when taken).
    public func subscribe(
        email address: String, airline: String = "LX", number: String, date: String, key: String
    ) throws -> (status: Int, headers: [String: String], body: String) {
        try request(
            "POST", "/v1/subscriptions",
            body: """
                {"flight": {"airline": "\(airline)", "number": "\(number)", "date": "\(date)"},
                 "contacts": [{"channel": "email", "address": "\(address)"}]}
                """,
            headers: ["Authorization": "Bearer \(key)"])
    }

    /// One HTTP/1.1 request to the relay: (status, headers in lower case, body).
    public func request(
        _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]
    ) throws -> (status: Int, headers: [String: String], body: String) {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(httpPort)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        let reply = String(decoding: try Loopback.exchange(Array(text.utf8), port: httpPort), as: UTF8.self)
        guard let split = reply.range(of: "\r\n\r\n") else { return (0, [:], reply) }
        let head = reply[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = head.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var payload = String(reply[split.upperBound...])
        if fields["transfer-encoding"] == "chunked" { payload = Self.dechunk(payload) }
        return (status, fields, payload)
    }

    /// The relay's log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private func logHandle() throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        return log
    }

    private static func dechunk(_ text: String) -> String {
        var rest = Substring(text)
        var out = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let end = rest.utf8.index(start, offsetBy: size)
            out += rest[start..<end]
            rest = rest[end...].dropFirst(2)
        }
        return out
    }

    deinit {
        if process?.isRunning == true { kill9() }
    }
}
