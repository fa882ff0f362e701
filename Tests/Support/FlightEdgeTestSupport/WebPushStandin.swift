import Foundation

/// The Web Push service stand-in (`scripts/standins/webpush.py`) that `scripts/standins/run start`
/// launches, found through `FLIGHTEDGE_STANDIN_WEBPUSH_PORT`, `FLIGHTEDGE_STANDIN_WEBPUSH_DIR` and
/// `FLIGHTEDGE_STANDIN_CA`. A missing variable is an error saying how to start it: nothing is skipped.
/// Its control and subscription endpoints are called with curl (this target links no HTTP client).
public struct WebPushStandin: Sendable {
    /// The HTTPS port on 127.0.0.1.
    public let port: Int
    /// Where it records what it decrypted (`received.jsonl`).
    public let directory: String
    /// The local CA that signed its certificate.
    public let caFile: String

    /// `https://127.0.0.1:PORT`, the origin its VAPID check expects as `aud`.
    public var origin: String { "https://127.0.0.1:\(port)" }

    /// Reads the stand-in's environment.
    public init() throws(TestSupportError) {
        let portText = try Self.environment("FLIGHTEDGE_STANDIN_WEBPUSH_PORT")
        guard let port = Int(portText) else {
            throw TestSupportError(.serviceNotConfigured, "FLIGHTEDGE_STANDIN_WEBPUSH_PORT is not a number: \(portText)")
        }
        self.port = port
        self.directory = try Self.environment("FLIGHTEDGE_STANDIN_WEBPUSH_DIR")
        self.caFile = try Self.environment("FLIGHTEDGE_STANDIN_CA")
    }

    /// One HTTPS request to `url` (default: `origin` + `path`) through curl, trusting the local CA.
    public func request(
        _ method: String, _ path: String, url: String? = nil, body: [UInt8]? = nil, headers: [String: String] = [:]
    ) throws -> (status: Int, body: [UInt8]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("webpush-standin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("answer").path
        var arguments = ["-sS", "--max-time", "20", "--cacert", caFile, "-X", method, "-o", output, "-w", "%{http_code}"]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
        if let body {
            let input = folder.appendingPathComponent("body")
            try Data(body).write(to: input)
            arguments += ["--data-binary", "@\(input.path)"]
        }
        arguments.append(url ?? origin + path)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let statusText = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let status = Int(statusText) else {
            throw TestSupportError(
                .connectionFailed,
                "curl \(method) \(url ?? origin + path) failed (exit \(process.terminationStatus)): is the stand-in up? "
                    + "(scripts/standins/run status)")
        }
        let answer = (try? Data(contentsOf: URL(fileURLWithPath: output))).map { Array($0) } ?? []
        return (status, answer)
    }

    /// A new browser subscription: the JSON of `PushSubscription.toJSON()` (`endpoint`, `keys.p256dh`, `keys.auth`).
    public func subscribe() throws -> [UInt8] {
        let answer = try request("POST", "/_subscribe")
        guard answer.status == 201 else {
            throw TestSupportError(.commandFailed, "POST /_subscribe answered \(answer.status)")
        }
        return answer.body
    }

    /// Makes the subscription `id` answer 410 Gone from now on.
    public func unsubscribe(_ id: String) throws {
        let answer = try request("DELETE", "/_subscriptions/\(id)")
        guard answer.status == 204 else {
            throw TestSupportError(.commandFailed, "DELETE /_subscriptions/\(id) answered \(answer.status)")
        }
    }

    /// Tells it how to misbehave (httpbase's `/_control`, e.g. `{"mode":"status","status":503,"count":1}`).
    public func control(_ json: String) throws {
        let answer = try request("POST", "/_control", body: Array(json.utf8), headers: ["Content-Type": "application/json"])
        guard answer.status == 200 else { throw TestSupportError(.commandFailed, "POST /_control answered \(answer.status)") }
    }

    /// Every record it wrote (one JSON object per line), oldest first.
    public func receivedLines() throws -> [String] {
        let text = try String(contentsOfFile: directory + "/received.jsonl", encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }

    private static func environment(_ name: String) throws(TestSupportError) -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestSupportError(
                .serviceNotConfigured,
                "\(name) is not set: run scripts/standins/run start, then source .scratch/standins/env (scripts/test does both)")
        }
        return value
    }
}
