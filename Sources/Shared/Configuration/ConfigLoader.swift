import Foundation
import FlightModel

/// Walks the parsed TOML, builds a ``GatewayConfig`` and collects every problem on the way:
/// unknown tables and keys (with a suggestion), wrong types, missing or out-of-range values,
/// bad addresses and networks, unknown choices, duplicate feed names, what each transport needs.
final class ConfigLoader {
    let source: String
    private(set) var errors: [ConfigurationError] = []
    /// The keys each section read, e.g. `("[airport]", ["iata", "timezone"])`: for the hint
    /// that a key written before the first header belongs in a table.
    var sectionKeys: [(section: String, keys: [String])] = []

    init(source: String) {
        self.source = source
    }

    func report(_ line: Int?, _ key: String, _ message: String) {
        errors.append(ConfigurationError(source: source, line: line, key: key, message: message))
    }

    /// The configuration, or `nil` when ``errors`` is not empty.
    func load(_ root: TOMLTable) -> GatewayConfig? {
        var top = TableReader(table: root, path: "", section: "the top level", loader: self)
        let airportTable = top.table("airport", required: true)
        let databaseTable = top.table("database", required: true)
        let mqttTable = top.table("mqtt", required: true)
        let eventsTable = top.table("events", required: false)
        let httpTable = top.table("http", required: false)
        let housekeepingTable = top.table("housekeeping", required: false)
        let boardsTable = top.table("boards", required: false)
        let feedTables = top.arrayOfTables("feeds")

        let airport = loadAirport(airportTable)
        let database = loadDatabase(databaseTable)
        let mqtt = loadMQTT(mqttTable, iata: airport?.iata)
        let events = loadEvents(eventsTable)
        let http = loadHTTP(httpTable)
        let housekeeping = loadHousekeeping(housekeepingTable)
        let boards = loadBoards(boardsTable)
        let feeds = loadFeeds(feedTables)
        top.finish()

        sortErrorsByLine()
        guard errors.isEmpty, let airport, let database, let mqtt else { return nil }
        return GatewayConfig(
            airport: airport, database: database, mqtt: mqtt, events: events, http: http, feeds: feeds,
            housekeeping: housekeeping, boards: boards)
    }

    /// Orders the problems as they appear in the file (stable for problems of one line).
    func sortErrorsByLine() {
        errors = errors.enumerated()
            .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            .map(\.element)
    }

    /// A reader over `table`, or over an empty table when the section is absent (so that its keys
    /// are still known, and nothing is reported as missing twice).
    func reader(_ table: TOMLTable?, _ name: String) -> TableReader {
        TableReader(table: table ?? TOMLTable(line: 0), path: name, section: "[\(name)]", loader: self)
    }

    private func loadAirport(_ table: TOMLTable?) -> AirportConfig? {
        var reader = reader(table, "airport")
        let iata = reader.string("iata", required: table != nil) { value in
            value.count == 3 && value.allSatisfy({ $0.isASCII && $0.isUppercase })
                ? nil : "\"\(value)\" is not an IATA airport code (three capital letters, e.g. \"ZRH\")"
        }
        var zone: ZoneRules?
        let timezone = reader.string("timezone", required: table != nil) { value in
            zone = ZoneRules.named(value)
            return zone == nil
                ? "unknown time zone \"\(value)\" (expected an IANA name such as \"Europe/Zurich\")" : nil
        }
        reader.finish()
        guard let iata, let timezone, let zone else { return nil }
        return AirportConfig(iata: iata, timezone: timezone, zone: zone)
    }

    func loadDatabase(_ table: TOMLTable?) -> DatabaseConfig? {
        var reader = reader(table, "database")
        let url = reader.string("url", required: table != nil) { value in
            let isURL = value.hasPrefix("postgresql://") || value.hasPrefix("postgres://")
            return isURL || value.contains("=")
                ? nil
                : "\"\(value)\" is not a libpq connection string (expected postgresql://… or key=value pairs)"
        }
        let passwordFile = reader.string("password_file", required: false, check: Self.nonEmpty)
        reader.finish()
        guard let url else { return nil }
        return DatabaseConfig(url: url, passwordFile: passwordFile)
    }

    private func loadMQTT(_ table: TOMLTable?, iata: String?) -> MQTTConfig? {
        var reader = reader(table, "mqtt")
        let host = reader.string("host", required: table != nil) { value in
            if IPAddress(value) != nil { return nil }
            if value.contains(":") { return "\"\(value)\" is not a host name or address (the port goes in `port`)" }
            return HostPort.problem(withHost: Substring(value))?.message
        }
        let port = reader.integer("port", default: 1883, range: 1...65535)
        let clientID = reader.string("client_id", required: false) { value in
            value.isEmpty || value.utf8.count > 65535 ? "must be 1 to 65535 bytes" : nil
        }
        let topicPrefix = reader.string("topic_prefix", required: false) { value in
            value.isEmpty || value.contains(where: { "#+".contains($0) }) || value.hasPrefix("/")
                || value.hasPrefix("$") || value.hasSuffix("/")
                ? "\"\(value)\" cannot start a topic (no '#', '+', leading '$' or '/', trailing '/')" : nil
        }
        let username = reader.string("username", required: false, check: Self.nonEmpty)
        let passwordFile = reader.string("password_file", required: false, check: Self.nonEmpty)
        let caFile = reader.string("ca_file", required: false, check: Self.nonEmpty)
        let certFile = reader.string("cert_file", required: false, check: Self.nonEmpty)
        let keyFile = reader.string("key_file", required: false, check: Self.nonEmpty)
        let stateQoS = reader.integer("state_qos", default: 1, range: 0...1)
        let keepalive = reader.integer("keepalive", default: 30, range: 5...3600)
        let maxInflight = reader.integer("max_inflight", default: 100, range: 1...65535)
        if let line = reader.line(of: "password_file"), reader.line(of: "username") == nil {
            report(line, "mqtt.password_file", "a password needs a user name: set username too")
        }
        if let line = reader.line(of: "cert_file"), reader.line(of: "key_file") == nil {
            report(line, "mqtt.cert_file", "a client certificate needs its key: set key_file too")
        }
        if let line = reader.line(of: "key_file"), reader.line(of: "cert_file") == nil {
            report(line, "mqtt.key_file", "a key without its certificate: set cert_file too")
        }
        if let line = reader.line(of: "cert_file"), reader.line(of: "ca_file") == nil {
            report(line, "mqtt.cert_file", "a client certificate needs TLS: set ca_file too")
        }
        reader.finish()
        guard let host, let iata else { return nil }
        return MQTTConfig(
            host: host, port: port, clientID: clientID ?? "flightedge-\(iata.lowercased())",
            topicPrefix: topicPrefix ?? "flightedge", username: username, passwordFile: passwordFile, caFile: caFile,
            certFile: certFile, keyFile: keyFile, stateQoS: stateQoS, keepaliveSeconds: keepalive,
            maxInflight: maxInflight)
    }

    private func loadEvents(_ table: TOMLTable?) -> EventsConfig {
        var reader = reader(table, "events")
        let defaults = EventPolicy()
        let threshold = reader.integer("delay_threshold_minutes", default: defaults.delayThresholdMinutes, range: 1...1440)
        let step = reader.integer("delay_step_minutes", default: defaults.delayStepMinutes, range: 1...1440)
        reader.finish()
        return EventsConfig(delayThresholdMinutes: threshold, delayStepMinutes: step)
    }

    /// `nil` when `[http]` is absent (or broken: then the errors say so).
    private func loadHTTP(_ table: TOMLTable?) -> HTTPConfig? {
        var reader = reader(table, "http")
        let listen = reader.hostPort("listen", required: table != nil)
        reader.finish()
        return listen.map(HTTPConfig.init(listen:))
    }

    private func loadHousekeeping(_ table: TOMLTable?) -> HousekeepingConfig {
        var reader = reader(table, "housekeeping")
        let retainHours = reader.integer("retain_hours", default: 12, range: 1...720)
        let outboxRetentionDays = reader.integer("outbox_retention_days", default: 7, range: 1...365)
        // 0 keeps forever; at most 100 years, so that the interval stays a sane date.
        let historyRetentionDays = reader.integer("history_retention_days", default: 0, range: 0...36_500)
        let rejectedFramesRetentionDays = reader.integer("rejected_frames_retention_days", default: 30, range: 0...36_500)
        reader.finish()
        return HousekeepingConfig(
            retainHours: retainHours, outboxRetentionDays: outboxRetentionDays,
            historyRetentionDays: historyRetentionDays, rejectedFramesRetentionDays: rejectedFramesRetentionDays)
    }

    private func loadFeeds(_ tables: [TOMLTable]) -> [FeedConfig] {
        var feeds: [FeedConfig] = []
        var firstLineOfName: [String: Int] = [:]
        for (index, table) in tables.enumerated() {
            // Checked even when the rest of the feed is broken, so that every problem shows at once.
            if let node = table["name"], case .string(let name) = node.value {
                if let firstLine = firstLineOfName[name] {
                    report(
                        node.line, "feeds[\(index)].name", "duplicate feed name \"\(name)\" (also on line \(firstLine))"
                    )
                } else {
                    firstLineOfName[name] = node.line
                }
            }
            if let feed = FeedLoader(loader: self, table: table, index: index).load() { feeds.append(feed) }
        }
        return feeds
    }

    static func nonEmpty(_ value: String) -> String? {
        value.isEmpty ? "must not be empty" : nil
    }
}
