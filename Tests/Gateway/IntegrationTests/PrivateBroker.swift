import FlightEdgeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A mosquitto of a test's own (the shipped configuration, rendered on a free port, with the
/// test services' users), so the test can stop and restart it without disturbing others.
final class PrivateBroker: @unchecked Sendable {
    let port: Int
    let folder: URL
    private var process: ChildProcess?

    /// A broker on a free port; `extraConfiguration` is appended to its configuration (a bridge,
    /// a listener). `@BROKER_FOLDER@` in it stands for ``folder``: the shipped configuration sets
    /// `per_listener_settings`, so a listener added here names its own `password_file`
    /// (`@BROKER_FOLDER@/passwd`) and `acl_file` (`@BROKER_FOLDER@/flightedge.acl`).
    /// `listeners` go to `scripts/render-mosquitto-conf` after the port (`WS|- [TLS_PORT TLS_DIR]`).
    init(extraConfiguration: String = "", listeners: [String] = []) throws {
        port = try Loopback.freePort()
        let shared = URL(fileURLWithPath: try TestServices.environment("FLIGHTEDGE_TEST_MQTT_PASSWORD_DIR"))
        folder = URL(fileURLWithPath: try TestServices.environment("FLIGHTEDGE_TEST_SCRATCH"))
            .appendingPathComponent("brokers").appendingPathComponent("broker-\(port)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        for file in ["passwd", "flightedge.acl"] {
            let target = folder.appendingPathComponent(file)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: shared.appendingPathComponent(file), to: target)
        }
        let render = Process()
        render.executableURL = Repository.root.appendingPathComponent("scripts/render-mosquitto-conf")
        render.arguments = [folder.path, String(port)] + listeners
        let output = Pipe()
        render.standardOutput = output
        try render.run()
        let conf = output.fileHandleForReading.readDataToEndOfFile()
        render.waitUntilExit()
        let extra = extraConfiguration.replacingOccurrences(of: "@BROKER_FOLDER@", with: folder.path)
        try (conf + Data(("\n" + extra + "\n").utf8)).write(to: folder.appendingPathComponent("mosquitto.conf"))
    }

    deinit { stop() }

    func start() throws {
        let binary = FileManager.default.fileExists(atPath: "/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "/usr/bin/mosquitto"
        process = try ChildProcess(binary, ["-c", folder.appendingPathComponent("mosquitto.conf").path])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let descriptor = try? Loopback.connect(port: port) {
                Glibc.close(descriptor)
                return
            }
            usleep(50_000)
        }
        throw TimedOut()
    }

    /// Replaces the broker's ACL file; ``reload()`` makes a running broker read it.
    func replaceACL(_ text: String) throws {
        try text.write(to: folder.appendingPathComponent("flightedge.acl"), atomically: true, encoding: .utf8)
    }

    /// SIGHUP: mosquitto reads its password file and ACL again.
    func reload() { process?.signal(SIGHUP) }

    /// What the broker logged.
    var log: String { (try? String(contentsOf: folder.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? "" }

    /// SIGTERM: mosquitto saves its persistence file (retained messages, sessions) and exits.
    func stop() {
        guard let process, process.isRunning else { return }
        process.signal(SIGTERM)
        if !process.wait(seconds: 10) {
            process.signal(SIGKILL)
            process.wait(seconds: 5)
        }
        self.process = nil
    }
}
