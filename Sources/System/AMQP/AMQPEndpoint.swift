internal import CRabbitMQ

/// One broker address with its credentials, as in `amqp://user:password@host:port/vhost`.
public struct AMQPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var virtualHost: String
    public var username: String
    public var password: String
    /// `amqps://`: TLS, the server's certificate checked against the CA file (or the system's).
    public var tls: Bool

    public init(host: String, port: Int, virtualHost: String = "/", username: String, password: String, tls: Bool = false) {
        self.host = host
        self.port = port
        self.virtualHost = virtualHost
        self.username = username
        self.password = password
        self.tls = tls
    }

    /// Parses `amqp://user:password@host:port/vhost` (percent-encoding allowed, as RabbitMQ's URI
    /// spec says: `/` as vhost is `%2f`); missing parts take rabbitmq-c's defaults (guest, 5672, `/`).
    public init(url: String) throws(AMQPError) {
        var buffer = Array(url.utf8CString)
        var info = amqp_connection_info()
        let status = buffer.withUnsafeMutableBufferPointer { pointer in
            amqp_default_connection_info(&info)
            return amqp_parse_url(pointer.baseAddress, &info)
        }
        guard status == Int32(AMQP_STATUS_OK.rawValue), let host = info.host, let user = info.user,
            let password = info.password, let vhost = info.vhost
        else {
            throw AMQPError(
                code: .invalidURL,
                message: "'\(Self.redacted(url))' is not an amqp:// URL (amqp://user:password@host:port/vhost)",
                libraryStatus: status)
        }
        // The strings point into `buffer`: copy them while it lives.
        self.host = String(cString: host)
        self.port = Int(info.port)
        self.username = String(cString: user)
        self.password = String(cString: password)
        self.virtualHost = String(cString: vhost)
        self.tls = info.ssl != 0
        _ = buffer
    }

    /// The endpoint without its password, for logs and errors.
    public var description: String {
        "\(tls ? "amqps" : "amqp")://\(username)@\(host):\(port)/\(virtualHost)"
    }

    /// `url` with the password cut out.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.firstRange(of: "://"),
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<colon]) + ":…" + String(url[at...])
    }
}
