import Foundation

/// Walks the parsed TOML, builds a ``GatewayConfig`` and collects every problem on the way:
/// unknown tables and keys (with a suggestion), wrong types, missing or out-of-range values,
/// bad addresses, unknown enum values, duplicate feed names.
final class ConfigLoader {
    let source: String
    private(set) var errors: [ConfigurationError] = []

    init(source: String) {
        self.source = source
    }

    func report(_ line: Int?, _ key: String, _ message: String) {
        errors.append(ConfigurationError(source: source, line: line, key: key, message: message))
    }

    func load(_ root: TOMLTable) -> GatewayConfig? {
        var top = TableReader(table: root, path: "", loader: self)
        let airportTable = top.table("airport", required: true)
        let databaseTable = top.table("database", required: true)
        let mqttTable = top.table("mqtt", required: true)
        let eventsTable = top.table("events", required: false)
        let httpTable = top.table("http", required: false)
        let housekeepingTable = top.table("housekeeping", required: false)
        let feedTables = top.arrayOfTables("feeds")
        top.finish(isRoot: true)

        var airportReader = TableReader(table: airportTable ?? TOMLTable(line: 0), path: "airport", loader: self)
        let iata = airportReader.string("iata", required: airportTable != nil) { value in
            value.count == 3 && value.allSatisfy({ $0.isASCII && $0.isUppercase }) ? nil : "must be three capital letters, e.g. \"ZRH\""
        }
        let timezone = airportReader.string("timezone", required: airportTable != nil) { value in
            TimeZone(identifier: value) == nil ? "unknown time zone \"\(value)\" (expected an IANA name such as \"Europe/Zurich\")" : nil
        }
        airportReader.finish()

        var databaseReader = TableReader(table: databaseTable ?? TOMLTable(line: 0), path: "database", loader: self)
        let url = databaseReader.string("url", required: databaseTable != nil) { $0.isEmpty ? "must not be empty" : nil }
        let databasePasswordFile = databaseReader.string("password_file", required: false)
        databaseReader.finish()

        var mqttReader = TableReader(table: mqttTable ?? TOMLTable(line: 0), path: "mqtt", loader: self)
        let mqttHost = mqttReader.string("host", required: mqttTable != nil) { $0.isEmpty ? "must not be empty" : nil }
        let mqttPort = mqttReader.integer("port", default: 1883, range: 1...65535)
        let clientID = mqttReader.string("client_id", required: false) { $0.isEmpty || $0.utf8.count > 65535 ? "must be 1 to 65535 bytes" : nil }
        let topicPrefix = mqttReader.string("topic_prefix", required: false) { value in
            value.isEmpty || value.contains(where: { "#+".contains($0) }) || value.hasSuffix("/")
                ? "must be non-empty, without '#', '+' or a trailing '/'" : nil
        }
        let username = mqttReader.string("username", required: false)
        let mqttPasswordFile = mqttReader.string("password_file", required: false)
        let caFile = mqttReader.string("ca_file", required: false)
        let certFile = mqttReader.string("cert_file", required: false)
        let keyFile = mqttReader.string("key_file", required: false)
        let stateQoS = mqttReader.integer("state_qos", default: 1, range: 0...1)
        let keepalive = mqttReader.integer("keepalive", default: 30, range: 5...3600)
        let maxInflight = mqttReader.integer("max_inflight", default: 1000, range: 1...65535)
        if (certFile == nil) != (keyFile == nil) {
            report(mqttTable?.line, "mqtt.cert_file", "cert_file and key_file go together (a client certificate needs its key)")
        }
        if certFile != nil && caFile == nil {
            report(mqttTable?.line, "mqtt.ca_file", "a client certificate needs TLS: set ca_file too")
        }
        mqttReader.finish()

        var eventsReader = TableReader(table: eventsTable ?? TOMLTable(line: 0), path: "events", loader: self)
        let threshold = eventsReader.integer("delay_threshold_minutes", default: 15, range: 1...1440)
        let step = eventsReader.integer("delay_step_minutes", default: 5, range: 1...1440)
        eventsReader.finish()

        var http: HTTPConfig?
        if let httpTable {
            var httpReader = TableReader(table: httpTable, path: "http", loader: self)
            if let listen = httpReader.hostPort("listen", required: true) { http = HTTPConfig(listen: listen) }
            httpReader.finish()
        }

        var housekeepingReader = TableReader(table: housekeepingTable ?? TOMLTable(line: 0), path: "housekeeping", loader: self)
        let retainHours = housekeepingReader.integer("retain_hours", default: 12, range: 1...720)
        housekeepingReader.finish()

        var feeds: [FeedConfig] = []
        var namesSeen: [String: Int] = [:]
        for (index, feedTable) in feedTables.enumerated() {
            guard let feed = loadFeed(feedTable, index: index) else { continue }
            if let firstLine = namesSeen[feed.name] {
                report(feedTable["name"]?.line ?? feedTable.line, "feeds[\(index)].name", "duplicate feed name \"\(feed.name)\" (also on line \(firstLine))")
            } else {
                namesSeen[feed.name] = feedTable["name"]?.line ?? feedTable.line
            }
            feeds.append(feed)
        }

        guard errors.isEmpty, let iata, let timezone, let url, let mqttHost else { return nil }
        return GatewayConfig(
            airport: AirportConfig(iata: iata, timezone: timezone),
            database: DatabaseConfig(url: url, passwordFile: databasePasswordFile),
            mqtt: MQTTConfig(
                host: mqttHost, port: mqttPort, clientID: clientID ?? "flightedge-\(iata.lowercased())",
                topicPrefix: topicPrefix ?? "flightedge", username: username, passwordFile: mqttPasswordFile,
                caFile: caFile, certFile: certFile, keyFile: keyFile, stateQoS: stateQoS, keepaliveSeconds: keepalive,
                maxInflight: maxInflight),
            events: EventsConfig(delayThresholdMinutes: threshold, delayStepMinutes: step),
            http: http, feeds: feeds, housekeeping: HousekeepingConfig(retainHours: retainHours))
    }

    private func loadFeed(_ table: TOMLTable, index: Int) -> FeedConfig? {
        let path = "feeds[\(index)]"
        var reader = TableReader(table: table, path: path, loader: self)
        let name = reader.string("name", required: true) { value in
            !value.isEmpty && value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") })
                ? nil : "must be lower-case letters, digits, '-' or '_' (it names MQTT topics and database rows)"
        }
        let format: FeedFormat? = reader.choice("format", required: true)
        let transport: FeedTransport? = reader.choice("transport", required: true)
        let address = reader.hostPort("address", required: false)
        let pathValue = reader.string("path", required: false)
        let framing: Framing? = reader.choice("framing", required: false)
        let maxFrameBytes = reader.integer("max_frame_bytes", default: 1_048_576, range: 64...67_108_864)
        let precedence = reader.integer("precedence", default: 0, range: -1000...1000)
        let allowNode = table["allow"]
        let allow = reader.cidrs("allow") ?? []
        let staleAfter = reader.optionalInteger("stale_after", range: 1...604_800)
        let maxConnections = reader.integer("max_connections", default: 64, range: 1...10_000)
        let idleTimeout = reader.integer("idle_timeout", default: 300, range: 1...86_400)
        let options = reader.options("options")
        reader.finish()

        if let transport {
            switch transport {
            case .tcpConnect, .tcpListen:
                if address == nil && table["address"] == nil {
                    report(table.line, "\(path).address", "required for transport \"\(transport.rawValue)\"")
                }
                if pathValue != nil {
                    report(table["path"]?.line, "\(path).path", "not used by transport \"\(transport.rawValue)\" (it takes an address)")
                }
            case .spoolDir, .tailFile:
                if pathValue == nil && table["path"] == nil {
                    report(table.line, "\(path).path", "required for transport \"\(transport.rawValue)\"")
                }
                if table["address"] != nil {
                    report(table["address"]?.line, "\(path).address", "not used by transport \"\(transport.rawValue)\" (it takes a path)")
                }
            }
            if transport != .tcpListen, let allowNode {
                report(allowNode.line, "\(path).allow", "only a tcp-listen feed accepts connections; remove allow")
            }
            if framing == .file && transport != .spoolDir {
                report(table["framing"]?.line, "\(path).framing", "\"file\" framing (one frame per file) needs transport \"spool-dir\"")
            }
        }
        guard let name, let format, let transport else { return nil }
        return FeedConfig(
            name: name, format: format, transport: transport, address: address, path: pathValue,
            framing: framing ?? (transport == .spoolDir ? .file : .lf), maxFrameBytes: maxFrameBytes,
            precedence: precedence,
            allow: allowNode == nil && transport == .tcpListen
                ? [try! CIDR.parse("127.0.0.0/8").get(), try! CIDR.parse("::1/128").get()] : allow,
            staleAfterSeconds: staleAfter, maxConnections: maxConnections, idleTimeoutSeconds: idleTimeout,
            options: options)
    }
}

/// Reads the keys of one table, remembering which were used so that the rest can be reported
/// as unknown.
struct TableReader {
    let table: TOMLTable
    let path: String
    let loader: ConfigLoader
    private var used: Set<String> = []

    init(table: TOMLTable, path: String, loader: ConfigLoader) {
        self.table = table
        self.path = path
        self.loader = loader
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func missing(_ key: String) {
        loader.report(table.line == 0 ? nil : table.line, name(key), "required key is missing")
    }

    private func wrongType(_ key: String, _ node: TOMLNode, expected: String) {
        loader.report(node.line, name(key), "expected \(expected), found \(node.value.kindName)")
    }

    mutating func string(_ key: String, required: Bool, check: (String) -> String? = { _ in nil }) -> String? {
        used.insert(key)
        guard let node = table[key] else {
            if required { missing(key) }
            return nil
        }
        guard case .string(let value) = node.value else {
            wrongType(key, node, expected: "a string")
            return nil
        }
        if let problem = check(value) {
            loader.report(node.line, name(key), problem)
            return nil
        }
        return value
    }

    mutating func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        optionalInteger(key, range: range) ?? fallback
    }

    mutating func optionalInteger(_ key: String, range: ClosedRange<Int>) -> Int? {
        used.insert(key)
        guard let node = table[key] else { return nil }
        guard case .integer(let value) = node.value else {
            wrongType(key, node, expected: "an integer")
            return nil
        }
        guard range.contains(value) else {
            loader.report(node.line, name(key), "\(value) is out of range (\(range.lowerBound) to \(range.upperBound))")
            return nil
        }
        return value
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, required: Bool) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let value = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            loader.report(table[key]?.line, name(key), "unknown \(key) \"\(text)\" (expected one of: \(allowed))")
            return nil
        }
        return value
    }

    mutating func hostPort(_ key: String, required: Bool) -> HostPort? {
        guard let text = string(key, required: required) else { return nil }
        switch HostPort.parse(text) {
        case .success(let value): return value
        case .failure(let problem):
            loader.report(table[key]?.line, name(key), problem.message)
            return nil
        }
    }

    mutating func cidrs(_ key: String) -> [CIDR]? {
        used.insert(key)
        guard let node = table[key] else { return nil }
        guard case .array(let elements) = node.value else {
            wrongType(key, node, expected: "an array of addresses or networks")
            return nil
        }
        var result: [CIDR] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element.value else {
                loader.report(element.line, "\(name(key))[\(index)]", "expected a string, found \(element.value.kindName)")
                continue
            }
            switch CIDR.parse(text) {
            case .success(let cidr): result.append(cidr)
            case .failure(let problem): loader.report(element.line, "\(name(key))[\(index)]", problem.message)
            }
        }
        return result
    }

    mutating func options(_ key: String) -> [String: ConfigValue] {
        used.insert(key)
        guard let node = table[key] else { return [:] }
        guard case .table(let options) = node.value else {
            wrongType(key, node, expected: "a table")
            return [:]
        }
        return convert(options, path: name(key))
    }

    private func convert(_ table: TOMLTable, path: String) -> [String: ConfigValue] {
        var result: [String: ConfigValue] = [:]
        for entry in table.entries {
            switch entry.node.value {
            case .string(let value): result[entry.key] = .string(value)
            case .integer(let value): result[entry.key] = .integer(value)
            case .boolean(let value): result[entry.key] = .boolean(value)
            case .table(let inner): result[entry.key] = .table(convert(inner, path: "\(path).\(entry.key)"))
            case .array(let elements):
                let strings = elements.compactMap { node -> String? in
                    if case .string(let text) = node.value { return text }
                    return nil
                }
                if strings.count == elements.count {
                    result[entry.key] = .strings(strings)
                } else {
                    loader.report(entry.node.line, "\(path).\(entry.key)", "expected an array of strings")
                }
            case .float, .datetime:
                loader.report(entry.node.line, "\(path).\(entry.key)", "expected a string, integer, boolean or array of strings")
            }
        }
        return result
    }

    mutating func table(_ key: String, required: Bool) -> TOMLTable? {
        used.insert(key)
        guard let node = table[key] else {
            if required { loader.report(nil, name(key), "required table [\(name(key))] is missing") }
            return nil
        }
        guard case .table(let inner) = node.value else {
            wrongType(key, node, expected: "a table [\(name(key))]")
            return nil
        }
        return inner
    }

    mutating func arrayOfTables(_ key: String) -> [TOMLTable] {
        used.insert(key)
        guard let node = table[key] else { return [] }
        guard case .array(let elements) = node.value else {
            wrongType(key, node, expected: "an array of tables [[\(key)]]")
            return []
        }
        return elements.compactMap { element in
            if case .table(let inner) = element.value { return inner }
            loader.report(element.line, name(key), "expected [[\(key)]] tables, found \(element.value.kindName)")
            return nil
        }
    }

    /// Reports every key that nothing asked for.
    func finish(isRoot: Bool = false) {
        for entry in table.entries where !used.contains(entry.key) {
            let known = used.sorted()
            let suggestion = known.min { editDistance($0, entry.key) < editDistance($1, entry.key) }
                .flatMap { editDistance($0, entry.key) <= max(2, entry.key.count / 4) ? $0 : nil }
            let what: String
            if case .table = entry.node.value { what = isRoot ? "unknown table [\(entry.key)]" : "unknown table" } else { what = "unknown key" }
            let hint = suggestion.map { "; did you mean `\($0)`?" } ?? " (known: \(known.joined(separator: ", ")))"
            loader.report(entry.node.line, name(entry.key), what + hint)
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
