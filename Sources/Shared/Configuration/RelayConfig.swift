import Foundation

/// The relay's configuration (`/etc/flightedge/relay.toml`, RELAY.md): where events come from,
/// where subscriptions live, how passengers are reached and by which rules. Secrets are never
/// in it: only the names of files holding them.
public struct RelayConfig: Sendable {
    public var database: DatabaseConfig
    public var source: RelaySourceConfig
    public var http: RelayHTTPConfig
    /// A channel's table absent: that channel is off, and a subscription asking for it gets 422.
    public var smtp: SMTPConfig?
    public var sms: SMSConfig?
    public var fcm: FCMConfig?
    public var webpush: WebPushConfig?
    public var rules: RelayRulesConfig
    public var dispatch: DispatchConfig
    public var central = RelayCentralConfig()

    /// `FLIGHTEDGE_RELAY_CONFIG` when set (and not empty), else `/etc/flightedge/relay.toml`.
    public static var defaultPath: String {
        if let path = ProcessInfo.processInfo.environment["FLIGHTEDGE_RELAY_CONFIG"], !path.isEmpty { return path }
        return "/etc/flightedge/relay.toml"
    }

    /// Reads and validates a file; every problem is reported with its key and line.
    public static func load(path: String) throws(ConfigurationErrors) -> RelayConfig {
        try parse(try ConfigurationFile.text(at: path), source: path)
    }

    /// Parses and validates configuration text; `source` (a file name) names it in errors.
    public static func parse(_ text: String, source: String) throws(ConfigurationErrors) -> RelayConfig {
        try ConfigurationFile.parse(text, source: source) { loader, table in loader.loadRelay(table) }
    }
}

/// `[source]`: where the relay takes FlightEdge events from.
public struct RelaySourceConfig: Sendable, Equatable {
    /// `kind`: `mqtt` (a broker, persistent session, QoS 1) or `amqp` (the central RabbitMQ queue).
    public enum Kind: String, Sendable, CaseIterable {
        case mqtt
        case amqp
    }

    public var kind: Kind
    /// `url`: `mqtt://host:port` (`mqtts://` for TLS), or comma-separated `amqp://` URLs.
    public var urls: [String]
    public var username: String?
    public var passwordFile: String?
    /// `topic` (mqtt): default `flightedge/+/events/#`; `$share/relay/…` splits the work between instances.
    public var topic: String
    /// `status_topic` (mqtt): default `flightedge/+/status`, the airports' retained status whose
    /// `stream_seq` says where each stream ends; `""` reads none.
    public var statusTopic: String?
    /// `bridge_topic` (mqtt): default `flightedge/+/bridge/#`, the airport bridges' notifications
    /// (`1` connected, `0` not); `""` reads none.
    public var bridgeTopic: String?
    /// `client_id` (mqtt): the persistent session's name, one per instance.
    public var clientID: String
    /// `queue` (amqp).
    public var queue: String
    public var caFile: String?
}

/// `[http]`: the relay's API, passenger page and metrics.
public struct RelayHTTPConfig: Sendable, Equatable {
    public var listen: HostPort
    /// `public_url`: the base of links in messages (manage, unsubscribe, confirm).
    public var publicURL: String
}

/// `[smtp]`: the smart host or local MTA e-mail goes through.
public struct SMTPConfig: Sendable, Equatable {
    /// `starttls`: `required` (refuse a server without it), `opportunistic`, or `none`.
    public enum StartTLS: String, Sendable, CaseIterable {
        case required
        case opportunistic
        case none
    }

    public var host: String
    public var port: Int
    public var starttls: StartTLS
    public var username: String?
    public var passwordFile: String?
    /// `from`: `Name <address>` or a bare address.
    public var from: String
    public var caFile: String?
}

/// `[sms]`: a Twilio-compatible REST API.
public struct SMSConfig: Sendable, Equatable {
    public var baseURL: String
    public var accountSID: String
    public var authTokenFile: String
    /// `from`: the sending number, E.164.
    public var from: String
    public var caFile: String?
}

/// `[fcm]`: Firebase Cloud Messaging HTTP v1.
public struct FCMConfig: Sendable, Equatable {
    /// `service_account_file`: Google's service-account JSON (its `token_uri` is honoured).
    public var serviceAccountFile: String
    public var baseURL: String
    public var caFile: String?
}

/// `[webpush]`: browser push (RFC 8030, 8291, 8292).
public struct WebPushConfig: Sendable, Equatable {
    /// `vapid_private_key_file`: PEM, P-256.
    public var vapidPrivateKeyFile: String
    /// `subject`: `mailto:` or `https:` contact for push services.
    public var subject: String
    public var caFile: String?
}

/// `[rules]`: when a passenger is told what.
public struct RelayRulesConfig: Sendable, Equatable {
    public var delayThresholdMinutes = 30
    public var delayStepMinutes = 30
    public var gateHoldSeconds = 120
    public var gateWindowHours = 3
    /// `rate_limit_per_hour`: messages one recipient gets per hour before they are folded into a digest.
    public var rateLimitPerHour = 10
    /// `rate_limit_burst`: messages one recipient may get at once before the hourly rate applies
    /// (the token bucket's size); nil: `rate_limit_per_hour`.
    public var rateLimitBurst: Int?

    public init() {}
}

/// `[dispatch]`: how deliveries leave.
public struct DispatchConfig: Sendable, Equatable {
    /// `max_attempts`: tries before a delivery is `dead`.
    public var maxAttempts = 8
    /// `lease_seconds`: how long a claimed delivery stays this instance's; after a crash, others
    /// take it over when the lease ran out. The same on every instance: a taken-over SMS is
    /// looked up at the provider among the messages made while the lost lease lasted.
    public var leaseSeconds = 60
    /// `concurrency`: messages in flight at once per channel.
    public var concurrency = 64
    /// `instance`: this instance's name in leases and logs (default: host name and process id).
    public var instance: String?

    public init() {}
}
