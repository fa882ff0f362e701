import FlightEdgeTestSupport
import Foundation
import Testing

/// A broker that refuses the daemon (wrong password): one clear error, retries with backoff,
/// no crash and no busy loop; once the password is right it connects and becomes ready.
@Suite("Fault suite: the broker refuses the daemon")
struct BrokerRefusalFaultTests {
    @Test func aWrongPasswordIsLoggedOnceAndRetriedWithBackoff() async throws {
        let broker = try PrivateBroker()
        try broker.start()
        try await withDaemon(mqttPort: broker.port, start: false) { daemon in
            let passwordFile = daemon.folder.appendingPathComponent("wrong.password").path
            try "not-the-password\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
            let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
            let original = config.split(separator: "\n").first { $0.hasPrefix("password_file") }.map(String.init) ?? ""
            try config.replacingOccurrences(of: original, with: #"password_file = "\#(passwordFile)""#)
                .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)

            try daemon.launch()
            try await Task.sleep(for: .seconds(8))
            #expect(daemon.isRunning, "a refusing broker must not stop the daemon")
            let refusals = daemon.log.components(separatedBy: "MQTT broker refused the connection").count - 1
            #expect(refusals == 1, "one clear error, not one per retry (\(refusals))")
            #expect(daemon.log.contains("reason=") && daemon.log.lowercased().contains("not authori"))
            let brokerLog = (try? String(contentsOf: broker.folder.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? ""
            let attempts = brokerLog.components(separatedBy: "not authorised").count - 1
            // Exponential backoff from 1 s: 0, 1, 3, 7 s → about four attempts in 8 s, not hundreds.
            #expect(attempts >= 2 && attempts <= 8, "connection attempts in 8 s: \(attempts)")
            daemon.crash()

            // With the right password it connects and becomes ready.
            try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
            try daemon.start()
            print("fault suite, broker refusal: wrong password logged once, \(attempts) attempts in 8 s with backoff, daemon up throughout; ready once the password is right")
            #expect(daemon.stop() == 0)
            broker.stop()
        }
    }
}
