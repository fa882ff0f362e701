/// What a pull feed (`http-poll`, `amqp`, `sql-poll`) fetches and how, from its `[[feeds]]` keys
/// (DESIGN.md "Pull transports"). The loader builds exactly the case that matches the feed's
/// transport, so `feed.httpPoll` is non-nil for every `http-poll` feed, and so on.
public enum FeedPull: Sendable, Equatable {
    case http(HTTPPollSettings)
    case amqp(AMQPFeedSettings)
    case sql(SQLPollSettings)
}

extension FeedTransport {
    /// True for the transports that fetch from a server instead of receiving bytes.
    public var isPull: Bool { self == .httpPoll || self == .amqp || self == .sqlPoll }
}

extension FeedConfig {
    /// The settings of an `http-poll` feed; nil for other transports.
    public var httpPoll: HTTPPollSettings? {
        if case .http(let settings) = pull { settings } else { nil }
    }

    /// The settings of an `amqp` feed; nil for other transports.
    public var amqp: AMQPFeedSettings? {
        if case .amqp(let settings) = pull { settings } else { nil }
    }

    /// The settings of a `sql-poll` feed; nil for other transports.
    public var sqlPoll: SQLPollSettings? {
        if case .sql(let settings) = pull { settings } else { nil }
    }

    /// The secret files a pull feed reads, each with its key (`password_file`, `token_file`):
    /// the files `check-config` warns about when every user can read them.
    public var pullSecretFiles: [(key: String, path: String)] {
        switch pull {
        case .http(let settings):
            switch settings.auth {
            case .none: []
            case .basic(_, let passwordFile): [("password_file", passwordFile)]
            case .bearer(let tokenFile): [("token_file", tokenFile)]
            }
        case .amqp(let settings): settings.passwordFile.map { [("password_file", $0)] } ?? []
        case .sql(let settings): settings.passwordFile.map { [("password_file", $0)] } ?? []
        case nil: []
        }
    }
}

/// How an `http-poll` feed asks: either nothing, HTTP Basic, or a Bearer token.
public enum HTTPPollAuth: Sendable, Equatable {
    case none
    /// `username` with the password read from `password_file`.
    case basic(username: String, passwordFile: String)
    /// The token read from `token_file` (one trailing newline removed).
    case bearer(tokenFile: String)
}

/// An `http-poll` feed: one request every `interval`, the response body a frame (or split by
/// `framing` for `csv` and `jsonl`).
public struct HTTPPollSettings: Sendable, Equatable {
    /// `url` (required): `http://` or `https://`, with a host.
    public var url: String
    /// `interval`: from the end of one poll to the next request; 100ms to 1 day, default 30s.
    public var interval: Duration
    /// `method`: `GET` (default) or `POST` (which needs `body_file`).
    public var method: HTTPPollMethod
    /// `body_file`: the POST body, e.g. a SOAP-wrapped AIDX `FlightLegRQ`; read at start.
    public var bodyFile: String?
    /// `headers`: extra request headers, e.g. `{ SOAPAction = "FlightLegRQ" }`. The ones the
    /// poller owns (`Authorization`, `If-None-Match`, `If-Modified-Since`, `Host`,
    /// `Content-Length`) are refused.
    public var headers: [String: String]
    /// `username` + `password_file` (Basic) or `token_file` (Bearer); at most one of the two.
    public var auth: HTTPPollAuth
    /// `ca_file`: the PEM CA that signed the server's certificate (`https://` only); default the
    /// system's trust roots.
    public var caFile: String?
    /// `timeout` (extension): the whole request, connect to last byte; 1s to 10m, default 30s.
    public var timeout: Duration
    /// `max_backoff` (extension): the longest wait after repeated errors; 1s to 1h, default 5m.
    public var maxBackoff: Duration

    public init(
        url: String, interval: Duration = .seconds(30), method: HTTPPollMethod = .get, bodyFile: String? = nil,
        headers: [String: String] = [:], auth: HTTPPollAuth = .none, caFile: String? = nil,
        timeout: Duration = .seconds(30), maxBackoff: Duration = .seconds(300)
    ) {
        self.url = url
        self.interval = interval
        self.method = method
        self.bodyFile = bodyFile
        self.headers = headers
        self.auth = auth
        self.caFile = caFile
        self.timeout = timeout
        self.maxBackoff = maxBackoff
    }
}

/// The request method of an `http-poll` feed.
public enum HTTPPollMethod: String, Sendable, CaseIterable {
    case get = "GET"
    case post = "POST"
}

/// An `amqp` feed: consumes `queue`, acknowledging a message once the batch holding it committed.
public struct AMQPFeedSettings: Sendable, Equatable {
    /// `url` (one node) or `urls` (extension: every node of a cluster, tried in order; after a
    /// lost connection the next one first): `amqp://user@host:port/vhost` or `amqps://…`; no
    /// password in them. One of the two is required.
    public var urls: [String]
    /// The first node: the contract's `url`.
    public var url: String { urls[0] }
    /// `password_file`: the broker password; default none (the URL's user without a password).
    public var passwordFile: String?
    /// `ca_file`: the PEM CA of the broker's certificate (`amqps://` only).
    public var caFile: String?
    /// `queue` (required): the queue the AODB publishes to; it must exist (it is not declared).
    public var queue: String
    /// `prefetch` (extension): unacknowledged messages the broker may send ahead; 1 to 65535,
    /// default 500. Messages wait for their batch's commit, so this bounds one batch.
    public var prefetch: Int

    /// - Parameter urls: at least one.
    public init(urls: [String], passwordFile: String? = nil, caFile: String? = nil, queue: String, prefetch: Int = 500) {
        precondition(!urls.isEmpty, "an amqp feed has at least one url")
        self.urls = urls
        self.passwordFile = passwordFile
        self.caFile = caFile
        self.queue = queue
        self.prefetch = prefetch
    }
}

/// A `sql-poll` feed (`format = "sql"`): runs `query` every `interval` through ODBC, binding the
/// last committed value of `cursor_column` to its one `?`.
///
/// The rows map to update fields as a `csv` feed maps its columns: `[feeds.options] columns`
/// names, for each normalized field, the result column (by name) that holds it, with the csv
/// options `direction`, `timezone`, `time_format`, `date_format`, `status_map` and `empty`.
/// ``columns`` lists the result columns the mapping reads; a row becomes one frame, a CSV line
/// of those columns in that order (``csvLine(_:)``), NULL as an empty cell, which csv reads as
/// absent.
public struct SQLPollSettings: Sendable, Equatable {
    /// `dsn` (required): the ODBC connection string (`Driver=…;Server=…;Database=…;UID=…`) or a
    /// DSN name of odbc.ini; the password never goes in it.
    public var dsn: String
    /// `password_file`: appended to the connection string as `PWD`.
    public var passwordFile: String?
    /// `query` (required): a SELECT with exactly one `?`, the cursor, ordered by the cursor.
    public var query: String
    /// `cursor_column` (required): the result column whose value of the last committed row is
    /// bound to `?` on the next poll and kept in `feed_checkpoints`.
    public var cursorColumn: String
    /// `cursor_start` (extension): the value bound before any checkpoint exists; default
    /// `1970-01-01 00:00:00`.
    public var cursorStart: String
    /// `interval`: from the end of one poll to the next query; 100ms to 1 day, default 5s.
    public var interval: Duration
    /// `timeout` (extension): one query; 1s to 10m, default 30s.
    public var timeout: Duration
    /// The result columns the `[feeds.options] columns` mapping reads, sorted, each once.
    public var columns: [String]

    public init(
        dsn: String, passwordFile: String? = nil, query: String, cursorColumn: String,
        cursorStart: String = "1970-01-01 00:00:00", interval: Duration = .seconds(5), timeout: Duration = .seconds(30),
        columns: [String]
    ) {
        self.dsn = dsn
        self.passwordFile = passwordFile
        self.query = query
        self.cursorColumn = cursorColumn
        self.cursorStart = cursorStart
        self.interval = interval
        self.timeout = timeout
        self.columns = columns
    }

    /// One row as the frame the `sql` decoder reads: the values of ``columns`` in order, each
    /// quoted, NULL (nil) as an empty cell. `row` is looked up by column name.
    public func csvLine(_ row: [String: String?]) -> [UInt8] {
        var line: [UInt8] = []
        for (index, column) in columns.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            guard let value = row[column] ?? nil else { continue }
            line.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") { line.append(byte) }
                line.append(byte == 0x0A || byte == 0x0D ? UInt8(ascii: " ") : byte)
            }
            line.append(UInt8(ascii: "\""))
        }
        return line
    }

    /// The csv decoder's options for these rows: the feed's `[feeds.options]` with `header` set
    /// to ``columns`` (and the default delimiter and quote), so `columns` maps names.
    public func csvOptions(from options: [String: ConfigValue]) -> [String: ConfigValue] {
        var options = options
        options["header"] = .strings(columns)
        options["delimiter"] = nil
        options["quote"] = nil
        return options
    }
}
