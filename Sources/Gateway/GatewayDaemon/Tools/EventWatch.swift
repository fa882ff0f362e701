import Configuration
import FlightModel
import Foundation
import MQTT

/// `flightedge watch`: subscribes to a gateway's events (and, if asked, its retained flight
/// state) as a display board or the relay would, and hands each message on as one readable
/// line (``EventLine``).
public struct EventWatch: Sendable {
    public var config: GatewayConfig
    /// Broker user and password to subscribe as.
    public var username: String?
    public var password: String?
    /// Also the retained flight state, not only events.
    public var includeState: Bool

    public init(config: GatewayConfig, username: String?, password: String?, includeState: Bool) {
        self.config = config
        self.username = username
        self.password = password
        self.includeState = includeState
    }

    /// What the watch saw.
    public enum Output: Sendable {
        /// Subscribed; `root` is `{prefix}/{IATA}`.
        case watching(root: String, broker: String)
        /// The broker refused the connection, with its reason.
        case refused(String)
        /// One message as a line.
        case line(String)
    }

    /// Runs until the task is cancelled, handing each output to `emit`.
    public func run(_ emit: @Sendable (Output) -> Void) async throws {
        let root = "\(config.mqtt.topicPrefix)/\(config.airport.iata)"
        var settings = MQTTClient.Configuration(clientID: "flightedge-watch-\(UUID().uuidString.prefix(6))")
        settings.username = username
        settings.password = password
        settings.caFile = config.mqtt.caFile
        let (events, continuation) = AsyncStream.makeStream(of: MQTTEvent.self)
        let client = try MQTTClient(configuration: settings) { continuation.yield($0) }
        try client.start(host: config.mqtt.host, port: config.mqtt.port)
        for await event in events {
            switch event {
            case .connected(0, _):
                try client.subscribe("\(root)/events/#", qos: 1)
                try client.subscribe("\(root)/status", qos: 1)
                if includeState { try client.subscribe("\(root)/flights/#", qos: 0) }
                emit(.watching(root: root, broker: "\(config.mqtt.host):\(config.mqtt.port)"))
            case .connected(_, let reason):
                emit(.refused(reason))
            case .message(let message):
                if let line = EventLine.describe(topic: message.topic, payload: message.payload, root: root) {
                    emit(.line(line))
                }
            default:
                break
            }
        }
    }
}
