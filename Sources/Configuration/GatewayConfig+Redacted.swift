import Foundation

extension GatewayConfig {
    /// The effective configuration as TOML, defaults filled in and secrets masked: what
    /// `flightedge check-config` prints. Passwords live in files; a password written into the
    /// database URL anyway is shown as `***`.
    public func redacted() -> String {
        var lines: [String] = []
        func quoted(_ text: String) -> String {
            "\"" + text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
        }
        func add(_ key: String, _ value: String?) {
            if let value { lines.append("\(key) = \(quoted(value))") }
        }
        lines.append("[airport]")
        add("iata", airport.iata)
        add("timezone", airport.timezone)
        lines.append("\n[database]")
        add("url", Self.maskPassword(in: database.url))
        add("password_file", database.passwordFile)
        lines.append("\n[mqtt]")
        add("host", mqtt.host)
        lines.append("port = \(mqtt.port)")
        add("client_id", mqtt.clientID)
        add("topic_prefix", mqtt.topicPrefix)
        add("username", mqtt.username)
        add("password_file", mqtt.passwordFile)
        add("ca_file", mqtt.caFile)
        add("cert_file", mqtt.certFile)
        add("key_file", mqtt.keyFile)
        lines.append("state_qos = \(mqtt.stateQoS)")
        lines.append("keepalive = \(mqtt.keepaliveSeconds)")
        lines.append("max_inflight = \(mqtt.maxInflight)")
        lines.append("\n[events]")
        lines.append("delay_threshold_minutes = \(events.delayThresholdMinutes)")
        lines.append("delay_step_minutes = \(events.delayStepMinutes)")
        if let http {
            lines.append("\n[http]")
            add("listen", http.listen.description)
        }
        lines.append("\n[housekeeping]")
        lines.append("retain_hours = \(housekeeping.retainHours)")
        for feed in feeds {
            lines.append("\n[[feeds]]")
            add("name", feed.name)
            add("format", feed.format.rawValue)
            add("transport", feed.transport.rawValue)
            add("address", feed.address?.description)
            add("path", feed.path)
            add("framing", feed.framing.rawValue)
            lines.append("max_frame_bytes = \(feed.maxFrameBytes)")
            lines.append("precedence = \(feed.precedence)")
            if feed.transport == .tcpListen {
                lines.append("allow = [\(feed.allow.map { quoted($0.description) }.joined(separator: ", "))]")
                lines.append("max_connections = \(feed.maxConnections)")
            }
            if let stale = feed.staleAfterSeconds { lines.append("stale_after = \(stale)") }
            lines.append("idle_timeout = \(feed.idleTimeoutSeconds)")
            if !feed.options.isEmpty { lines.append("# options: \(feed.options.keys.sorted().joined(separator: ", "))") }
        }
        return lines.joined(separator: "\n")
    }

    /// Replaces the password of a libpq URL (`scheme://user:secret@host`) or keyword string
    /// (`password=secret`) by `***`.
    public static func maskPassword(in conninfo: String) -> String {
        if let scheme = conninfo.range(of: "://") {
            let rest = conninfo[scheme.upperBound...]
            guard let at = rest.firstIndex(of: "@") else { return maskQueryPassword(conninfo) }
            let credentials = rest[..<at]
            guard let colon = credentials.firstIndex(of: ":") else { return maskQueryPassword(conninfo) }
            let masked = String(conninfo[..<scheme.upperBound]) + credentials[..<colon] + ":***" + rest[at...]
            return maskQueryPassword(masked)
        }
        var parts: [String] = []
        for part in conninfo.split(separator: " ") {
            parts.append(part.hasPrefix("password=") ? "password=***" : String(part))
        }
        return parts.joined(separator: " ")
    }

    private static func maskQueryPassword(_ url: String) -> String {
        guard let query = url.firstIndex(of: "?") else { return url }
        let parameters = url[url.index(after: query)...].split(separator: "&").map { parameter in
            parameter.hasPrefix("password=") ? "password=***" : String(parameter)
        }
        return String(url[...query]) + parameters.joined(separator: "&")
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
