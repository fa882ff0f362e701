#if canImport(Glibc)
import Glibc
#endif
internal import CRabbitMQ

/// One AMQP 0-9-1 connection over rabbitmq-c with one channel: consume with manual
/// acknowledgements, publish with confirms.
///
/// It owns the `amqp_connection_state_t` and frees it exactly once. rabbitmq-c is blocking and not
/// thread-safe: use a connection from one thread at a time (the relay's source gives it a thread of
/// its own). Heartbeats are answered only while a call is inside rabbitmq-c, so a consumer should
/// call ``nextDelivery(timeout:)`` at least every heartbeat interval.
public final class AMQPConnection {
    /// How to reach the broker.
    public struct Settings: Sendable {
        /// PEM file of the CA for `amqps://` endpoints; the system's store when nil.
        public var caFile: String?
        /// Heartbeat interval the client proposes (the broker may lower it); 0 turns heartbeats off.
        public var heartbeatSeconds: Int32 = 30
        /// TCP connect, and separately the login handshake, must finish within this.
        public var connectTimeout: Duration = .seconds(5)
        /// Each request/reply exchange (channel open, qos, consume, close) must finish within this.
        public var requestTimeout: Duration = .seconds(10)

        public init(caFile: String? = nil) {
            self.caFile = caFile
        }
    }

    let state: amqp_connection_state_t
    /// The broker this connection talks to.
    public let endpoint: AMQPEndpoint
    let channel: amqp_channel_t = 1
    private var closed = false
    var confirms = ConfirmTracker()

    /// Connects, logs in and opens the channel.
    public init(endpoint: AMQPEndpoint, settings: Settings = Settings()) throws(AMQPError) {
        guard let state = amqp_new_connection() else {
            throw AMQPError(code: .protocolError, message: "amqp_new_connection failed (out of memory)")
        }
        self.state = state
        self.endpoint = endpoint
        do throws(AMQPError) {
            try open(settings)
        } catch {
            amqp_destroy_connection(state)
            closed = true
            throw error
        }
    }

    deinit {
        if !closed { amqp_destroy_connection(state) }
    }

    private func open(_ settings: Settings) throws(AMQPError) {
        let where_ = "\(endpoint)"
        let socket: OpaquePointer?
        if endpoint.tls {
            socket = amqp_ssl_socket_new(state)
            if let socket {
                let path = settings.caFile ?? "/etc/ssl/certs/ca-certificates.crt"
                let status = amqp_ssl_socket_set_cacert(socket, path)
                guard status == 0 else {
                    throw AMQPError(
                        code: .connectFailed, message: "\(where_): cannot read the CA file \(path): \(Self.text(status))",
                        libraryStatus: status)
                }
                amqp_ssl_socket_set_verify_peer(socket, 1)
                amqp_ssl_socket_set_verify_hostname(socket, 1)
            }
        } else {
            socket = amqp_tcp_socket_new(state)
        }
        guard let socket else {
            throw AMQPError(code: .protocolError, message: "\(where_): cannot create a socket (out of memory)")
        }
        var connectTimeout = Self.timeval(settings.connectTimeout)
        var requestTimeout = Self.timeval(settings.requestTimeout)
        amqp_set_handshake_timeout(state, &connectTimeout)
        amqp_set_rpc_timeout(state, &requestTimeout)
        let status = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &connectTimeout)
        guard status == 0 else {
            throw AMQPError(
                code: .connectFailed,
                message: "\(where_): \(Self.text(status)) (is the node running and its AMQP listener on this port?)",
                libraryStatus: status)
        }
        let login = flightedge_amqp_login_plain(
            state, endpoint.virtualHost, settings.heartbeatSeconds, endpoint.username, endpoint.password)
        do throws(AMQPError) {
            try check(login, "login")
        } catch where error.code == .accessRefused || error.code == .notFound || error.replyCode == 530 {
            throw AMQPError(
                code: .authenticationFailed,
                message: "\(where_) refused user '\(endpoint.username)' on vhost '\(endpoint.virtualHost)': "
                    + "check the user name, its password (file) and its permissions on the vhost (\(error.message))",
                replyCode: error.replyCode, libraryStatus: error.libraryStatus)
        }
        amqp_channel_open(state, channel)
        try check(amqp_get_rpc_reply(state), "opening channel \(channel)")
    }

    /// Asks for the broker's acknowledgement of every message published from now on
    /// (``publish(exchange:routingKey:body:messageID:)`` then ``waitForConfirms(atMost:timeout:)``).
    public func enableConfirms() throws(AMQPError) {
        amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "confirm.select")
        confirms.enabled = true
    }

    /// Lets the broker send up to `prefetch` unacknowledged messages ahead, then subscribes to
    /// `queue` with manual acknowledgements. Returns the consumer tag.
    @discardableResult
    public func consume(queue: String, prefetch: UInt16) throws(AMQPError) -> String {
        amqp_basic_qos(state, channel, 0, prefetch, 0)
        try check(amqp_get_rpc_reply(state), "basic.qos")
        let ok = queue.withCString { name in
            amqp_basic_consume(state, channel, amqp_cstring_bytes(name), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        }
        try check(amqp_get_rpc_reply(state), "consuming from queue '\(queue)'")
        guard let ok else { return "" }
        return Self.string(ok.pointee.consumer_tag)
    }

    /// Waits up to `timeout` for the next delivery; nil when none came in that time.
    /// Throws when the connection or the channel is gone, or the consumer was cancelled.
    public func nextDelivery(timeout: Duration) throws(AMQPError) -> AMQPDelivery? {
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var wait = Self.timeval(timeout)
        let reply = amqp_consume_message(state, &envelope, &wait, 0)
        if reply.reply_type == AMQP_RESPONSE_NORMAL {
            defer { amqp_destroy_envelope(&envelope) }
            var messageID: String?
            withUnsafePointer(to: &envelope.message.properties) { properties in
                let id = flightedge_amqp_message_id(properties)
                if id.len > 0 { messageID = Self.string(id) }
            }
            return AMQPDelivery(
                deliveryTag: envelope.delivery_tag, exchange: Self.string(envelope.exchange),
                routingKey: Self.string(envelope.routing_key), body: Self.bytes(envelope.message.body),
                redelivered: envelope.redelivered != 0, messageID: messageID)
        }
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION {
            if reply.library_error == AMQP_STATUS_TIMEOUT.rawValue { return nil }
            if reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue {
                // Not a delivery: a confirm, a cancel or a close. Read it and carry on or throw.
                try readFrame(timeout: .zero)
                return nil
            }
        }
        try check(reply, "waiting for a delivery")
        return nil
    }

    /// Tells the broker the message is handled: it is removed from the queue.
    public func ack(_ deliveryTag: UInt64) throws(AMQPError) {
        let status = amqp_basic_ack(state, channel, deliveryTag, 0)
        guard status == 0 else {
            throw AMQPError(
                code: .connectionClosed, message: "\(endpoint): basic.ack failed: \(Self.text(status))",
                libraryStatus: status)
        }
    }

    /// Gives a message back: the broker delivers it again (to any consumer) when `requeue`,
    /// dead-letters or drops it otherwise.
    public func reject(_ deliveryTag: UInt64, requeue: Bool) throws(AMQPError) {
        let status = amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0)
        guard status == 0 else {
            throw AMQPError(
                code: .connectionClosed, message: "\(endpoint): basic.reject failed: \(Self.text(status))",
                libraryStatus: status)
        }
    }

    /// Closes the channel and the connection politely (the broker requeues unacknowledged
    /// messages); errors are ignored, the handle is freed in any case. Safe to call twice.
    public func close() {
        guard !closed else { return }
        closed = true
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        amqp_destroy_connection(state)
    }
}
