import Foundation

/// The validated configuration of one FlightEdge daemon (DESIGN.md §8).
public struct GatewayConfig: Sendable, Equatable {
    public var airport: AirportConfig
    public var database: DatabaseConfig
    public var mqtt: MQTTConfig
    public var events: EventsConfig
    public var http: HTTPConfig?
    public var feeds: [FeedConfig]
    public var housekeeping: HousekeepingConfig

    /// `FLIGHTEDGE_CONFIG` when set, else `/etc/flightedge/flightedge.toml`.
    public static var defaultPath: String {
        ProcessInfo.processInfo.environment["FLIGHTEDGE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/etc/flightedge/flightedge.toml"
    }

    /// Reads and validates a file.
    public static func load(path: String) throws(ConfigurationErrors) -> GatewayConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file (permissions?)" : "no such file"
            throw ConfigurationErrors([ConfigurationError(source: path, line: nil, key: "", message: reason)])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationErrors([ConfigurationError(source: path, line: nil, key: "", message: "the file is not UTF-8 text")])
        }
        return try parse(text, source: path)
    }

    /// Parses and validates configuration text; `source` names it in errors.
    public static func parse(_ text: String, source: String) throws(ConfigurationErrors) -> GatewayConfig {
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(text)
        } catch {
            throw ConfigurationErrors([ConfigurationError(source: source, line: error.line, key: "", message: error.message)])
        }
        let loader = ConfigLoader(source: source)
        let config = loader.load(table)
        if !loader.errors.isEmpty { throw ConfigurationErrors(loader.errors) }
        return config!
    }
}

/// `[airport]`
public struct AirportConfig: Sendable, Equatable {
    /// `iata`: the airport's IATA code, three capital letters (required).
    public var iata: String
    /// `timezone`: an IANA time zone such as `Europe/Zurich` (required), for local times.
    public var timezone: String

    public init(iata: String, timezone: String) {
        self.iata = iata
        self.timezone = timezone
    }
}

/// `[database]`
public struct DatabaseConfig: Sendable, Equatable {
    /// `url`: any libpq connection string (required).
    public var url: String
    /// `password_file`: a file holding the password (else the systemd credential `db-password`).
    public var passwordFile: String?
}

/// `[mqtt]`
public struct MQTTConfig: Sendable, Equatable {
    public var host: String
    /// `port`, default 1883 (8883 is usual with TLS).
    public var port: Int
    /// `client_id`, default `flightedge-{iata}`.
    public var clientID: String
    /// `topic_prefix`, default `flightedge`.
    public var topicPrefix: String
    public var username: String?
    /// `password_file` (else the systemd credential `mqtt-password`).
    public var passwordFile: String?
    /// `ca_file`: setting it turns TLS on.
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// `state_qos`: 0 or 1 (default 1) for retained state topics; events are always QoS 1.
    public var stateQoS: Int
    /// `keepalive` seconds, default 30.
    public var keepaliveSeconds: Int
    /// `max_inflight`: QoS 1 messages in flight at once, default 1000.
    public var maxInflight: Int
}

/// `[events]`
public struct EventsConfig: Sendable, Equatable {
    /// `delay_threshold_minutes`, default 15.
    public var delayThresholdMinutes: Int
    /// `delay_step_minutes`, default 5.
    public var delayStepMinutes: Int

    public init(delayThresholdMinutes: Int, delayStepMinutes: Int) {
        self.delayThresholdMinutes = delayThresholdMinutes
        self.delayStepMinutes = delayStepMinutes
    }
}

/// `[http]`
public struct HTTPConfig: Sendable, Equatable {
    /// `listen`: address of `/healthz` and `/metrics`.
    public var listen: HostPort
}

/// `[housekeeping]`
public struct HousekeepingConfig: Sendable, Equatable {
    /// `retain_hours`: flights that ended longer ago are cleared from retained topics, default 12.
    public var retainHours: Int
}

/// One `[[feeds]]` entry.
public struct FeedConfig: Sendable, Equatable {
    public var name: String
    public var format: FeedFormat
    public var transport: FeedTransport
    public var address: HostPort?
    public var path: String?
    public var framing: Framing
    public var maxFrameBytes: Int
    public var precedence: Int
    public var allow: [CIDR]
    /// `stale_after`: seconds without a frame before `/healthz` reports the feed stale.
    public var staleAfterSeconds: Int?
    public var maxConnections: Int
    public var idleTimeoutSeconds: Int
    /// `[feeds.options]`: format-specific settings (CSV columns, time formats, status maps).
    public var options: [String: ConfigValue]
}

/// A value of a free-form options table.
public enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case strings([String])
    case table([String: ConfigValue])
}

public enum FeedFormat: String, Sendable, CaseIterable {
    case aidx, mvt, csv, jsonl
}

public enum FeedTransport: String, Sendable, CaseIterable {
    case tcpConnect = "tcp-connect"
    case tcpListen = "tcp-listen"
    case spoolDir = "spool-dir"
    case tailFile = "tail-file"
}

public enum Framing: String, Sendable, CaseIterable {
    case lf
    case stxEtx = "stx-etx"
    case lengthPrefix = "length-prefix"
    case file
}
