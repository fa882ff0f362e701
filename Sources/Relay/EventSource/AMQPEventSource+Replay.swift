import AMQP
import Synchronization

extension AMQPEventSource {
    /// Publishes the request to `amq.topic` with routing key `flightedge.{IATA}.cmd.replay` and
    /// waits for the broker's confirm (the relay's user may write only those keys:
    /// conf/rabbitmq/definitions.json). The airport's inbound bridge connection, subscribed to
    /// `flightedge/{IATA}/cmd/replay`, carries it to the gateway. Uses a connection of its own
    /// (rabbitmq-c connections are not shared between threads), opened on first use and again,
    /// on the next node, after a failure.
    public func send(_ command: ReplayCommand) throws {
        try replayPublisher.send(command, endpoints: settings.endpoints, caFile: settings.caFile)
    }
}

/// The AMQP source's publishing connection for replay requests.
final class AMQPReplayPublisher: Sendable {
    private struct State: ~Copyable {
        var connection: AMQPConnection?
        var next = 0
    }

    private let state = Mutex(State())

    func send(_ command: ReplayCommand, endpoints: [AMQPEndpoint], caFile: String?) throws(ReplayCommandError) {
        try state.withLock { state throws(ReplayCommandError) in
            // A connection kept from an earlier request may have died meanwhile: one more try on a new one.
            var attempts = state.connection == nil ? 1 : 2
            while true {
                attempts -= 1
                do throws(AMQPError) {
                    let connection: AMQPConnection
                    if let open = state.connection {
                        connection = open
                    } else {
                        connection = try Self.open(endpoints, from: &state.next, caFile: caFile)
                        state.connection = connection
                    }
                    try connection.publish(exchange: "amq.topic", routingKey: command.routingKey, body: command.payload)
                    try connection.waitForConfirms(timeout: .seconds(5))
                    return
                } catch {
                    state.connection?.close()
                    state.connection = nil
                    state.next = (state.next + 1) % max(endpoints.count, 1)
                    if attempts == 0 { throw ReplayCommandError("cannot publish \(command.routingKey): \(error)") }
                }
            }
        }
    }

    private static func open(_ endpoints: [AMQPEndpoint], from next: inout Int, caFile: String?) throws(AMQPError)
        -> AMQPConnection
    {
        var settings = AMQPConnection.Settings(caFile: caFile)
        // Idle between requests: no heartbeats, so the broker does not close it for silence.
        settings.heartbeatSeconds = 0
        let (connection, index) = try AMQPConnection.connect(toFirstOf: endpoints, startingAt: next, settings: settings)
        next = index
        do throws(AMQPError) { try connection.enableConfirms() } catch {
            connection.close()
            throw error
        }
        return connection
    }

    func close() {
        state.withLock { state in
            state.connection?.close()
            state.connection = nil
        }
    }
}
