extension FeedConfig {
    /// The pull transport's keys as `check-config` prints them (no secret is in them: passwords
    /// live in the files named).
    var pullLines: [String] {
        var lines: [String] = []
        func add(_ key: String, _ value: String?) {
            if let value { lines.append("\(key) = \(TOMLText.quoted(value))") }
        }
        func add(_ key: String, _ value: Duration) { add(key, TableReader.text(value)) }
        switch pull {
        case .http(let http):
            add("url", http.url)
            add("interval", http.interval)
            add("method", http.method.rawValue)
            add("body_file", http.bodyFile)
            if !http.headers.isEmpty {
                let entries = http.headers.sorted { $0.key < $1.key }.map { "\(TOMLText.key($0.key)) = \(TOMLText.quoted($0.value))" }
                lines.append("headers = { \(entries.joined(separator: ", ")) }")
            }
            switch http.auth {
            case .none: break
            case .basic(let username, let passwordFile):
                add("username", username)
                add("password_file", passwordFile)
            case .bearer(let tokenFile): add("token_file", tokenFile)
            }
            add("ca_file", http.caFile)
            add("timeout", http.timeout)
            add("max_backoff", http.maxBackoff)
        case .amqp(let amqp):
            if amqp.urls.count == 1 {
                add("url", amqp.url)
            } else {
                lines.append("urls = [\(amqp.urls.map(TOMLText.quoted).joined(separator: ", "))]")
            }
            add("password_file", amqp.passwordFile)
            add("ca_file", amqp.caFile)
            add("queue", amqp.queue)
            lines.append("prefetch = \(amqp.prefetch)")
        case .sql(let sql):
            add("dsn", sql.dsn)
            add("password_file", sql.passwordFile)
            add("query", sql.query)
            add("cursor_column", sql.cursorColumn)
            add("cursor_start", sql.cursorStart)
            add("interval", sql.interval)
            add("timeout", sql.timeout)
        case nil: break
        }
        return lines
    }
}
