internal import CRabbitMQ

/// Which published messages the broker has confirmed, by their sequence number on the channel.
struct ConfirmTracker {
    var enabled = false
    var nextSequence: UInt64 = 1
    var unconfirmed = Set<UInt64>()
    var refused = 0

    mutating func published() -> UInt64 {
        defer { nextSequence += 1 }
        if enabled { unconfirmed.insert(nextSequence) }
        return nextSequence
    }

    mutating func acknowledge(_ tag: UInt64, multiple: Bool, refused isRefused: Bool) {
        let before = unconfirmed.count
        if multiple {
            unconfirmed = unconfirmed.filter { $0 > tag }
        } else {
            unconfirmed.remove(tag)
        }
        if isRefused { refused += before - unconfirmed.count }
    }
}

extension AMQPConnection {
    /// Publishes a persistent message (delivery mode 2, `application/json`). With confirms on
    /// (``enableConfirms()``) it counts as unconfirmed until the broker acknowledged it.
    /// Returns its sequence number on the channel.
    @discardableResult
    public func publish(
        exchange: String, routingKey: String, body: [UInt8], messageID: String? = nil
    ) throws(AMQPError) -> UInt64 {
        let status = exchange.withCString { exchangeName in
            routingKey.withCString { key in
                (messageID ?? "").withCString { id in
                    "application/json".withCString { contentType in
                        body.withUnsafeBytes { payload in
                            var properties = flightedge_amqp_persistent_properties(
                                amqp_cstring_bytes(id), messageID == nil ? 0 : 1, amqp_cstring_bytes(contentType))
                            let bytes = amqp_bytes_t(len: payload.count, bytes: UnsafeMutableRawPointer(mutating: payload.baseAddress))
                            return amqp_basic_publish(
                                state, channel, amqp_cstring_bytes(exchangeName), amqp_cstring_bytes(key), 0, 0,
                                &properties, bytes)
                        }
                    }
                }
            }
        }
        guard status == 0 else {
            throw AMQPError(
                code: .connectionClosed, message: "\(endpoint): basic.publish failed: \(Self.text(status))",
                libraryStatus: status)
        }
        return confirms.published()
    }

    /// Messages published with confirms on that the broker has not acknowledged yet.
    public var unconfirmedCount: Int { confirms.unconfirmed.count }

    /// Reads the broker's confirms until at most `atMost` messages are unconfirmed (0: all of
    /// them; a larger number keeps a window in flight). Throws ``AMQPError/Code/publishRefused``
    /// when the broker refused (nacked) any, ``AMQPError/Code/timedOut`` after `timeout`, and the
    /// broker's reason when it closed the channel (a routing key the user may not write: 403).
    public func waitForConfirms(atMost: Int = 0, timeout: Duration) throws(AMQPError) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while confirms.unconfirmed.count > atMost {
            let left = deadline - clock.now
            guard left > .zero else {
                throw AMQPError(
                    code: .timedOut,
                    message: "\(endpoint): \(confirms.unconfirmed.count) published messages unconfirmed after \(timeout)")
            }
            try readFrame(timeout: min(left, .milliseconds(500)))
        }
        if confirms.refused > 0 {
            let refused = confirms.refused
            confirms.refused = 0
            throw AMQPError(
                code: .publishRefused,
                message: "\(endpoint): the broker refused \(refused) published messages (basic.nack: a queue could not store them)")
        }
    }
}
