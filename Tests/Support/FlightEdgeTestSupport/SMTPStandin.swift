import Foundation

/// The SMTP stand-in (`scripts/standins/smtp.py`): the one `scripts/standins/run` starts, found
/// through `FLIGHTEDGE_STANDIN_SMTP_PORT`, `FLIGHTEDGE_STANDIN_SMTP_DIR` and `FLIGHTEDGE_STANDIN_CA`
/// (a missing variable is an error that says how to start it: nothing is skipped), or a private
/// plain one (no STARTTLS, no AUTH) a test starts with ``startPlain()``.
public final class SMTPStandin: @unchecked Sendable {
    // @unchecked: `process` (not Sendable) is only read: `isRunning`, `terminate()` and `waitUntilExit()` are safe from any thread.
    /// The login the stand-in accepts.
    public static let user = "relay"
    public static let password = "relay-secret"

    public let port: Int
    /// The state folder: `received.jsonl`, `mail/<n>.eml`, `control.json`.
    public let folder: URL
    /// The local CA that signed the stand-in's certificate (`[smtp] ca_file`).
    public let caFile: String
    private let process: Process?

    private init(port: Int, folder: URL, caFile: String, process: Process?) {
        self.port = port
        self.folder = folder
        self.caFile = caFile
        self.process = process
    }

    /// One accepted message, as the stand-in recorded it.
    public struct Received: Decodable, Sendable {
        public var mailFrom: String
        public var rcptTos: [String]
        public var messageID: String?
        /// Decoded (encoded-words undone).
        public var subject: String
        public var to: String
        public var listUnsubscribe: String?
        /// The `.eml` file, relative to ``SMTPStandin/folder``.
        public var file: String
        public var queueID: String
        /// The TCP connection's number since the stand-in started.
        public var connection: Int
        public var tls: Bool
        public var authUser: String?
        /// The text and HTML parts decoded from their transfer encoding, LF line ends.
        public var text: String?
        public var html: String?
        /// RCPT TO had arrived with MAIL FROM: the client sent the transaction's commands in one
        /// write (RFC 2920 PIPELINING, which the stand-in offers unless plain).
        public var pipelined: Bool?

        enum CodingKeys: String, CodingKey {
            case mailFrom = "mail_from"
            case rcptTos = "rcpt_tos"
            case messageID = "message_id"
            case subject, to
            case listUnsubscribe = "list_unsubscribe"
            case file
            case queueID = "queue_id"
            case connection, tls
            case authUser = "auth_user"
            case text, html, pipelined
        }
    }

    /// The stand-in `scripts/standins/run start` started.
    public static func shared() throws(TestSupportError) -> SMTPStandin {
        let portText = try variable("FLIGHTEDGE_STANDIN_SMTP_PORT")
        guard let port = Int(portText) else {
            throw TestSupportError(.serviceNotConfigured, "FLIGHTEDGE_STANDIN_SMTP_PORT is not a number: \(portText)")
        }
        return SMTPStandin(
            port: port, folder: URL(fileURLWithPath: try variable("FLIGHTEDGE_STANDIN_SMTP_DIR")),
            caFile: try variable("FLIGHTEDGE_STANDIN_CA"), process: nil)
    }

    /// A stand-in of its own without STARTTLS and AUTH, on `port` (0: a free one) and in a
    /// temporary folder; ``stop()`` ends it.
    public static func startPlain(port: Int = 0, pipelining: Bool = false) throws -> SMTPStandin {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-plain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = Repository.root.appendingPathComponent(".venv/bin/python")
        process.arguments = [
            Repository.root.appendingPathComponent("scripts/standins/smtp.py").path, "--port", "\(port)", "--state",
            folder.path,
            "--plain", "--exit-with-stdin",
        ] + (pipelining ? ["--pipelining"] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        // Its stdin closes when this process ends, however it ends: then the stand-in ends too.
        process.standardInput = Pipe()
        try process.run()
        // Its first line says where it listens: `listening on 127.0.0.1:PORT ...`.
        var line = Data()
        while !line.contains(10) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "127.0.0.1:"), let port = Int(text[range.upperBound...].prefix { $0.isNumber })
        else {
            process.terminate()
            throw TestSupportError(
                .commandFailed, "the plain SMTP stand-in did not start (is .venv set up? scripts/setup): \(text)")
        }
        return SMTPStandin(port: port, folder: folder, caFile: "", process: process)
    }

    /// Ends a stand-in ``startPlain()`` started and removes its folder (the shared one is left alone).
    public func stop() {
        guard let process else { return }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Every message accepted so far, oldest first.
    public func received() throws -> [Received] {
        let url = folder.appendingPathComponent("received.jsonl")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let decoder = JSONDecoder()
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try decoder.decode(Received.self, from: Data($0.utf8))
        }
    }

    /// The messages accepted for `recipient`.
    public func received(for recipient: String) throws -> [Received] {
        try received().filter { $0.rcptTos.contains(recipient) }
    }

    /// The `.eml` file of a message as the stand-in kept it (LF line ends).
    public func mail(_ record: Received) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(record.file), encoding: .utf8)
    }

    /// Writes `STATE/control.json`: the next `count` transactions (to `recipient` only, when
    /// given) fail as `mode` says: `tempfail`, `reject-rcpt`, `reject-rcpt-take-data` (RCPT
    /// refused, DATA answered 354 all the same), `reject-data`, `drop` or `stall`.
    public func fail(_ mode: String, count: Int = 1, recipient: String? = nil) throws {
        var rule: [String: Any] = ["mode": mode, "count": count]
        if let recipient { rule["rcpt"] = recipient }
        let url = folder.appendingPathComponent("control.json")
        try JSONSerialization.data(withJSONObject: rule).write(to: url, options: .atomic)
    }

    /// Removes `STATE/control.json`: back to accepting everything.
    public func clearFailures() throws {
        let url = folder.appendingPathComponent("control.json")
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }

    private static func variable(_ name: String) throws(TestSupportError) -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestSupportError(
                .serviceNotConfigured,
                "\(name) is not set: run scripts/standins/run start, then source .scratch/standins/env (scripts/test does both)"
            )
        }
        return value
    }
}
