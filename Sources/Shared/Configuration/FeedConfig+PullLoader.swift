import Foundation

/// The keys of the pull transports (`http-poll`, `amqp`, `sql-poll`), read from a `[[feeds]]`
/// table before its unknown keys are reported, then checked against the feed's transport.
struct PullKeys {
    /// Each pull key and the transports that take it.
    static let takenBy: [(key: String, transports: [FeedTransport])] = [
        ("url", [.httpPoll, .amqp]), ("urls", [.amqp]), ("interval", [.httpPoll, .sqlPoll]), ("method", [.httpPoll]),
        ("body_file", [.httpPoll]), ("headers", [.httpPoll]), ("username", [.httpPoll]),
        ("password_file", [.httpPoll, .amqp, .sqlPoll]), ("token_file", [.httpPoll]), ("ca_file", [.httpPoll, .amqp]),
        ("timeout", [.httpPoll, .sqlPoll]), ("max_backoff", [.httpPoll]), ("queue", [.amqp]), ("prefetch", [.amqp]),
        ("dsn", [.sqlPoll]), ("query", [.sqlPoll]), ("cursor_column", [.sqlPoll]), ("cursor_start", [.sqlPoll]),
    ]

    var url: String?
    var urls: [String]?
    var interval: Duration?
    var method: HTTPPollMethod?
    var bodyFile: String?
    var headers: [String: String] = [:]
    var username: String?
    var passwordFile: String?
    var tokenFile: String?
    var caFile: String?
    var timeout: Duration?
    var maxBackoff: Duration?
    var queue: String?
    var prefetch: Int?
    var dsn: String?
    var query: String?
    var cursorColumn: String?
    var cursorStart: String?

    /// Reads every pull key, so that none is reported as unknown; types and ranges are checked here.
    init(reading reader: inout TableReader) {
        let nonEmpty = ConfigLoader.nonEmpty
        url = reader.string("url", required: false, check: nonEmpty)
        urls = reader.strings("urls", example: #"["amqps://flightedge@node1:5671/aodb", "amqps://flightedge@node2:5671/aodb"]"#)
        interval = reader.duration("interval", range: .milliseconds(100)...(.seconds(86_400)))
        method = reader.choice("method", required: false)
        bodyFile = reader.string("body_file", required: false, check: nonEmpty)
        headers = reader.headers("headers")
        username = reader.string("username", required: false, check: nonEmpty)
        passwordFile = reader.string("password_file", required: false, check: nonEmpty)
        tokenFile = reader.string("token_file", required: false, check: nonEmpty)
        caFile = reader.string("ca_file", required: false, check: nonEmpty)
        timeout = reader.duration("timeout", range: .seconds(1)...(.seconds(600)))
        maxBackoff = reader.duration("max_backoff", range: .seconds(1)...(.seconds(3600)))
        queue = reader.string("queue", required: false, check: nonEmpty)
        prefetch = reader.optionalInteger("prefetch", range: 1...65_535)
        dsn = reader.string("dsn", required: false, check: Self.dsnProblem)
        query = reader.string("query", required: false, check: Self.queryProblem)
        cursorColumn = reader.string("cursor_column", required: false, check: nonEmpty)
        cursorStart = reader.string("cursor_start", required: false)
    }

    /// The settings of `transport` (nil for push transports, or when a required key is missing or
    /// wrong), after reporting the keys it lacks and the ones it does not use.
    func settings(
        for transport: FeedTransport, format: FeedFormat?, options: [String: ConfigValue], table: TOMLTable,
        path: String, loader: ConfigLoader
    ) -> FeedPull? {
        func report(_ key: String, _ message: String) {
            loader.report(table[key]?.line ?? table.line, "\(path).\(key)", message)
        }
        for (key, transports) in Self.takenBy where table[key] != nil && !transports.contains(transport) {
            let takers = transports.map { "\"\($0.rawValue)\"" }.joined(separator: " and ")
            report(key, "transport \"\(transport.rawValue)\" does not use \(key) (only \(takers))")
        }
        if format == .sql && transport != .sqlPoll {
            report("format", "format \"sql\" is the rows of a database query: it needs transport \"sql-poll\"")
        }
        guard transport.isPull else { return nil }
        // An amqp feed's `urls` stands for its `url`.
        for key in Self.takenBy.map(\.key)
        where Self.requires(transport, key) && table[key] == nil && !(key == "url" && table["urls"] != nil) {
            loader.report(table.line, "\(path).\(key)", "required for transport \"\(transport.rawValue)\"")
        }
        switch transport {
        case .httpPoll: return http(report: report).map(FeedPull.http)
        case .amqp: return amqp(report: report).map(FeedPull.amqp)
        case .sqlPoll:
            if let format, format != .sql {
                report("format", "transport \"sql-poll\" reads rows: set format = \"sql\" and map the columns in [feeds.options]")
            }
            return sql(options: options, report: report).map(FeedPull.sql)
        case .tcpConnect, .tcpListen, .spoolDir, .tailFile: return nil
        }
    }

    private static func requires(_ transport: FeedTransport, _ key: String) -> Bool {
        switch transport {
        case .httpPoll: key == "url"
        case .amqp: key == "url" || key == "queue"
        case .sqlPoll: key == "dsn" || key == "query" || key == "cursor_column"
        case .tcpConnect, .tcpListen, .spoolDir, .tailFile: false
        }
    }

    private func http(report: (String, String) -> Void) -> HTTPPollSettings? {
        if let url, let problem = Self.urlProblem(url, schemes: ["http", "https"]) { report("url", problem) }
        let method = method ?? .get
        if method == .post && bodyFile == nil { report("method", "POST sends the body of body_file: set body_file too") }
        if method == .get && bodyFile != nil { report("body_file", "a GET has no body: set method = \"POST\" to send it") }
        if let caFile, url?.lowercased().hasPrefix("https://") == false {
            report("ca_file", "\(caFile) checks a server's certificate: the url must start with https://")
        }
        var auth = HTTPPollAuth.none
        switch (username, passwordFile, tokenFile) {
        case (nil, nil, nil): break
        case (let user?, let password?, nil): auth = .basic(username: user, passwordFile: password)
        case (nil, nil, let token?): auth = .bearer(tokenFile: token)
        case (_, _, .some): report("token_file", "Bearer (token_file) and Basic (username, password_file) exclude each other")
        case (nil, .some, nil): report("password_file", "HTTP Basic needs a user name: set username too")
        case (.some, nil, nil): report("username", "HTTP Basic needs a password: set password_file too")
        }
        guard let url, Self.urlProblem(url, schemes: ["http", "https"]) == nil else { return nil }
        return HTTPPollSettings(
            url: url, interval: interval ?? .seconds(30), method: method, bodyFile: bodyFile, headers: headers, auth: auth,
            caFile: caFile, timeout: timeout ?? .seconds(30), maxBackoff: maxBackoff ?? .seconds(300))
    }

    private func amqp(report: (String, String) -> Void) -> AMQPFeedSettings? {
        // `url` (the contract's, one node) or `urls` (every node of a cluster, tried in order).
        let nodes: [(key: String, url: String)]
        switch (url, urls) {
        case (let url?, nil): nodes = [("url", url)]
        case (nil, let urls?): nodes = urls.enumerated().map { ("urls[\($0.offset)]", $0.element) }
        case (.some, .some):
            report("urls", "give the broker as url (one node) or as urls (every node of the cluster), not both")
            return nil
        case (nil, nil): return nil  // reported as a required key
        }
        var valid = true
        for (key, url) in nodes {
            if let problem = Self.urlProblem(url, schemes: ["amqp", "amqps"]) {
                report(key, problem)
                valid = false
            } else if let caFile, !url.lowercased().hasPrefix("amqps://") {
                report("ca_file", "\(caFile) checks the broker's certificate: \(key) must start with amqps://")
            }
        }
        guard valid, let queue else { return nil }
        return AMQPFeedSettings(
            urls: nodes.map(\.url), passwordFile: passwordFile, caFile: caFile, queue: queue, prefetch: prefetch ?? 500)
    }

    private func sql(options: [String: ConfigValue], report: (String, String) -> Void) -> SQLPollSettings? {
        var columns: Set<String> = []
        for (field, column) in options["columns"]?.table ?? [:] {
            if let name = column.string, !name.isEmpty {
                columns.insert(name)
            } else {
                report("options", "options.columns.\(field): a query's columns are named: write the result column's name")
            }
        }
        guard let dsn, let query, let cursorColumn else { return nil }
        return SQLPollSettings(
            dsn: dsn, passwordFile: passwordFile, query: query, cursorColumn: cursorColumn,
            cursorStart: cursorStart ?? "1970-01-01 00:00:00", interval: interval ?? .seconds(5),
            timeout: timeout ?? .seconds(30), columns: columns.sorted())
    }

    /// What is wrong with `text` as a URL of one of `schemes`, or nil.
    static func urlProblem(_ text: String, schemes: [String]) -> String? {
        let expected = schemes.map { "\($0)://" }.joined(separator: " or ")
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            schemes.contains(scheme)
        else { return "\"\(text)\" is not a URL starting with \(expected)" }
        guard let host = components.host, !host.isEmpty else { return "\"\(text)\" names no host" }
        if components.password != nil {
            return "a password never goes in this file: remove it from the url and write it to the file named by password_file"
        }
        return nil
    }

    private static func dsnProblem(_ dsn: String) -> String? {
        if dsn.isEmpty { return "must not be empty" }
        let keys = dsn.split(separator: ";").compactMap { $0.split(separator: "=", maxSplits: 1).first }
        if keys.contains(where: { ["pwd", "password"].contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }) {
            return "a password never goes in this file: remove PWD from the dsn and name a file in password_file"
        }
        return nil
    }

    /// The query needs exactly one `?` (outside quotes): the cursor.
    private static func queryProblem(_ query: String) -> String? {
        var markers = 0
        var quote: Character?
        for character in query {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "?" {
                markers += 1
            }
        }
        return markers == 1
            ? nil : "needs exactly one ? (the cursor, e.g. WHERE changed_at > ? ORDER BY changed_at); found \(markers)"
    }
}
