import AMQP
import Foundation
import Logging
import Synchronization
import Timing

/// Events from the central RabbitMQ cluster's quorum queue (`flightedge.relay`), over AMQP 0-9-1.
///
/// rabbitmq-c blocks, so the source runs it on a thread of its own, never on Swift's cooperative
/// pool. Each delivery goes to the handler on that thread and is acknowledged only after the
/// handler returned, i.e. after the relay committed the event: a relay that dies before that
/// leaves it unacknowledged, and the broker delivers it again (to this or another instance). The
/// broker sends up to `prefetch` messages ahead. Several relay instances consuming the one queue
/// share its messages, each message going to one of them.
///
/// When the node goes away (stopped, killed, network), the source connects to the next URL of the
/// list, with backoff; messages it had not acknowledged come back from the queue (`redelivered`),
/// and the relay drops the duplicates by `event_id`. Heartbeats are answered between deliveries: a
/// handler that blocks longer than two heartbeat intervals (a database outage) costs the
/// connection, and its unacknowledged messages are delivered again.
public final class AMQPEventSource: EventSource {
    /// What the source connects with.
    public struct Settings: Sendable {
        /// The cluster's nodes, tried in order; after a failure the next one first.
        public var endpoints: [AMQPEndpoint]
        public var queue: String
        /// PEM file of the CA that signed the nodes' certificates (`amqps://`).
        public var caFile: String?
        /// Unacknowledged messages the broker may send ahead.
        public var prefetch: UInt16 = 100
        public var heartbeatSeconds: Int32 = 30
        /// Waits between reconnection attempts.
        public var backoff = RetryBackoff(initial: .milliseconds(200), maximum: .seconds(10))

        /// `urls`: `amqp://user:password@host:port/vhost` per node; `username` and `password`,
        /// when given, replace the URLs' (the password comes from a file, not the URL).
        public init(urls: [String], username: String?, password: String?, queue: String) throws(AMQPError) {
            var endpoints: [AMQPEndpoint] = []
            for url in urls {
                var endpoint = try AMQPEndpoint(url: url)
                if let username { endpoint.username = username }
                if let password { endpoint.password = password }
                endpoints.append(endpoint)
            }
            self.endpoints = endpoints
            self.queue = queue
        }
    }

    let settings: Settings
    private let logger: Logger
    private let connected = Flag()
    let replayPublisher = AMQPReplayPublisher()

    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .relaxed) }
        func set(_ newValue: Bool) { value.store(newValue, ordering: .relaxed) }
    }

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    public var isConnected: Bool { connected.isSet }

    /// Consumes until the task is cancelled. Throws only when the first connection fails in a way
    /// retrying cannot mend: every node refused the login, or the queue does not exist or may not
    /// be read. Other failures (nodes down) are retried for as long as it runs.
    public func run(handler: @escaping @Sendable (SourceMessage) -> Void) async throws {
        let stop = Flag()
        let consumer = Consumer(settings: settings, logger: logger, connected: connected, stop: stop, handler: handler)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread {
                    do throws(AMQPError) {
                        try consumer.run()
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "amqp-source"
                thread.start()
            }
        } onCancel: {
            stop.set(true)
        }
    }

    /// The loop on the source's thread: connect, consume, reconnect.
    private struct Consumer: Sendable {
        let settings: Settings
        let logger: Logger
        let connected: Flag
        let stop: Flag
        let handler: @Sendable (SourceMessage) -> Void

        func run() throws(AMQPError) {
            var backoff = settings.backoff
            var next = 0
            var everConnected = false
            var connectionSettings = AMQPConnection.Settings(caFile: settings.caFile)
            connectionSettings.heartbeatSeconds = settings.heartbeatSeconds
            while !stop.isSet {
                let connection: AMQPConnection
                let index: Int
                do throws(AMQPError) {
                    (connection, index) = try AMQPConnection.connect(
                        toFirstOf: settings.endpoints, startingAt: next, settings: connectionSettings)
                    do throws(AMQPError) {
                        try connection.consume(queue: settings.queue, prefetch: settings.prefetch)
                    } catch {
                        connection.close()
                        throw error
                    }
                } catch {
                    if !everConnected && [.authenticationFailed, .accessRefused, .notFound].contains(error.code) {
                        throw error
                    }
                    logger.warning("AMQP source cannot connect; retrying", metadata: ["error": "\(error)"])
                    next = (next + 1) % settings.endpoints.count
                    pause(backoff.nextDelay())
                    continue
                }
                everConnected = true
                backoff.reset()
                connected.set(true)
                logger.notice(
                    "AMQP source consuming",
                    metadata: ["node": "\(connection.endpoint)", "queue": "\(settings.queue)", "prefetch": "\(settings.prefetch)"])
                do throws(AMQPError) {
                    try consume(connection)
                    connected.set(false)
                    connection.close()
                    return
                } catch {
                    connected.set(false)
                    connection.close()
                    logger.warning(
                        "AMQP source lost its node; unacknowledged messages come back from the queue",
                        metadata: ["node": "\(connection.endpoint)", "error": "\(error)"])
                    next = (index + 1) % settings.endpoints.count
                    pause(backoff.nextDelay())
                }
            }
        }

        /// Hands each delivery over and acknowledges it once the handler returned; returns when stopped.
        private func consume(_ connection: AMQPConnection) throws(AMQPError) {
            while !stop.isSet {
                // The timeout bounds how long a stop waits, and lets rabbitmq-c answer heartbeats.
                guard let delivery = try connection.nextDelivery(timeout: .milliseconds(250)) else { continue }
                handler(SourceMessage(topic: AMQPEventSource.topic(routingKey: delivery.routingKey), payload: delivery.body))
                try connection.ack(delivery.deliveryTag)
            }
        }

        /// Sleeps for `delay`, or less when the source is stopped meanwhile.
        private func pause(_ delay: Duration) {
            let clock = ContinuousClock()
            let end = clock.now + delay
            while !stop.isSet && clock.now < end {
                let left = (end - clock.now).components
                Thread.sleep(forTimeInterval: min(0.1, Double(left.seconds) + Double(left.attoseconds) / 1e18))
            }
        }
    }

    /// The MQTT topic a routing key came from (`flightedge.ZRH.events.delay` →
    /// `flightedge/ZRH/events/delay`): RabbitMQ's MQTT plugin swaps `/` and `.`.
    public static func topic(routingKey: String) -> String {
        String(routingKey.map { $0 == "." ? "/" : $0 == "/" ? "." : $0 })
    }
}
