import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven through chromedriver's W3C WebDriver HTTP API (Debian's
/// `chromium` and `chromium-driver`): what the board browser tests need, nothing more.
public final class WebDriverSession {
    private let driver: Process
    private let port: Int
    private var session = ""

    /// Starts chromedriver and a headless Chromium with a `width`×`height` viewport.
    public init(width: Int = 1920, height: Int = 1080, timeout: Double = 30) throws {
        port = try Loopback.freePort()
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        driver.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        do {
            try driver.run()
        } catch {
            throw TestSupportError(.commandFailed, "cannot start /usr/bin/chromedriver (scripts/setup installs chromium-driver): \(error)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while (try? request("GET", "/status")) == nil {
            guard Date() < deadline, driver.isRunning else {
                stop()
                throw TestSupportError(.commandFailed, "chromedriver did not answer on port \(port) within \(timeout) s")
            }
            usleep(50_000)
        }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": "/usr/bin/chromium",
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--hide-scrollbars", "--window-size=\(width),\(height)", "--force-device-scale-factor=1",
                        ],
                    ],
                ]
            ]
        ]
        do {
            let answer = try command("POST", "/session", capabilities)
            guard let id = (answer as? [String: Any])?["sessionId"] as? String else {
                throw TestSupportError(.commandFailed, "chromedriver gave no session: \(String(describing: answer))")
            }
            session = id
            try setViewport(width: width, height: height)
        } catch {
            stop()
            throw error
        }
    }

    deinit { quit() }

    /// Opens `url` and waits for its load.
    public func navigate(_ url: String) throws {
        _ = try command("POST", "/session/\(session)/url", ["url": url])
    }

    /// Runs `script` (a function body) in the page and returns what it returns, as text.
    @discardableResult
    public func run(_ script: String) throws -> String {
        Self.text(try command("POST", "/session/\(session)/execute/sync", ["script": script, "args": [Any]()]))
    }

    /// Runs `script` (a function body whose last argument is its callback) in the page and
    /// returns what it passes to the callback, as text: for promises.
    @discardableResult
    public func runAsync(_ script: String) throws -> String {
        Self.text(try command("POST", "/session/\(session)/execute/async", ["script": script, "args": [Any]()]))
    }

    /// A script's value as text: a string as it is, null as empty, anything else described.
    private static func text(_ value: Any?) -> String {
        if let text = value as? String { return text }
        guard let value, !(value is NSNull) else { return "" }
        return "\(value)"
    }

    /// A DevTools protocol command (`ServiceWorker.deliverPushMessage`, `Browser.grantPermissions`…)
    /// on the page's target.
    public func devtools(_ command: String, _ parameters: [String: Any] = [:]) throws {
        _ = try self.command("POST", "/session/\(session)/goog/cdp/execute", ["cmd": command, "params": parameters])
    }

    /// Polls `script` every 20 ms until it returns "true"; the seconds that took, or nil after `timeout`.
    public func waitUntil(_ script: String, timeout: Double) throws -> Double? {
        let started = Date()
        while Date().timeIntervalSince(started) < timeout {
            if try run(script) == "true" { return Date().timeIntervalSince(started) }
            usleep(20_000)
        }
        return nil
    }

    /// The viewport, exactly (through the DevTools protocol: the window's size is not the page's).
    public func setViewport(width: Int, height: Int) throws {
        _ = try command(
            "POST", "/session/\(session)/goog/cdp/execute",
            [
                "cmd": "Emulation.setDeviceMetricsOverride",
                "params": ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false],
            ])
    }

    /// A PNG of the viewport, written to `file`; returns its width and height.
    @discardableResult
    public func screenshot(to file: URL) throws -> (width: Int, height: Int) {
        guard let base64 = try command("GET", "/session/\(session)/screenshot", nil) as? String,
            let png = Data(base64Encoded: base64), png.count > 24
        else { throw TestSupportError(.commandFailed, "chromedriver returned no screenshot") }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try png.write(to: file)
        let bytes = [UInt8](png)
        func word(_ offset: Int) -> Int { bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (word(16), word(20))
    }

    /// Ends the browser and chromedriver.
    public func quit() {
        if !session.isEmpty { _ = try? command("DELETE", "/session/\(session)", nil) }
        session = ""
        stop()
    }

    /// chromedriver leaves on `/shutdown` (it outlives a SIGTERM); a kill if it does not.
    private func stop() {
        guard driver.isRunning else { return }
        _ = try? request("GET", "/shutdown")
        let deadline = Date().addingTimeInterval(3)
        while driver.isRunning && Date() < deadline { usleep(20_000) }
        if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
        driver.waitUntilExit()
    }

    /// A WebDriver command: its `value`, or the error WebDriver reports, thrown.
    private func command(_ method: String, _ path: String, _ body: Any?) throws -> Any? {
        let (status, reply) = try request(method, path, body: body.map { try JSONSerialization.data(withJSONObject: $0) })
        let json = try? JSONSerialization.jsonObject(with: reply, options: [.fragmentsAllowed])
        let value = (json as? [String: Any])?["value"]
        guard status == 200 else {
            let error = (value as? [String: Any]).map { "\($0["error"] ?? "") \($0["message"] ?? "")" } ?? String(decoding: reply, as: UTF8.self)
            throw TestSupportError(.commandFailed, "WebDriver \(method) \(path): HTTP \(status): \(error.prefix(600))")
        }
        return value
    }

    private func request(_ method: String, _ path: String, body: Data? = nil) throws -> (Int, Data) {
        let descriptor = try Loopback.connect(port: port)
        defer { _ = Glibc.close(descriptor) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body?.count ?? 0)\r\n\r\n"
        try Loopback.writeAll(descriptor, Array(head.utf8) + [UInt8](body ?? Data()))
        var reply: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 65_536)
        var expected: Int?
        while true {
            if expected == nil, let end = reply.firstRange(of: Array("\r\n\r\n".utf8)) {
                let headText = String(decoding: reply[..<end.lowerBound], as: UTF8.self).lowercased()
                if let line = headText.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                    expected = end.upperBound + (Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0)
                }
            }
            if let expected, reply.count >= expected { break }
            let count = recv(descriptor, &scratch, scratch.count, 0)
            guard count > 0 else { break }
            reply += scratch[0..<count]
        }
        guard let end = reply.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw TestSupportError(.connectionFailed, "chromedriver closed without an answer to \(method) \(path)")
        }
        let statusLine = String(decoding: reply[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")[0]
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, Data(reply[end.upperBound...]))
    }
}
