/// The replay request the relay sends an airport (RELAY.md): on `flightedge/{IATA}/cmd/replay`,
/// `{"from": N, "to": M}` (inclusive), answered by the gateway re-publishing those events unchanged.
public struct ReplayCommand: Sendable, Equatable {
    public var airport: String
    public var from: Int64
    public var to: Int64

    public init(airport: String, from: Int64, to: Int64) {
        self.airport = airport
        self.from = from
        self.to = to
    }

    /// `flightedge/ZRH/cmd/replay`.
    public var topic: String { "flightedge/\(airport)/cmd/replay" }

    /// `flightedge.ZRH.cmd.replay`: the topic as a routing key of `amq.topic` (RabbitMQ's MQTT
    /// plugin maps the one onto the other, so the airport's bridge receives it on the topic).
    public var routingKey: String { "flightedge.\(airport).cmd.replay" }

    public var payload: [UInt8] { Array("{\"from\":\(from),\"to\":\(to)}".utf8) }
}

/// A replay request the source could not hand to its broker (not connected, refused, timed
/// out): the relay tries again on its next round.
public struct ReplayCommandError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
