import FlightEdgeTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension DaemonProcess {
    /// The release `flightedge run` the benchmark drives: airport BEN, its files in
    /// `bench/<name>` of the scratch folder (emptied first), logging at notice, no notify socket.
    static func benchmark(_ environment: BenchEnvironment, databaseURL: String, stateQoS: Int, name: String) throws -> DaemonProcess {
        try DaemonProcess(
            databaseURL: databaseURL, stateQoS: stateQoS, airport: "BEN", clientID: "fe-bench-\(name)-\(getpid())",
            folder: environment.scratch.appendingPathComponent("bench").appendingPathComponent(name),
            binary: Repository.root.appendingPathComponent(".build/release/flightedge"), logLevel: "notice",
            systemdNotify: false)
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
            usleep(10_000)  // polling /metrics costs the daemon CPU too: 100 Hz, 0.25 % of a 4 s run
        }
        throw BenchError("not done within \(Int(timeout)) s")
    }
}
