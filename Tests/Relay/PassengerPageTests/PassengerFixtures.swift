import FlightEdgeTestSupport
import Foundation

/// A simulated departure from ZRH as a gateway publishes its events (docs/MQTT.md), for the
/// passenger page's tests: each test takes a flight number of its own.
struct SimulatedFlight {
    var airline = "LX"
    var number = String(Int.random(in: 1000...8999))
    var date = SimulatedFlight.today
    var departure = Date().addingTimeInterval(2 * 3600)
    var seq = 0

    var flightID: String { "\(airline)\(number)-\(date.replacingOccurrences(of: "-", with: ""))-D" }
    var lookupPath: String { "/?flight=\(airline)\(number)&date=\(date)" }

    static var today: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// The local time Zurich shows for `date` in winter (the events carry the offset).
    static func zurich(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        formatter.timeZone = TimeZone(secondsFromGMT: 3600)
        return formatter.string(from: date)
    }

    /// Publishes the next event of this flight (QoS 1, as the gateway's user) and returns it.
    @discardableResult
    mutating func publish(_ kind: String, previous: String = "{}", current: String, delayMinutes: Int? = nil) throws -> String {
        seq += 1
        let local = ISO8601DateFormatter.string(
            from: departure, timeZone: TimeZone(secondsFromGMT: 3600)!, formatOptions: [.withInternetDateTime])
        let payload = """
            {"schema":"flightedge.event/1","event_id":"\(UUID().uuidString.lowercased())","kind":"\(kind)","airport":"ZRH",\
            "flight_id":"\(flightID)","seq":\(seq),"occurred_at":"\(Self.iso(Date()))","observed_at":"\(Self.iso(Date()))",\
            "source":{"feed":"aodb","position":"\(seq)"},"flight":{"airline":"\(airline)","number":"\(number)",\
            "direction":"departure","date":"\(date)","origin":"ZRH","destination":"LHR","scheduled":"\(Self.iso(departure))",\
            "scheduled_local":"\(local)"},"previous":\(previous),"current":\(current)\
            \(delayMinutes.map { ",\"delay_minutes\":\($0)" } ?? "")}
            """
        try MosquittoClient.publish(topic: "flightedge/ZRH/events/\(kind)", payload: payload, retain: false)
        return payload
    }

    /// A delay of `minutes` (estimated = scheduled + minutes).
    mutating func publishDelay(_ minutes: Int) throws {
        let estimated = Self.iso(departure.addingTimeInterval(Double(minutes) * 60))
        try publish(
            "delay", previous: "{\"estimated\":\"\(Self.iso(departure))\"}",
            current: "{\"estimated\":\"\(estimated)\",\"status\":\"delayed\"}", delayMinutes: minutes)
    }
}

/// A browser's side of the passenger page's forms without a browser: the `fe_csrf` cookie the
/// page set and the token its forms carry.
struct FormSession {
    var cookie: String
    var token: String

    /// Opens `path` and keeps the page's cookie and its first form token.
    init(relay: RelayProcess, path: String) throws {
        let page = try relay.request("GET", path)
        let setCookie = page.headers["set-cookie"] ?? ""
        cookie = String(setCookie.split(separator: ";").first ?? "")
        token = Self.field("csrf", in: page.body) ?? ""
    }

    var headers: [String: String] {
        ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"]
    }

    /// Posts `fields` (form-encoded, the token added) to `path`.
    func post(_ relay: RelayProcess, _ path: String, _ fields: [(String, String)]) throws
        -> (status: Int, headers: [String: String], body: String)
    {
        let body = ([("csrf", token)] + fields).map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        return try relay.request("POST", path, body: body, headers: headers)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The value of the first hidden input named `name` in `html`.
    static func field(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
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

extension String {
    /// `&amp;` back to `&` (links as they stand in an HTML attribute).
    var htmlUnescaped: String { replacingOccurrences(of: "&amp;", with: "&") }

    /// The first `http…` URL in this text that contains `part`.
    func url(containing part: String) -> String? {
        components(separatedBy: .whitespacesAndNewlines).first { $0.hasPrefix("http") && $0.contains(part) }
    }
}
