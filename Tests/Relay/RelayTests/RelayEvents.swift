import FlightEdgeTestSupport
import Foundation

/// FlightEdge events as a gateway publishes them (docs/MQTT.md), for the relay's tests, and a
/// publisher that sends them through the test broker as the gateway's MQTT user does.
enum RelayEvents {
    /// An event of flight `airline number` (departure from ZRH to LHR, scheduled `departure`).
    static func event(
        kind: String, airline: String = "LX", number: String, date: String, seq: Int, departure: Date,
        previous: String = "{}", current: String = "{}", delayMinutes: Int? = nil, occurredAt: Date = Date(),
        eventID: String = UUID().uuidString.lowercased(), airport: String = "ZRH"
    ) -> String {
        let flightID = "\(airline)\(number)-\(date.replacingOccurrences(of: "-", with: ""))-D"
        return """
            {"schema":"flightedge.event/1","event_id":"\(eventID)","kind":"\(kind)","airport":"\(airport)",\
            "flight_id":"\(flightID)","seq":\(seq),"occurred_at":"\(iso(occurredAt))","observed_at":"\(iso(occurredAt))",\
            "source":{"feed":"aodb","position":"1"},"flight":{"airline":"\(airline)","number":"\(number)",\
            "direction":"departure","date":"\(date)","origin":"ZRH","destination":"LHR","scheduled":"\(iso(departure))"},\
            "previous":\(previous),"current":\(current)\(delayMinutes.map { ",\"delay_minutes\":\($0)" } ?? "")}
            """
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    /// Publishes at QoS 1 as the gateway's user with `mosquitto_pub`, waiting for its PUBACK.
    static func publish(_ payload: String, kind: String, airport: String = "ZRH") throws {
        try MosquittoClient.publish(topic: "flightedge/\(airport)/events/\(kind)", payload: payload, retain: false)
    }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

extension RelayEvents {
    /// Publishes each payload (one line each) at QoS 1 through one `mosquitto_pub -l` connection.
    static func publishLines(_ payloads: [String], topic: String = "flightedge/ZRH/events/cancellation") throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")
        process.arguments = [
            "-h", try TestServices.mqttHost, "-p", String(try TestServices.mqttPort), "-u", "flightedge",
            "-P", try TestServices.mqttPassword("flightedge"), "-q", "1", "-V", "mqttv311", "-t", topic, "-l",
        ]
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(payloads.joined(separator: "\n").utf8 + [10]))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupportError(.commandFailed, "mosquitto_pub -l exited \(process.terminationStatus)")
        }
    }
}
