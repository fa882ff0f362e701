/// An error from rabbitmq-c or from the broker, in words an operator can act on.
///
/// `description` leaves out nothing secret (URLs appear without their password); the broker's
/// reply code (403 ACCESS_REFUSED, 404 NOT_FOUND, 320 CONNECTION_FORCED…) or rabbitmq-c's status
/// is kept as data in ``replyCode`` and ``libraryStatus``.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case invalidURL = "invalid URL"
            case connectFailed = "connect failed"
            case authenticationFailed = "login refused"
            case accessRefused = "access refused"
            case notFound = "not found"
            case connectionClosed = "connection closed"
            case channelClosed = "channel closed"
            case consumerCancelled = "consumer cancelled"
            case publishRefused = "publish refused"
            case timedOut = "timed out"
            case protocolError = "protocol error"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The URL is not `amqp://user:password@host:port/vhost` (or `amqps://`).
        public static let invalidURL = Code(.invalidURL)
        /// No TCP (or TLS) connection: the node is down, the port wrong, or the certificate refused.
        public static let connectFailed = Code(.connectFailed)
        /// The broker refused the user name or password (or the user may not use the vhost).
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The user lacks a permission (403): reading a queue, writing an exchange or a routing key.
        public static let accessRefused = Code(.accessRefused)
        /// The queue, exchange or vhost does not exist (404).
        public static let notFound = Code(.notFound)
        /// The broker or the network closed the connection (node stopped, killed, heartbeat missed).
        public static let connectionClosed = Code(.connectionClosed)
        /// The broker closed the channel for another reason than the ones above.
        public static let channelClosed = Code(.channelClosed)
        /// The broker cancelled the consumer (its queue was deleted).
        public static let consumerCancelled = Code(.consumerCancelled)
        /// The broker answered a published message with basic.nack (it could not store it).
        public static let publishRefused = Code(.publishRefused)
        /// An operation did not finish in time.
        public static let timedOut = Code(.timedOut)
        /// An unexpected frame or a library failure.
        public static let protocolError = Code(.protocolError)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, for an operator: the broker's reply text or rabbitmq-c's message, and where.
    public var message: String
    /// The AMQP reply code the broker sent (403, 404, 320…), 0 when it sent none.
    public var replyCode: Int
    /// rabbitmq-c's `amqp_status_enum` value (negative), 0 when the library reported no error.
    public var libraryStatus: Int32

    public init(code: Code, message: String, replyCode: Int = 0, libraryStatus: Int32 = 0) {
        self.code = code
        self.message = message
        self.replyCode = replyCode
        self.libraryStatus = libraryStatus
    }

    public var description: String { "AMQP \(code): \(message)" }
}
