import FlightEdgeTestSupport
import Foundation

/// With `FLIGHTEDGE_BENCH_CALLGRIND=1` (and `FLIGHTEDGE_BENCH_DAEMON` a script that runs the
/// daemon under `valgrind --tool=callgrind`), the end-to-end run zeroes the daemon's counters
/// just before the first byte and dumps them once the last PUBACK is in: the dump holds the
/// instructions of the run alone, not of start-up (docs/PERFORMANCE.md, "Instruction counts").
struct Callgrind {
    let pid: Int32

    static let isOn = ProcessInfo.processInfo.environment["FLIGHTEDGE_BENCH_CALLGRIND"] == "1"

    init?(_ daemon: DaemonProcess) {
        guard Self.isOn, let pid = daemon.pid else { return nil }
        self.pid = pid
    }

    func zero() throws { try control("-z") }
    func dump() throws { try control("-d") }

    private func control(_ option: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/callgrind_control")
        process.arguments = [option, String(pid)]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("callgrind_control \(option) \(pid) exited \(process.terminationStatus)") }
    }
}
