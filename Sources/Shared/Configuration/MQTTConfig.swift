/// `[mqtt]`: the broker the gateway publishes to (DESIGN.md §5).
public struct MQTTConfig: Sendable, Equatable {
    /// `host` (required): the broker's host name or address.
    public var host: String
    /// `port`: 1 to 65535, default 1883 (8883 is usual with TLS).
    public var port: Int
    /// `client_id`: default `flightedge-` and the IATA code in lower case.
    public var clientID: String
    /// `topic_prefix`: the first topic level, default `flightedge`; no `#`, `+` or trailing `/`.
    public var topicPrefix: String
    /// `username`, if the broker asks for one.
    public var username: String?
    /// `password_file`: a file holding the password (needs `username`); else the systemd
    /// credential `mqtt-password`.
    public var passwordFile: String?
    /// `ca_file`: the CA that signed the broker's certificate; setting it turns TLS on.
    public var caFile: String?
    /// `cert_file`: a client certificate (needs `key_file` and `ca_file`).
    public var certFile: String?
    /// `key_file`: the client certificate's key.
    public var keyFile: String?
    /// `state_qos`: 0 or 1 (default 1), the QoS of retained state topics; events are always QoS 1.
    public var stateQoS: Int
    /// `keepalive`: seconds between keepalives, 5 to 3600, default 30.
    public var keepaliveSeconds: Int
    /// `max_inflight`: QoS 1 messages in flight at once, 1 to 65535, default 100.
    public var maxInflight: Int

    /// The defaults are those of the configuration file; `client_id` has none here because it
    /// depends on the airport. Nothing is validated here.
    public init(
        host: String, port: Int = 1883, clientID: String, topicPrefix: String = "flightedge", username: String? = nil,
        passwordFile: String? = nil, caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil,
        stateQoS: Int = 1, keepaliveSeconds: Int = 30, maxInflight: Int = 100
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.topicPrefix = topicPrefix
        self.username = username
        self.passwordFile = passwordFile
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.stateQoS = stateQoS
        self.keepaliveSeconds = keepaliveSeconds
        self.maxInflight = maxInflight
    }

    /// True when `ca_file` is set: the connection uses TLS.
    public var usesTLS: Bool { caFile != nil }
}
