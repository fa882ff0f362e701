import FlightEdgeTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension DaemonProcess {
    /// The release `flightedge run` the benchmark drives: airport BEN, its files in
    /// `bench/<name>` of the scratch folder (emptied first), logging at notice, no notify socket.
    static func benchmark(_ environment: BenchEnvironment, databaseURL: String, stateQoS: Int, name: String) throws -> DaemonProcess {
        let daemon = try DaemonProcess(
            databaseURL: databaseURL, stateQoS: stateQoS, airport: "BEN", clientID: "fe-bench-\(name)-\(getpid())",
            folder: environment.scratch.appendingPathComponent("bench").appendingPathComponent(name),
            binary: daemonBinary, logLevel: "notice",
            systemdNotify: false)
        var base = daemon.baseConfig
        if Callgrind.isOn {
            // Fifty times slower under valgrind: a frame may wait longer than the default
            // minute in a socket the daemon does not read while its queue is full.
            base = base.replacingOccurrences(of: "precedence = 10\n", with: "precedence = 10\nframe_timeout = 86400\n")
        }
        if let window = ProcessInfo.processInfo.environment["FLIGHTEDGE_BENCH_MAX_INFLIGHT"].flatMap({ Int($0) }) {
            // mqtt.max_inflight: libmosquitto walks every message in flight on each publish and PUBACK.
            base = base.replacingOccurrences(of: "state_qos = \(stateQoS)\n", with: "state_qos = \(stateQoS)\nmax_inflight = \(window)\n")
        }
        if base != daemon.baseConfig {
            let feeds = try String(contentsOfFile: daemon.configPath, encoding: .utf8).dropFirst(daemon.baseConfig.count)
            try daemon.rewriteConfig(base: base, feeds: String(feeds))
        }
        return daemon
    }

    /// The release build, or `FLIGHTEDGE_BENCH_DAEMON` when set: another build to compare, or
    /// a script that runs it under valgrind (docs/PERFORMANCE.md, "Instruction counts").
    static var daemonBinary: URL {
        if let path = ProcessInfo.processInfo.environment["FLIGHTEDGE_BENCH_DAEMON"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return Repository.root.appendingPathComponent(".build/release/flightedge")
    }

    /// An open TCP connection to the daemon's `aodb` feed, Nagle off.
    func connectFeed() throws -> Int32 { try Loopback.connect(port: listenPort, noDelay: true) }

    /// Waits until `frames` frames are committed and everything they caused is acknowledged by
    /// the broker; returns the monotonic time it saw that.
    func waitUntilDone(frames: Int, timeout: Double = 600) throws -> Double {
        let deadline = now() + timeout
        while now() < deadline {
            let samples = try metrics()
            if Int(samples["flightedge_frames_committed_total"] ?? 0) >= frames
                && samples["flightedge_publisher_pending_messages"] == 0
            {
                return now()
            }
            // Polling /metrics costs the daemon CPU too: 100 Hz, 0.25 % of a 4 s run; once a
            // second under callgrind, where the run takes minutes and each poll would count.
            usleep(Callgrind.isOn ? 1_000_000 : 10_000)
        }
        throw BenchError("not done within \(Int(timeout)) s")
    }
}
