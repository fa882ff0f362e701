import Foundation

/// The relay's tables (RELAY.md), read with the same reporting as the gateway's.
extension ConfigLoader {
    /// The relay's configuration, or `nil` when ``errors`` is not empty.
    func loadRelay(_ root: TOMLTable) -> RelayConfig? {
        var top = TableReader(table: root, path: "", section: "the top level", loader: self)
        let databaseTable = top.table("database", required: true)
        let sourceTable = top.table("source", required: true)
        let httpTable = top.table("http", required: true)
        let smtpTable = top.table("smtp", required: false)
        let smsTable = top.table("sms", required: false)
        let fcmTable = top.table("fcm", required: false)
        let webpushTable = top.table("webpush", required: false)
        let rulesTable = top.table("rules", required: false)
        let dispatchTable = top.table("dispatch", required: false)
        let centralTable = top.table("central", required: false)

        let database = loadDatabase(databaseTable)
        let source = loadSource(sourceTable)
        let http = loadRelayHTTP(httpTable)
        let smtp = smtpTable.flatMap(loadSMTP)
        let sms = smsTable.flatMap(loadSMS)
        let fcm = fcmTable.flatMap(loadFCM)
        let webpush = webpushTable.flatMap(loadWebPush)
        let rules = loadRules(rulesTable)
        let dispatch = loadDispatch(dispatchTable)
        let central = loadCentral(centralTable)
        top.finish()

        sortErrorsByLine()
        guard errors.isEmpty, let database, let source, let http else { return nil }
        return RelayConfig(
            database: database, source: source, http: http, smtp: smtp, sms: sms, fcm: fcm, webpush: webpush,
            rules: rules, dispatch: dispatch, central: central)
    }

    private func loadSource(_ table: TOMLTable?) -> RelaySourceConfig? {
        var reader = reader(table, "source")
        let kind: RelaySourceConfig.Kind? = reader.choice("kind", required: table != nil)
        let url = reader.string("url", required: table != nil, check: Self.nonEmpty)
        let username = reader.string("username", required: false, check: Self.nonEmpty)
        let passwordFile = reader.string("password_file", required: false, check: Self.nonEmpty)
        let topic = reader.string("topic", required: false, check: Self.topicFilter) ?? "flightedge/+/events/#"
        let statusTopic = reader.string("status_topic", required: false) { $0.isEmpty ? nil : Self.topicFilter($0) } ?? "flightedge/+/status"
        let bridgeTopic = reader.string("bridge_topic", required: false) { $0.isEmpty ? nil : Self.topicFilter($0) } ?? "flightedge/+/bridge/#"
        let clientID = reader.string("client_id", required: false, check: Self.nonEmpty) ?? "flightedge-relay"
        let queue = reader.string("queue", required: false, check: Self.nonEmpty) ?? "flightedge.relay"
        let caFile = reader.string("ca_file", required: false, check: Self.nonEmpty)
        reader.finish()
        guard let kind, let url else { return nil }
        let urls = url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let schemes: [String] = kind == .mqtt ? ["mqtt://", "mqtts://"] : ["amqp://", "amqps://"]
        for candidate in urls where !schemes.contains(where: candidate.hasPrefix) || Self.hostPort(ofURL: candidate) == nil {
            report(
                reader.line(of: "url"), "source.url",
                "\"\(candidate)\" is not a \(kind.rawValue) URL (expected \(schemes[0])host:port)")
            return nil
        }
        if kind == .mqtt && urls.count != 1 {
            report(reader.line(of: "url"), "source.url", "an mqtt source takes one broker URL, found \(urls.count)")
            return nil
        }
        return RelaySourceConfig(
            kind: kind, urls: urls, username: username, passwordFile: passwordFile, topic: topic,
            statusTopic: statusTopic.isEmpty ? nil : statusTopic, bridgeTopic: bridgeTopic.isEmpty ? nil : bridgeTopic,
            clientID: clientID,
            queue: queue, caFile: caFile)
    }

    private func loadRelayHTTP(_ table: TOMLTable?) -> RelayHTTPConfig? {
        var reader = reader(table, "http")
        let listen = reader.hostPort("listen", required: table != nil)
        let publicURL = reader.string("public_url", required: table != nil) { value in
            (value.hasPrefix("http://") || value.hasPrefix("https://")) && URL(string: value)?.host != nil
                ? nil : "\"\(value)\" is not an http(s) URL (the base of links in messages, e.g. \"https://alerts.example.org\")"
        }
        reader.finish()
        guard let listen, let publicURL else { return nil }
        let trimmed = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        return RelayHTTPConfig(listen: listen, publicURL: trimmed)
    }

    private func loadSMTP(_ table: TOMLTable) -> SMTPConfig? {
        var reader = reader(table, "smtp")
        let host = reader.string("host", required: true, check: Self.nonEmpty)
        let port = reader.integer("port", default: 587, range: 1...65535)
        let starttls: SMTPConfig.StartTLS? = reader.choice("starttls", required: false)
        let username = reader.string("username", required: false, check: Self.nonEmpty)
        let passwordFile = reader.string("password_file", required: false, check: Self.nonEmpty)
        let from = reader.string("from", required: true) { value in
            value.contains("@") ? nil : "\"\(value)\" is not an e-mail address (expected \"Name <alerts@example.org>\")"
        }
        let caFile = reader.string("ca_file", required: false, check: Self.nonEmpty)
        reader.finish()
        if username != nil && passwordFile == nil {
            report(reader.line(of: "username"), "smtp.password_file", "username is set but password_file is not")
        }
        guard let host, let from else { return nil }
        return SMTPConfig(
            host: host, port: port, starttls: starttls ?? .required, username: username, passwordFile: passwordFile,
            from: from, caFile: caFile)
    }

    private func loadSMS(_ table: TOMLTable) -> SMSConfig? {
        var reader = reader(table, "sms")
        let baseURL = reader.string("base_url", required: false, check: Self.httpURL) ?? "https://api.twilio.com"
        let accountSID = reader.string("account_sid", required: true, check: Self.nonEmpty)
        let authTokenFile = reader.string("auth_token_file", required: true, check: Self.nonEmpty)
        let from = reader.string("from", required: true) { value in
            Self.isE164(value) ? nil : "\"\(value)\" is not an E.164 phone number (expected e.g. \"+15005550006\")"
        }
        let caFile = reader.string("ca_file", required: false, check: Self.nonEmpty)
        reader.finish()
        guard let accountSID, let authTokenFile, let from else { return nil }
        return SMSConfig(baseURL: baseURL, accountSID: accountSID, authTokenFile: authTokenFile, from: from, caFile: caFile)
    }

    private func loadFCM(_ table: TOMLTable) -> FCMConfig? {
        var reader = reader(table, "fcm")
        let file = reader.string("service_account_file", required: true, check: Self.nonEmpty)
        let baseURL = reader.string("base_url", required: false, check: Self.httpURL) ?? "https://fcm.googleapis.com"
        let caFile = reader.string("ca_file", required: false, check: Self.nonEmpty)
        reader.finish()
        guard let file else { return nil }
        return FCMConfig(serviceAccountFile: file, baseURL: baseURL, caFile: caFile)
    }

    private func loadWebPush(_ table: TOMLTable) -> WebPushConfig? {
        var reader = reader(table, "webpush")
        let keyFile = reader.string("vapid_private_key_file", required: true, check: Self.nonEmpty)
        let subject = reader.string("subject", required: true) { value in
            value.hasPrefix("mailto:") || value.hasPrefix("https://")
                ? nil : "\"\(value)\" is not a mailto: or https: contact (RFC 8292 asks for one)"
        }
        let caFile = reader.string("ca_file", required: false, check: Self.nonEmpty)
        reader.finish()
        guard let keyFile, let subject else { return nil }
        return WebPushConfig(vapidPrivateKeyFile: keyFile, subject: subject, caFile: caFile)
    }

    private func loadRules(_ table: TOMLTable?) -> RelayRulesConfig {
        var reader = reader(table, "rules")
        var rules = RelayRulesConfig()
        rules.delayThresholdMinutes = reader.integer("delay_threshold_minutes", default: 30, range: 1...1440)
        rules.delayStepMinutes = reader.integer("delay_step_minutes", default: 30, range: 1...1440)
        rules.gateHoldSeconds = reader.integer("gate_hold_seconds", default: 120, range: 0...3600)
        rules.gateWindowHours = reader.integer("gate_window_hours", default: 3, range: 1...48)
        rules.rateLimitPerHour = reader.integer("rate_limit_per_hour", default: 10, range: 1...3600)
        rules.rateLimitBurst = reader.optionalInteger("rate_limit_burst", range: 1...3600)
        reader.finish()
        return rules
    }

    private func loadDispatch(_ table: TOMLTable?) -> DispatchConfig {
        var reader = reader(table, "dispatch")
        var dispatch = DispatchConfig()
        dispatch.maxAttempts = reader.integer("max_attempts", default: 8, range: 1...100)
        dispatch.leaseSeconds = reader.integer("lease_seconds", default: 60, range: 5...3600)
        dispatch.concurrency = reader.integer("concurrency", default: 64, range: 1...1024)
        dispatch.instance = reader.string("instance", required: false, check: Self.nonEmpty)
        reader.finish()
        return dispatch
    }

    static func httpURL(_ value: String) -> String? {
        (value.hasPrefix("http://") || value.hasPrefix("https://")) && URL(string: value)?.host != nil
            ? nil : "\"\(value)\" is not an http(s) URL"
    }

    static func topicFilter(_ value: String) -> String? {
        value.isEmpty || value.contains("#") && !value.hasSuffix("#")
            ? "\"\(value)\" is not an MQTT topic filter (`#` may only end it)" : nil
    }

    static func isE164(_ value: String) -> Bool {
        value.hasPrefix("+") && (8...16).contains(value.count) && value.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
            && !value.dropFirst().hasPrefix("0")
    }

    /// `host:port` of `scheme://[user[:password]@]host:port[/path]`, nil when there is none.
    static func hostPort(ofURL url: String) -> HostPort? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var rest = url[schemeEnd.upperBound...]
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return try? HostPort(parsing: String(rest))
    }
}
