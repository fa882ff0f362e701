/// One `[[feeds]]` entry: where flight updates come from and how to read them (DESIGN.md §1, §9).
public struct FeedConfig: Sendable, Equatable {
    /// `name` (required): lower-case letters, digits, `-` and `_`; unique. It names topics,
    /// metrics, log lines and database rows.
    public var name: String
    /// `format` (required): `aidx`, `mvt`, `csv`, `jsonl`, or `sql` (`sql-poll` only).
    public var format: FeedFormat
    /// `transport` (required): `tcp-connect`, `tcp-listen`, `spool-dir`, `tail-file`, or a pull
    /// transport: `http-poll`, `amqp`, `sql-poll` (see ``pull``).
    public var transport: FeedTransport
    /// `address`: the peer to connect to (`tcp-connect`) or the address to listen on
    /// (`tcp-listen`); required by those two, refused by the others.
    public var address: HostPort?
    /// `path`: the folder (`spool-dir`) or file (`tail-file`); required by those two, refused
    /// by the others.
    public var path: String?
    /// `framing`: how frames are cut from the bytes; default ``Framing/default(for:format:)``
    /// (`lf` except for `aidx` and `mvt` files in a spool folder: `file`). `file` is for
    /// `spool-dir` only.
    public var framing: Framing
    /// `max_frame_bytes`: larger frames are rejected; 64 to 67108864, default 1048576.
    public var maxFrameBytes: Int
    /// `precedence`: a higher value wins a tie between feeds (same source time); -1000 to 1000,
    /// default 0.
    public var precedence: Int
    /// `allow` (`tcp-listen` only): networks peers may connect from; default loopback
    /// (`127.0.0.0/8`, `::1/128`).
    public var allow: [CIDR]
    /// `stale_after`: seconds the feed may be silent before `/healthz` reports 503; 1 to 604800,
    /// default none (never stale).
    public var staleAfterSeconds: Int?
    /// `max_connections` (`tcp-listen` only): concurrent senders; 1 to 10000, default 64.
    public var maxConnections: Int
    /// `idle_timeout` (TCP transports only): seconds a connection may stay silent before it is
    /// closed (and, for `tcp-connect`, re-opened); 1 to 86400, default 300.
    public var idleTimeoutSeconds: Int
    /// TLS on the feed's connections (`tcp-listen` and `tcp-connect` only); nil: plain TCP.
    public var tls: FeedTLS?
    /// `settle_time` (`spool-dir` only): seconds a file must have stayed unchanged before it is
    /// read, for senders that write in place instead of renaming a finished file; 0 to 3600,
    /// default 0 (the spool convention: write under a temporary name, then rename).
    public var settleSeconds: Int = 0
    /// `max_connections_per_peer` (`tcp-listen` only): connections one peer address may hold at
    /// once, so one host cannot take every slot; 1 to 10000, default 8.
    public var maxConnectionsPerPeer: Int = 8
    /// `frame_timeout` (`tcp-listen` only): seconds a connection may hold the start of a frame
    /// (or bytes outside any frame) without completing one before it is closed; one byte every
    /// few minutes no longer holds a slot. 1 to 86400, default 60.
    public var frameTimeoutSeconds: Int = 60
    /// `[feeds.options]`: format-specific settings for the decoder (CSV column mapping, delimiter,
    /// time format, status map…), kept as written.
    public var options: [String: ConfigValue]
    /// What a pull transport (`http-poll`, `amqp`, `sql-poll`) fetches; nil for the others.
    public var pull: FeedPull? = nil

    /// The `allow` list of a `tcp-listen` feed that has none: loopback only.
    public static let defaultAllow: [CIDR] = [CIDR.loopbackIPv4, CIDR.loopbackIPv6]

    /// A feed as the loader builds it; `framing` `nil` means the transport's default and `allow`
    /// `nil` means loopback for `tcp-listen`, none otherwise. Values are not validated here.
    public init(
        name: String, format: FeedFormat, transport: FeedTransport, address: HostPort? = nil, path: String? = nil,
        framing: Framing? = nil, maxFrameBytes: Int = 1_048_576, precedence: Int = 0, allow: [CIDR]? = nil,
        staleAfterSeconds: Int? = nil, maxConnections: Int = 64, idleTimeoutSeconds: Int = 300,
        tls: FeedTLS? = nil, options: [String: ConfigValue] = [:]
    ) {
        self.name = name
        self.format = format
        self.transport = transport
        self.address = address
        self.path = path
        self.framing = framing ?? Framing.default(for: transport, format: format)
        self.maxFrameBytes = maxFrameBytes
        self.precedence = precedence
        self.allow = allow ?? (transport == .tcpListen ? Self.defaultAllow : [])
        self.staleAfterSeconds = staleAfterSeconds
        self.maxConnections = maxConnections
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.tls = tls
        self.options = options
    }

    /// True when a peer at `ipAddress` may connect to this (`tcp-listen`) feed.
    public func allows(ipAddress: String) -> Bool {
        allow.contains { $0.contains(ipAddress: ipAddress) }
    }
}

/// TLS for a TCP feed, from `tls_cert_file`, `tls_key_file` and `tls_ca_file` (PEM files).
///
/// * `tcp-listen`: TLS is on when `tls_cert_file` (with `tls_key_file`) is set: our certificate
///   for the senders. With `tls_ca_file` as well, a sender must show a client certificate signed
///   by that CA (mutual TLS); without it, any sender on the `allow` list may connect.
/// * `tcp-connect`: TLS is on when `tls_ca_file` is set: the CA that signed the sender's
///   certificate, which must name the host (or IP address) of `address`. `tls_cert_file` and
///   `tls_key_file` add our client certificate when the sender asks for one.
public struct FeedTLS: Sendable, Equatable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}

/// A feed's message format (DESIGN.md §9).
public enum FeedFormat: String, Sendable, CaseIterable {
    /// IATA AIDX XML.
    case aidx
    /// IATA Type B movement messages.
    case mvt
    /// A delimited FIDS export, mapped by `[feeds.options]`.
    case csv
    /// The normalized update, one JSON object per line.
    case jsonl
    /// The rows of a `sql-poll` query, mapped by `[feeds.options]` as `csv` maps its columns.
    case sql
}

/// How a feed's bytes arrive.
public enum FeedTransport: String, Sendable, CaseIterable {
    /// We connect to `address` and reconnect when the link drops.
    case tcpConnect = "tcp-connect"
    /// Senders connect to us on `address`, if `allow` lets them.
    case tcpListen = "tcp-listen"
    /// Files dropped in the folder `path`, each read once, then moved to `done/` or `rejected/`.
    case spoolDir = "spool-dir"
    /// A file at `path` that grows, read as it is written.
    case tailFile = "tail-file"
    /// We request `url` every `interval` (conditional requests; a response is a frame).
    case httpPoll = "http-poll"
    /// We consume `queue` at the AMQP 0-9-1 broker of `url`, acknowledging after commit.
    case amqp
    /// We run `query` through ODBC every `interval` from the cursor kept in `feed_checkpoints`.
    case sqlPoll = "sql-poll"

    /// True for the transports that take an `address`; the others take a `path`.
    public var isNetwork: Bool { self == .tcpConnect || self == .tcpListen }
}

/// How frames are cut from a feed's bytes.
public enum Framing: String, Sendable, CaseIterable {
    /// One frame per line (LF, CR LF tolerated).
    case lf
    /// Each frame between STX (0x02) and ETX (0x03).
    case stxEtx = "stx-etx"
    /// Each frame after its length as a 4-byte big-endian integer.
    case lengthPrefix = "length-prefix"
    /// One frame per file (`spool-dir`), per response (`http-poll`) or per message (`amqp`).
    case file

    /// The framing of a feed that names none: `file` for `aidx` and `mvt` in a spool folder (a
    /// file is one message), `lf` for everything else, `jsonl` and `csv` files included (a file
    /// holds many lines, each a frame, so one bad line is rejected alone, not the whole file).
    public static func `default`(for transport: FeedTransport, format: FeedFormat) -> Framing {
        switch (transport, format) {
        case (.spoolDir, .aidx), (.spoolDir, .mvt): .file
        // An http-poll response of aidx or mvt is one message; an amqp message is one frame.
        case (.httpPoll, .aidx), (.httpPoll, .mvt), (.amqp, _): .file
        default: .lf
        }
    }
}
