import Foundation

/// Debian's `mosquitto_pub` and `mosquitto_sub` against the test broker, as one of the users of
/// conf/mosquitto/flightedge.acl (MQTT 3.1.1, QoS 1), for tests that play a gateway or a board.
public enum MosquittoClient {
    /// Publishes one message and waits for its PUBACK (an empty retained payload clears the topic).
    public static func publish(topic: String, payload: String, retain: Bool, user: String = "flightedge") throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")
        process.arguments =
            try connection(user: user) + ["-t", topic, "-m", payload] + (retain ? ["-r"] : []) + (payload.isEmpty ? ["-n"] : [])
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupportError(.commandFailed, "mosquitto_pub to \(topic) exited \(process.terminationStatus)")
        }
    }

    /// Subscribes now and collects the payloads of the next `count` messages on `topic`.
    public static func subscribe(topic: String, count: Int, user: String = "flightedge") throws -> Subscription {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        process.arguments = try connection(user: user) + ["-t", topic, "-C", String(count)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // mosquitto_sub has no "subscribed" signal: give its SUBACK time to come back.
        Thread.sleep(forTimeInterval: 0.5)
        return Subscription(process: process, output: output)
    }

    /// A running `mosquitto_sub`.
    public final class Subscription: @unchecked Sendable {
        private let process: Process
        private let output: Pipe

        init(process: Process, output: Pipe) {
            self.process = process
            self.output = output
        }

        /// The payloads received, one per line, once `count` arrived or `seconds` passed
        /// (then whatever came, possibly nothing).
        public func wait(seconds: Double) throws -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return text.split(separator: "\n").map(String.init)
        }
    }

    private static func connection(user: String) throws -> [String] {
        [
            "-h", try TestServices.mqttHost, "-p", String(try TestServices.mqttPort), "-u", user,
            "-P", try TestServices.mqttPassword(user), "-q", "1", "-V", "mqttv311",
        ]
    }
}
