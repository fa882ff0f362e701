import FlightModel
extension GatewayConfig {
    /// The effective configuration as TOML, defaults filled in and secrets masked: what
    /// `flightedge check-config` prints. It parses back to the same configuration (unless a
    /// secret was masked).
    ///
    /// Passwords belong in `password_file`; one written into the database URL anyway
    /// (`postgresql://user:secret@host/db`, `?password=…`, or `password=…` in a key=value string)
    /// is shown as `***`, and so is any option whose name says it is a secret.
    public func redacted() -> String {
        var lines: [String] = []
        func add(_ key: String, _ value: String?) {
            if let value { lines.append("\(key) = \(TOMLText.quoted(value))") }
        }
        func add(_ key: String, _ value: Int?) {
            if let value { lines.append("\(key) = \(value)") }
        }
        lines.append("[airport]")
        add("iata", airport.iata)
        add("timezone", airport.timezone)
        lines.append("\n[database]")
        add("url", Self.maskPassword(in: database.url))
        add("password_file", database.passwordFile)
        lines.append("\n[mqtt]")
        add("host", mqtt.host)
        add("port", mqtt.port)
        add("client_id", mqtt.clientID)
        add("topic_prefix", mqtt.topicPrefix)
        add("username", mqtt.username)
        add("password_file", mqtt.passwordFile)
        add("ca_file", mqtt.caFile)
        add("cert_file", mqtt.certFile)
        add("key_file", mqtt.keyFile)
        add("state_qos", mqtt.stateQoS)
        add("keepalive", mqtt.keepaliveSeconds)
        add("max_inflight", mqtt.maxInflight)
        lines.append("\n[events]")
        add("delay_threshold_minutes", events.delayThresholdMinutes)
        add("delay_step_minutes", events.delayStepMinutes)
        if let http {
            lines.append("\n[http]")
            add("listen", http.listen.description)
        }
        lines.append("\n[housekeeping]")
        add("retain_hours", housekeeping.retainHours)
        add("outbox_retention_days", housekeeping.outboxRetentionDays)
        add("history_retention_days", housekeeping.historyRetentionDays)
        add("rejected_frames_retention_days", housekeeping.rejectedFramesRetentionDays)
        lines.append("\n[boards]")
        lines.append("languages = [\(boards.languages.map { TOMLText.quoted($0) }.joined(separator: ", "))]")
        for feed in feeds {
            lines.append("\n[[feeds]]")
            add("name", feed.name)
            add("format", feed.format.rawValue)
            add("transport", feed.transport.rawValue)
            add("address", feed.address?.description)
            add("path", feed.path)
            add("framing", feed.framing.rawValue)
            add("max_frame_bytes", feed.maxFrameBytes)
            add("precedence", feed.precedence)
            add("stale_after", feed.staleAfterSeconds)
            if feed.transport == .tcpListen {
                lines.append("allow = [\(feed.allow.map { TOMLText.quoted($0.description) }.joined(separator: ", "))]")
                add("max_connections", feed.maxConnections)
                add("max_connections_per_peer", feed.maxConnectionsPerPeer)
                add("frame_timeout", feed.frameTimeoutSeconds)
            }
            if feed.transport.isNetwork { add("idle_timeout", feed.idleTimeoutSeconds) }
            if feed.transport == .spoolDir && feed.settleSeconds > 0 { add("settle_time", feed.settleSeconds) }
            add("tls_ca_file", feed.tls?.caFile)
            add("tls_cert_file", feed.tls?.certFile)
            add("tls_key_file", feed.tls?.keyFile)
            lines += feed.pullLines
            if !feed.options.isEmpty {
                lines.append("[feeds.options]")
                for (key, value) in Self.maskSecrets(in: feed.options).sorted(by: { $0.key < $1.key }) {
                    lines.append("\(TOMLText.key(key)) = \(value)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Replaces the password of a libpq connection string by `***`: in a URL
    /// (`postgresql://user:secret@host/db`, `…?password=secret`) or in key=value pairs
    /// (`host=db password=secret`, `password = 'two words'`).
    public static func maskPassword(in conninfo: String) -> String {
        let trimmed = conninfo.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://") {
            return ConnectionString.maskURL(conninfo)
        }
        return ConnectionString.maskKeywords(conninfo)
    }

    private static func maskSecrets(in options: [String: ConfigValue]) -> [String: ConfigValue] {
        options.reduce(into: [:]) { result, entry in
            let lowered = entry.key.lowercased()
            if ["password", "secret", "token", "apikey", "api_key"].contains(where: lowered.contains) {
                result[entry.key] = .string("***")
            } else if case .table(let inner) = entry.value {
                result[entry.key] = .table(maskSecrets(in: inner))
            } else {
                result[entry.key] = entry.value
            }
        }
    }
}

/// Masking passwords in libpq connection strings.
enum ConnectionString {
    /// `scheme://user:secret@host…?password=secret` → `scheme://user:***@host…?password=***`.
    /// The user info ends at the last `@` before the path, so a password with an unescaped `@`
    /// is masked whole.
    static func maskURL(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        var result = String(url[..<scheme.upperBound])
        var rest = url[scheme.upperBound...]
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                result += userInfo[..<colon] + ":***"
            } else {
                result += userInfo
            }
            rest = rest[at...]
        }
        guard let question = rest.firstIndex(of: "?") else { return result + rest }
        result += rest[...question]
        let parameters = rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
        result += parameters.map { parameter in
            parameter.lowercased().hasPrefix("password=") ? "password=***" : String(parameter)
        }.joined(separator: "&")
        return result
    }

    /// `host=db password=secret` → `host=db password=***`, with libpq's rules: spaces around
    /// `=`, values in single quotes with backslash escapes.
    static func maskKeywords(_ conninfo: String) -> String {
        let characters = Array(conninfo)
        var result = ""
        var index = 0
        func skipSpaces() {
            while index < characters.count, characters[index].isWhitespace {
                result.append(characters[index])
                index += 1
            }
        }
        while index < characters.count {
            skipSpaces()
            var keyword = ""
            while index < characters.count, characters[index] != "=", !characters[index].isWhitespace {
                keyword.append(characters[index])
                index += 1
            }
            result += keyword
            skipSpaces()
            guard index < characters.count, characters[index] == "=" else { continue }
            result.append("=")
            index += 1
            skipSpaces()
            var value = ""
            if index < characters.count, characters[index] == "'" {
                value.append("'")
                index += 1
                while index < characters.count, characters[index] != "'" {
                    if characters[index] == "\\", index + 1 < characters.count {
                        value.append(characters[index])
                        index += 1
                    }
                    value.append(characters[index])
                    index += 1
                }
                if index < characters.count {
                    value.append("'")
                    index += 1
                }
            } else {
                while index < characters.count, !characters[index].isWhitespace {
                    value.append(characters[index])
                    index += 1
                }
            }
            result += keyword.lowercased() == "password" ? "***" : value
        }
        return result
    }
}
