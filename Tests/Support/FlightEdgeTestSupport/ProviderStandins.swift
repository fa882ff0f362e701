import Foundation

/// One HTTPS stand-in of `scripts/standins/run` (fcm, twilio, …), found through the variables it
/// writes to `.scratch/standins/env`: `FLIGHTEDGE_STANDIN_<NAME>_PORT`, `…_DIR` and
/// `FLIGHTEDGE_STANDIN_CA`. A missing variable is an error that says how to start them: nothing is
/// skipped. Control requests go through `curl` with the local CA (this target links no HTTP client).
public struct ProviderStandin: Sendable {
    /// Its name in `scripts/standins/run` (`fcm`, `twilio`).
    public let name: String
    /// Its HTTPS port on 127.0.0.1.
    public let port: Int
    /// The stand-in's state folder (`received.jsonl`, files it writes at start).
    public let folder: URL
    /// The local CA that signed the stand-ins' certificate: a channel's `ca_file`.
    public let caFile: String

    /// `https://127.0.0.1:PORT`.
    public var baseURL: String { "https://127.0.0.1:\(port)" }

    /// The stand-in called `name` in `scripts/standins/run`'s list.
    public static func named(_ name: String) throws(TestSupportError) -> ProviderStandin {
        let upper = name.uppercased().replacingOccurrences(of: "-", with: "_")
        let portText = try variable("FLIGHTEDGE_STANDIN_\(upper)_PORT")
        guard let port = Int(portText) else {
            throw TestSupportError(.serviceNotConfigured, "FLIGHTEDGE_STANDIN_\(upper)_PORT is not a number: \(portText)")
        }
        return ProviderStandin(
            name: name, port: port, folder: URL(fileURLWithPath: try variable("FLIGHTEDGE_STANDIN_\(upper)_DIR")),
            caFile: try variable("FLIGHTEDGE_STANDIN_CA"))
    }

    /// The text of a file the stand-in wrote to its folder.
    public func file(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    /// `POST path` with a JSON body; the answer's body.
    @discardableResult
    public func post(_ path: String, json: String) throws(TestSupportError) -> String {
        try curl(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json, baseURL + path])
    }

    /// httpbase's `POST /_control`: the next requests misbehave as `json` says.
    public func control(_ json: String) throws(TestSupportError) {
        try post("/_control", json: json)
    }

    /// Every request the stand-in answered normally, oldest first (httpbase's `GET /_received`).
    public func received() throws(TestSupportError) -> [[String: Any]] {
        try curl([baseURL + "/_received"]).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// The first record `matching` returns true for, waiting up to `timeout` for it to arrive
    /// (a stand-in records some things after answering, such as Twilio's status callbacks).
    public func record(
        within timeout: Duration = .seconds(5), matching: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = try received().first(where: matching) { return found }
            guard ContinuousClock.now < deadline else {
                throw TestSupportError(.commandFailed, "the \(name) stand-in recorded nothing of the kind within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private static func variable(_ name: String) throws(TestSupportError) -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestSupportError(
                .serviceNotConfigured,
                "\(name) is not set: run scripts/standins/run start, then source .scratch/standins/env (scripts/test does both)")
        }
        return value
    }

    fileprivate func curl(_ arguments: [String]) throws(TestSupportError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--fail-with-body", "--max-time", "10", "--cacert", caFile] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw TestSupportError(.commandFailed, "cannot run /usr/bin/curl for the \(name) stand-in: \(error)")
        }
        let body = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupportError(
                .connectionFailed,
                "the \(name) stand-in on \(baseURL) did not answer \(arguments.last ?? ""): "
                    + String(decoding: problem + body, as: UTF8.self) + " (is scripts/standins/run start done?)")
        }
        return String(decoding: body, as: UTF8.self)
    }
}

extension ProviderStandin {
    /// Twilio's stand-in only: the relay's `[sms]` section for it (the test account, its auth
    /// token in a new file under the scratch folder, the tests' sender).
    public func smsSettings() throws -> String {
        let folder = try TestServices.scratch.appendingPathComponent("twilio-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let token = folder.appendingPathComponent("twilio.token")
        try Data("twilio-secret\n".utf8).write(to: token)
        return """
            [sms]
            base_url = "\(baseURL)"
            account_sid = "ACtest"
            auth_token_file = "\(token.path)"
            from = "+15005550006"
            ca_file = "\(caFile)"

            """
    }

    /// Twilio's stand-in only: sends `body` to `number` from the tests' sender (`+15005550006`) as
    /// any API client would (`POST …/Messages.json`, Basic auth); returns the message's sid.
    public func sendTwilioMessage(to number: String, body: String) throws -> String {
        let answer = try curl([
            "-u", "ACtest:twilio-secret", "--data-urlencode", "To=\(number)", "--data-urlencode", "From=+15005550006",
            "--data-urlencode", "Body=\(body)", baseURL + "/2010-04-01/Accounts/ACtest/Messages.json",
        ])
        guard let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any],
            let sid = object["sid"] as? String
        else { throw TestSupportError(.commandFailed, "the Twilio stand-in's answer has no sid: \(answer)") }
        return sid
    }
}
