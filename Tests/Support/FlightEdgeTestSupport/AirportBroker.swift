import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A private mosquitto playing an airport's broker, bridged to the central cluster with the
/// section `scripts/central add-airport IATA` printed. Stopped (SIGTERM) when released.
public final class AirportBroker {
    public let iata: String
    public let port: Int
    public let folder: URL
    private let process: Process

    /// - Parameters:
    ///   - maxQueuedMessages: what the bridge may queue while the centre is unreachable (beyond
    ///     it mosquitto drops events: only a replay brings them back).
    ///   - nodePorts: the central nodes' MQTT ports the bridge connects to (default: the nodes'
    ///     own; a test passes ``WANLink`` ports to cut the airport off).
    public init(iata: String, maxQueuedMessages: Int = 100_000, nodePorts: [Int]? = nil) throws {
        self.iata = iata
        var bridge = try CentralCluster.addAirport(iata)
        if let nodePorts {
            let addresses = "address " + nodePorts.map { "127.0.0.1:\($0)" }.joined(separator: " ")
            bridge = bridge.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.hasPrefix("address ") ? addresses : String($0) }.joined(separator: "\n")
        }
        port = try Loopback.freePort()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("flightedge-airport-\(iata)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var lines = [
            "listener \(port) 127.0.0.1",
            "allow_anonymous true",
            "persistence false",
            // As conf/mosquitto/flightedge.conf: a bridge that is down queues, it does not drop.
            "max_queued_messages \(maxQueuedMessages)",
            "max_inflight_messages 1000",
            "log_dest file \(folder.path)/mosquitto.log",
            "log_type error",
            "log_type warning",
            "log_type notice",
        ]
        if getuid() == 0 { lines.append("user root") }
        let configuration = folder.appendingPathComponent("mosquitto.conf")
        try (lines.joined(separator: "\n") + "\n" + bridge).write(to: configuration, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/mosquitto")
        process.arguments = ["-c", configuration.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while (try? Loopback.connect(port: port)).map({ close($0) }) == nil {
            guard process.isRunning, Date() < deadline else {
                throw TestSupportError(.daemonNotReady, "mosquitto for \(iata) did not listen on \(port): \(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// What mosquitto logged (bridge connections and failures).
    public var log: String {
        (try? String(contentsOf: folder.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? ""
    }

    /// Stops the broker and removes its folder; a top-level program's globals are never
    /// released, so it calls this itself.
    public func stop() {
        // SIGKILL: the test runner blocks SIGTERM, and its children inherit the mask.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }
}
