#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SMTPChannel {
    /// How the channel reaches its SMTP server: the `[smtp]` table of the relay's configuration,
    /// plus the client's own limits.
    public struct Settings: Sendable, CustomStringConvertible {
        /// How the client treats STARTTLS (`[smtp] starttls`).
        public enum StartTLS: String, Sendable, Hashable, CaseIterable {
            /// No mail without TLS: a server that does not offer STARTTLS, or whose certificate is
            /// not trusted, is a configuration error (`.misconfigured`).
            case required
            /// TLS when the server offers STARTTLS, plain text when it does not.
            case opportunistic
            /// Never STARTTLS (a server on loopback or a trusted network).
            case none
        }

        /// `[smtp] host`: a name or an IP address.
        public var host: String
        /// `[smtp] port` (587, submission, by default).
        public var port: Int
        /// `[smtp] starttls`.
        public var startTLS: StartTLS
        /// `[smtp] username`: log in (AUTH PLAIN or LOGIN, whichever the server offers) when set.
        public var username: String?
        /// The password, already read from `[smtp] password_file` by the caller.
        public var password: String?
        /// `[smtp] from`: the `From` header and the envelope sender (`MAIL FROM`).
        public var from: MailAddress
        /// `[smtp] ca_file`: a PEM file of CA certificates trusted besides the system's.
        public var trustedCAFile: String?
        /// The name the client gives in EHLO/HELO (default: this machine's host name).
        public var heloName: String
        /// Longest wait for the TCP connection (default 10 s).
        public var connectTimeout: Duration
        /// Longest wait for any reply but the one after the data (default 30 s).
        public var commandTimeout: Duration
        /// Longest wait for the reply after the data, when servers scan the message (default 120 s).
        public var dataTimeout: Duration
        /// An idle connection older than this is closed rather than reused (default 60 s).
        public var idleTimeout: Duration
        /// At most this many connections at once (default 4); further sends wait for one.
        public var maxConnections: Int

        /// Settings with the defaults above for everything not given.
        public init(
            host: String, port: Int = 587, startTLS: StartTLS = .required, username: String? = nil,
            password: String? = nil, from: MailAddress, trustedCAFile: String? = nil,
            heloName: String = Settings.localHostName, connectTimeout: Duration = .seconds(10),
            commandTimeout: Duration = .seconds(30), dataTimeout: Duration = .seconds(120),
            idleTimeout: Duration = .seconds(60), maxConnections: Int = 4
        ) {
            self.host = host
            self.port = port
            self.startTLS = startTLS
            self.username = username
            self.password = password
            self.from = from
            self.trustedCAFile = trustedCAFile
            self.heloName = heloName
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.dataTimeout = dataTimeout
            self.idleTimeout = idleTimeout
            self.maxConnections = maxConnections
        }

        /// This machine's host name (`gethostname`), `localhost` when it has none.
        public static var localHostName: String {
            var buffer = [CChar](repeating: 0, count: 256)
            guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return name.isEmpty ? "localhost" : name
        }

        /// The settings without the password.
        public var description: String {
            "smtp://\(username.map { "\($0)@" } ?? "")\(host):\(port) starttls=\(startTLS.rawValue) from=\(from)"
                + (password == nil ? "" : " password=<redacted>")
        }
    }
}
