import ArgumentParser
import Configuration
import FlightModel
import Foundation
import GatewayDaemon
import MQTT

/// `flightedge watch`: a live, readable view of the events a gateway publishes, as a display
/// board or the relay receives them.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print the events a gateway publishes, one readable line each, until Ctrl-C."
    )

    @OptionGroup var config: ConfigOption

    @Option(help: "Broker user to subscribe as (default: mqtt.username of the configuration).")
    var username: String?

    @Option(help: "File holding that user's password (default: mqtt.password_file).")
    var passwordFile: String?

    @Flag(help: "Also print retained flight state updates.")
    var state = false

    func run() async throws {
        let loaded = try config.load()
        let root = "\(loaded.mqtt.topicPrefix)/\(loaded.airport.iata)"
        var settings = MQTTClient.Configuration(clientID: "flightedge-watch-\(UUID().uuidString.prefix(6))")
        settings.username = username ?? loaded.mqtt.username
        settings.password = try SecretFile.read(path: passwordFile ?? loaded.mqtt.passwordFile, credential: "mqtt-password")
        settings.caFile = loaded.mqtt.caFile
        let (events, continuation) = AsyncStream.makeStream(of: MQTTEvent.self)
        let client = try MQTTClient(configuration: settings) { continuation.yield($0) }
        try client.start(host: loaded.mqtt.host, port: loaded.mqtt.port)
        for await event in events {
            switch event {
            case .connected(0, _):
                try client.subscribe("\(root)/events/#", qos: 1)
                try client.subscribe("\(root)/status", qos: 1)
                if state { try client.subscribe("\(root)/flights/#", qos: 0) }
                FileHandle.standardOutput.write(Data("watching \(root) on \(loaded.mqtt.host):\(loaded.mqtt.port)\n".utf8))
            case .connected(_, let reason):
                FileHandle.standardError.write(Data("watch: broker refused: \(reason)\n".utf8))
            case .message(let message):
                // Written at once, not buffered: the view is live even through a pipe.
                if let line = Self.describe(message, root: root) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
            default:
                break
            }
        }
    }

    /// `06:58:12  gate-change     LX1234   ZRH→LHR  gate A12 → B34`
    static func describe(_ message: MQTTMessage, root: String) -> String? {
        guard let json = try? JSONParser.parse(message.payload), case .object(let object) = json else {
            return message.payload.isEmpty ? "          cleared      \(message.topic.dropFirst(root.count + 1))" : nil
        }
        if message.topic == "\(root)/status" {
            return "          status       gateway \(object["state"]?.stringValue ?? "?") (boot \(object["boot_id"]?.stringValue?.prefix(8) ?? ""))"
        }
        let clock = String((object["occurred_at"]?.stringValue ?? object["as_of"]?.stringValue ?? "").dropFirst(11).prefix(8))
        let kind = object["kind"]?.stringValue ?? "state"
        var flight = ""
        var route = ""
        if case .object(let details)? = object["flight"] {
            flight = (details["airline"]?.stringValue ?? "") + (details["number"]?.stringValue ?? "")
            route = "\(details["origin"]?.stringValue ?? "???")→\(details["destination"]?.stringValue ?? "???")"
        } else {
            flight = (object["airline"]?.stringValue ?? "") + (object["number"]?.stringValue ?? "")
            route = "\(object["origin"]?.stringValue ?? "???")→\(object["destination"]?.stringValue ?? "???")"
        }
        var detail = ""
        if case .object(let previous)? = object["previous"], case .object(let current)? = object["current"] {
            detail = current.members.map { member in
                let old = previous[member.key].map(Self.show) ?? "—"
                let new = Self.show(member.value)
                return old == new ? "\(member.key) \(new)" : "\(member.key) \(old) → \(new)"
            }.joined(separator: ", ")
        }
        if let delay = object["delay_minutes"]?.integerValue, kind == "delay" { detail += " (\(delay) min)" }
        if kind == "state" {
            detail = ["status", "gate", "estimated"].compactMap { key in object[key].map { "\(key) \(Self.show($0))" } }
                .joined(separator: ", ")
        }
        return "\(clock)  \(kind.padding(toLength: 15, withPad: " ", startingAt: 0)) \(flight.padding(toLength: 8, withPad: " ", startingAt: 0)) \(route)  \(detail)"
    }

    private static func show(_ value: JSONValue) -> String {
        switch value {
        case .string(let text):
            // Times as HH:MM, the way a board shows them.
            if text.count >= 16, Array(text)[10] == "T" { return String(text.dropFirst(11).prefix(5)) }
            return text
        case .null: return "—"
        case .number(let text): return text
        default: return "\(value)"
        }
    }
}
