import Foundation

/// What the `amqp` feed's tests and benchmark share: the AODB side, an airport user of
/// `scripts/central` (`aqf-bridge`, which may create queues named
/// `mqtt-subscription-flightedge-aqf-bridge…` and publish under `flightedge.AQF.`), and a
/// simulated day as AIDX messages.
public enum AMQPFeedQueue {
    /// The central user the feed consumes as: created (or kept) on first use.
    public static let user = "aqf-bridge"

    /// The user's password (after `scripts/central add-airport AQF`).
    public static func password() throws -> String {
        _ = try CentralCluster.addAirport("AQF")
        return try CentralCluster.airportPassword("AQF")
    }

    /// A queue name of the user's own and the routing key bound to it, for one test.
    public static func names() -> (queue: String, routingKey: String) {
        let tag = UUID().uuidString.prefix(8).lowercased()
        return ("mqtt-subscription-flightedge-aqf-bridge-feed-\(tag)", "flightedge.AQF.cmd.feed-\(tag)")
    }

    /// The `amqp://user@127.0.0.1:port/vhost` of the first node, without its password.
    public static func url() throws -> String {
        "amqp://\(user)@127.0.0.1:\(try CentralCluster.amqpPorts[0])/\(try CentralCluster.vhost)"
    }

    /// The simulated day of `flights` flights at `airport` as AIDX FlightLegNotifRQ messages
    /// (`flightedge simulate --format aidx`), in order, without their STX/ETX.
    public static func aidxMessages(airport: String, flights: Int, seed: UInt64, date: String) throws -> [[UInt8]] {
        let process = Process()
        process.executableURL = DaemonProcess.binaryUnderTest
        process.arguments = [
            "simulate", "--format", "aidx", "--flights", "\(flights)", "--airport", airport, "--seed", "\(seed)", "--date", date,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { usleep(5_000) }
        var messages: [[UInt8]] = []
        var start: Int?
        for (index, byte) in data.enumerated() {
            if byte == 0x02 {
                start = index + 1
            } else if byte == 0x03, let first = start {
                messages.append(Array(data[first..<index]))
                start = nil
            }
        }
        return messages
    }
}
