import FlightEdgeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `flightedge watch` against the dev broker and its shipped ACL: who it reads as, what it says
/// about the connection, and how it ends.
@Suite("flightedge watch")
struct WatchCommandTests {
    /// A configuration of its own airport code, so other tests' messages never show up here.
    private struct Setup {
        var configPath: String
        var root: String
        var logPath: String

        init(port: Int? = nil) throws {
            let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            let iata = "Q" + String((0..<2).map { _ in letters.randomElement()! })
            root = "flightedge/\(iata)"
            let scratch = try TestServices.scratch.path
            var text = try String(contentsOf: Repository.root.appendingPathComponent("conf/flightedge.dev.toml"), encoding: .utf8)
            text = text.replacingOccurrences(of: #"iata = "ZRH""#, with: #"iata = "\#(iata)""#)
                .replacingOccurrences(of: #"".scratch/"#, with: #""\#(scratch)/"#)
                .replacingOccurrences(of: "port = 21883", with: "port = \(try port ?? TestServices.mqttPort)")
            let base = NSTemporaryDirectory() + "fe-watch-\(UUID().uuidString.prefix(8))"
            configPath = base + ".toml"
            logPath = base + ".log"
            try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        }

        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        func watch(_ extra: [String] = []) throws -> ChildProcess {
            try ChildProcess(DaemonProcess.binaryUnderTest.path, ["watch", "--config", configPath] + extra, log: logPath)
        }

        /// Publishes as the daemon's user, as the daemon would.
        func publish(_ kind: String, _ payload: String) throws {
            try publish(topic: "\(root)/events/\(kind)", payload)
        }

        func publish(topic: String, _ payload: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")
            process.arguments = [
                "-h", try TestServices.mqttHost, "-p", String(try TestServices.mqttPort), "-u", "flightedge",
                "-P", try TestServices.mqttPassword("flightedge"), "-q", "1", "-t", topic, "-m", payload,
            ]
            try process.run()
            while process.isRunning { usleep(5_000) }
            #expect(process.terminationStatus == 0)
        }

        func waitForLog(_ text: String, seconds: Double = 15) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if log.contains(text) { return true }
                usleep(50_000)
            }
            return false
        }
    }

    /// Ends a watch as Ctrl-C would.
    static func end(_ watch: ChildProcess) {
        watch.signal(SIGTERM)
        watch.wait(seconds: 5)
    }

    static func gateChange(_ root: String) -> String {
        let iata = root.split(separator: "/").last!
        return #"{"schema":"flightedge.event/1","kind":"gate-change","airport":"\#(iata)","flight_id":"LX1234-20261124-D","seq":17,"#
            + #""stream_seq":3,"occurred_at":"2026-11-24T05:58:12Z","flight":{"airline":"LX","number":"1234","#
            + #""direction":"departure","date":"2026-11-24","origin":"\#(iata)","destination":"LHR","#
            + #""scheduled":"2026-11-24T06:30:00Z"},"previous":{"gate":"A12"},"current":{"gate":"B34"}}"#
    }

    @Test func readsTheEventsAsTheBoardUserByDefaultAndSaysItIsConnected() throws {
        let setup = try Setup()
        let watch = try setup.watch()
        defer { Self.end(watch) }
        #expect(setup.waitForLog("connecting to 127.0.0.1:\(try TestServices.mqttPort) as board"), "\(setup.log)")
        #expect(setup.waitForLog("connected; watching \(setup.root)/events"), "\(setup.log)")
        try setup.publish("gate-change", Self.gateChange(setup.root))
        #expect(setup.waitForLog("gate A12 → B34"), "the board user may read events: \(setup.log)")
    }

    static func delay(_ root: String, previous: String, current: String, minutes: Int) -> String {
        gateChange(root).replacingOccurrences(of: #""kind":"gate-change""#, with: #""kind":"delay""#)
            .replacingOccurrences(
                of: #""previous":{"gate":"A12"},"current":{"gate":"B34"}"#,
                with: #""previous":{"estimated":"\#(previous)"},"current":{"estimated":"\#(current)"},"delay_minutes":\#(minutes)"#)
    }

    @Test func showsAirportLocalTimeTheFlightIdAndWhatADelayChangeMeans() throws {
        let setup = try Setup()
        let watch = try setup.watch()
        defer { Self.end(watch) }
        #expect(setup.waitForLog("connected; watching"), "\(setup.log)")
        #expect(setup.log.contains("DATE       TIME     EVENT"), "a header: \(setup.log)")
        #expect(setup.log.contains("(times are airport local time, Europe/Zurich, UTC+"), "\(setup.log)")
        try setup.publish("gate-change", Self.gateChange(setup.root))
        // 05:58:12Z is 06:58:12 in Zurich in November; the id is the one `history` takes.
        #expect(setup.waitForLog("LX1234-20261124-D"), "\(setup.log)")
        let line = setup.log.split(separator: "\n").first { $0.contains("gate A12 → B34") }.map(String.init) ?? ""
        #expect(line.hasPrefix("2026-11-24 06:58:12 gate-change"), "\(line)")
        try setup.publish("delay", Self.delay(setup.root, previous: "2026-11-24T06:55:00Z", current: "2026-11-24T06:39:00Z", minutes: 9))
        #expect(setup.waitForLog("back on time (estimated 07:55 → 07:39, 9 min late)"), "\(setup.log)")
        try setup.publish("delay", Self.delay(setup.root, previous: "2026-11-24T07:10:00Z", current: "2026-11-24T06:55:00Z", minutes: 25))
        #expect(setup.waitForLog("delay reduced to 25 min from 40 (estimated 08:10 → 07:55)"), "\(setup.log)")
        try setup.publish("delay", Self.delay(setup.root, previous: "2026-11-24T06:55:00Z", current: "2026-11-24T07:10:00Z", minutes: 40))
        #expect(setup.waitForLog("delayed 40 min (estimated 07:55 → 08:10)"), "\(setup.log)")
        #expect(!setup.log.contains("(9 min)"))
    }

    @Test func printsTheGatewaysStatusOnlyWhenItsStateOrBootChanges() throws {
        let setup = try Setup()
        let watch = try setup.watch()
        defer { Self.end(watch) }
        #expect(setup.waitForLog("connected; watching"), "\(setup.log)")
        func status(_ state: String, boot: String, lag: Int) -> String {
            #"{"schema":"flightedge.status/1","state":"\#(state)","boot_id":"\#(boot)","as_of":"2026-11-24T05:5\#(lag):00Z","feeds_lag_seconds":\#(lag)}"#
        }
        // The gateway re-publishes its status with fresh figures every few seconds.
        for (state, boot, lag) in [("online", "aaaaaaaa11", 1), ("online", "aaaaaaaa11", 2), ("online", "aaaaaaaa11", 3),
                                   ("offline", "aaaaaaaa11", 4), ("online", "bbbbbbbb22", 5), ("online", "bbbbbbbb22", 6)] {
            try setup.publish(topic: "\(setup.root)/status", status(state, boot: boot, lag: lag))
        }
        try setup.publish("gate-change", Self.gateChange(setup.root))
        #expect(setup.waitForLog("gate A12 → B34"), "\(setup.log)")
        let lines = setup.log.split(separator: "\n").filter { $0.contains(" status ") && $0.contains("gateway ") }
        #expect(
            lines.map { String($0.split(separator: " ", omittingEmptySubsequences: true).suffix(3).joined(separator: " ")) }
                == ["online (boot aaaaaaaa)", "offline (boot aaaaaaaa)", "online (boot bbbbbbbb)"],
            "one line per change of state or boot: \(lines)")
    }

    @Test func endsWithAMessageWhenTheBrokerRefusesTheUser() throws {
        let setup = try Setup()
        let wrong = NSTemporaryDirectory() + "fe-watch-wrong-\(UUID().uuidString.prefix(8))"
        try "not the password\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let watch = try setup.watch(["--password-file", wrong])
        defer { watch.signal(SIGKILL) }
        #expect(watch.wait(seconds: 15), "a refused watch ends: \(setup.log)")
        #expect(watch.exitCode == 2)
        #expect(setup.log.contains("flightedge watch: the broker at 127.0.0.1:\(try TestServices.mqttPort) refused user board"), "\(setup.log)")
    }

    @Test func saysWhichPasswordFileItLacksForTheBoardUser() throws {
        let setup = try Setup()
        // Only the daemon's password where the configuration points: no board.password beside it.
        let folder = NSTemporaryDirectory() + "fe-watch-pw-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try TestServices.mqttPassword("flightedge").write(toFile: folder + "/flightedge.password", atomically: true, encoding: .utf8)
        let scratch = try TestServices.scratch.path
        let text = try String(contentsOfFile: setup.configPath, encoding: .utf8)
            .replacingOccurrences(of: "\(scratch)/mosquitto/flightedge.password", with: folder + "/flightedge.password")
        try text.write(toFile: setup.configPath, atomically: true, encoding: .utf8)
        let run = try CommandRun(["watch", "--config", setup.configPath])
        #expect(run.status == 1)
        #expect(run.errors.contains("no password for broker user board: \(folder)/board.password does not exist"), "\(run.errors)")
        #expect(run.errors.contains("--password-file"))
    }

    @Test func givesUpOnABrokerThatCannotBeReachedAfterTheConnectTimeout() throws {
        let port = try Loopback.freePort()
        let setup = try Setup(port: port)
        let watch = try setup.watch(["--connect-timeout", "2"])
        defer { watch.signal(SIGKILL) }
        #expect(watch.wait(seconds: 15), "a watch without a broker ends: \(setup.log)")
        #expect(watch.exitCode == 2)
        #expect(setup.log.contains("no connection to the broker at 127.0.0.1:\(port) within 2 s"), "\(setup.log)")
    }

    @Test func endsQuietlyWithExitZeroWhenItsReaderClosesThePipe() throws {
        let setup = try Setup()
        let statusPath = setup.logPath + ".status"
        let script = #"""
            "$0" watch --config "$1" 2>/dev/null | head -1 >/dev/null; echo "${PIPESTATUS[0]}" > "$2"
            """#
        let shell = try ChildProcess(
            "/bin/bash", ["-c", script, DaemonProcess.binaryUnderTest.path, setup.configPath, statusPath], log: setup.logPath)
        defer { shell.signal(SIGKILL) }
        // head leaves after the first line; the next event written makes the write fail.
        let deadline = Date().addingTimeInterval(20)
        while shell.isRunning && Date() < deadline {
            try setup.publish("gate-change", Self.gateChange(setup.root))
            usleep(200_000)
        }
        #expect(!shell.isRunning, "watch ended once head had gone")
        let status = (try? String(contentsOfFile: statusPath, encoding: .utf8)) ?? ""
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "watch's exit status: \(status) \(setup.log)")
        #expect(!setup.log.contains("Fatal error"))
    }
}
