import Foundation
import FlightModel

/// The validated configuration of one FlightEdge daemon: `flightedge.toml` (DESIGN.md §8).
///
/// ``load(path:)`` and ``parse(_:source:)`` check everything they can without touching the
/// network or the files named inside (password and certificate files are read at start): unknown
/// tables and keys, types, required keys, ranges, addresses, networks, time zone, feed names and
/// what each transport needs. They report every problem at once, each with its line and key.
///
/// Relative paths (`password_file`, a feed's `path`, …) are kept as written: they resolve
/// against the daemon's current directory.
public struct GatewayConfig: Sendable, Equatable {
    /// `[airport]`, required.
    public var airport: AirportConfig
    /// `[database]`, required.
    public var database: DatabaseConfig
    /// `[mqtt]`, required.
    public var mqtt: MQTTConfig
    /// `[events]`, optional: the defaults of ``EventsConfig``.
    public var events: EventsConfig
    /// `[http]`, optional: without it there is no `/healthz` or `/metrics` listener.
    public var http: HTTPConfig?
    /// `[[feeds]]`, in the order written; may be empty.
    public var feeds: [FeedConfig]
    /// `[housekeeping]`, optional.
    public var housekeeping: HousekeepingConfig
    /// `[boards]`, optional: the boards are served wherever `[http]` listens.
    public var boards: BoardsConfig

    /// A configuration built in code (tests, tools); nothing is validated here.
    public init(
        airport: AirportConfig, database: DatabaseConfig, mqtt: MQTTConfig, events: EventsConfig = EventsConfig(),
        http: HTTPConfig? = nil, feeds: [FeedConfig] = [], housekeeping: HousekeepingConfig = HousekeepingConfig(),
        boards: BoardsConfig = BoardsConfig()
    ) {
        self.airport = airport
        self.database = database
        self.mqtt = mqtt
        self.events = events
        self.http = http
        self.feeds = feeds
        self.housekeeping = housekeeping
        self.boards = boards
    }

    /// The feed called `name`, if there is one.
    public func feed(named name: String) -> FeedConfig? {
        feeds.first { $0.name == name }
    }

    /// `FLIGHTEDGE_CONFIG` when set (and not empty), else `/etc/flightedge/flightedge.toml`.
    public static var defaultPath: String {
        if let path = ProcessInfo.processInfo.environment["FLIGHTEDGE_CONFIG"], !path.isEmpty { return path }
        return "/etc/flightedge/flightedge.toml"
    }

    /// Reads and validates the file at `path`; errors name `path` as their source.
    public static func load(path: String) throws(ConfigurationErrors) -> GatewayConfig {
        try parse(try ConfigurationFile.text(at: path), source: path)
    }

    /// Parses and validates configuration text; `source` (a file name) names it in errors.
    ///
    /// Syntax errors come first: when the text is not valid TOML, every syntax error is reported
    /// (one per broken line) and the settings are not checked until they are fixed.
    public static func parse(_ text: String, source: String) throws(ConfigurationErrors) -> GatewayConfig {
        try ConfigurationFile.parse(text, source: source) { loader, table in loader.load(table) }
    }
}

/// `[airport]`: the airport this gateway serves.
public struct AirportConfig: Sendable, Equatable {
    /// `iata`: the airport's IATA code, three capital letters (required). It names every topic.
    public var iata: String
    /// `timezone`: an IANA time zone such as `Europe/Zurich` (required), for local times.
    public let timezone: String
    /// ``timezone``'s rules, read once with the configuration, so the zone the loader validated
    /// is the zone the gateway uses even if the tz database changes under it.
    public let zone: ZoneRules

    /// Reads `timezone`'s rules (UTC for a name neither the tz database nor Foundation knows);
    /// nothing else is validated here: ``GatewayConfig/parse(_:source:)`` does that.
    public init(iata: String, timezone: String) {
        self.init(iata: iata, timezone: timezone, zone: ZoneRules.named(timezone) ?? .utc)
    }

    /// With rules already read (the loader, which read them to validate the name).
    init(iata: String, timezone: String, zone: ZoneRules) {
        self.iata = iata
        self.timezone = timezone
        self.zone = zone
    }

    /// Equal when the settings are; the rules follow from the name.
    public static func == (lhs: AirportConfig, rhs: AirportConfig) -> Bool {
        lhs.iata == rhs.iata && lhs.timezone == rhs.timezone
    }
}

/// `[database]`: where the flight history lives.
public struct DatabaseConfig: Sendable, Equatable {
    /// `url`: any libpq connection string, URL or `key=value` pairs (required).
    public var url: String
    /// `password_file`: a file holding the password; else the systemd credential `db-password`.
    public var passwordFile: String?

    /// Nothing is validated here.
    public init(url: String, passwordFile: String? = nil) {
        self.url = url
        self.passwordFile = passwordFile
    }
}

/// `[events]`: when delay events fire (DESIGN.md §4); the state engine's own policy, so its
/// defaults are written once.
public typealias EventsConfig = EventPolicy

/// `[http]`: the operations endpoint.
public struct HTTPConfig: Sendable, Equatable {
    /// `listen` (required in `[http]`): address of `/healthz` and `/metrics`.
    public var listen: HostPort

    /// Nothing is validated here.
    public init(listen: HostPort) {
        self.listen = listen
    }
}

/// `[housekeeping]`
public struct HousekeepingConfig: Sendable, Equatable {
    /// `retain_hours`: flights that ended (by actual or estimated time) longer ago than this are
    /// cleared from the retained topics; 1 to 720, default 12.
    public var retainHours: Int
    /// `outbox_retention_days`: published events stay in the outbox this many days, so that a
    /// replay request (`cmd/replay`) can be answered; 1 to 365, default 7.
    public var outboxRetentionDays: Int
    /// `history_retention_days`: changes in `flight_changes` received longer ago than this are
    /// deleted; 0 to 36,500, default 0: kept forever.
    public var historyRetentionDays: Int
    /// `rejected_frames_retention_days`: frames in `rejected_frames` received longer ago than
    /// this are deleted; 0 to 36,500 (0: kept forever), default 30.
    public var rejectedFramesRetentionDays: Int

    /// The defaults are those of the configuration file.
    public init(
        retainHours: Int = 12, outboxRetentionDays: Int = 7, historyRetentionDays: Int = 0,
        rejectedFramesRetentionDays: Int = 30
    ) {
        self.retainHours = retainHours
        self.outboxRetentionDays = outboxRetentionDays
        self.historyRetentionDays = historyRetentionDays
        self.rejectedFramesRetentionDays = rejectedFramesRetentionDays
    }
}
