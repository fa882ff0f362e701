/// Reads and checks one `[[feeds]]` table: its keys, and what its transport needs and refuses.
struct FeedLoader {
    let loader: ConfigLoader
    let table: TOMLTable
    let index: Int

    private var path: String { "feeds[\(index)]" }

    func load() -> FeedConfig? {
        var reader = TableReader(table: table, path: path, section: "[[feeds]]", loader: loader)
        let name = reader.string("name", required: true) { value in
            !value.isEmpty
                && value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") })
                ? nil : "\"\(value)\" is not a feed name (lower-case letters, digits, '-' and '_': it names topics)"
        }
        let format: FeedFormat? = reader.choice("format", required: true)
        let transport: FeedTransport? = reader.choice("transport", required: true)
        let address = reader.hostPort("address", required: false)
        let filePath = reader.string("path", required: false, check: ConfigLoader.nonEmpty)
        let framing: Framing? = reader.choice("framing", required: false)
        let maxFrameBytes = reader.integer("max_frame_bytes", default: 1_048_576, range: 64...67_108_864)
        let precedence = reader.integer("precedence", default: 0, range: -1000...1000)
        let allow = reader.cidrs("allow")
        let staleAfter = reader.optionalInteger("stale_after", range: 1...604_800)
        let maxConnections = reader.integer("max_connections", default: 64, range: 1...10_000)
        let idleTimeout = reader.integer("idle_timeout", default: 300, range: 1...86_400)
        let tlsCAFile = reader.string("tls_ca_file", required: false, check: ConfigLoader.nonEmpty)
        let tlsCertFile = reader.string("tls_cert_file", required: false, check: ConfigLoader.nonEmpty)
        let tlsKeyFile = reader.string("tls_key_file", required: false, check: ConfigLoader.nonEmpty)
        let settle = reader.integer("settle_time", default: 0, range: 0...3600)
        let perPeer = reader.integer("max_connections_per_peer", default: 8, range: 1...10_000)
        let frameTimeout = reader.integer("frame_timeout", default: 60, range: 1...86_400)
        let options = reader.options("options")
        let pullKeys = PullKeys(reading: &reader)
        reader.finish()

        if let transport { check(transport, framing: framing) }
        var tls: FeedTLS?
        if tlsCAFile != nil || tlsCertFile != nil || tlsKeyFile != nil {
            tls = FeedTLS(caFile: tlsCAFile, certFile: tlsCertFile, keyFile: tlsKeyFile)
            if let transport { checkTLS(transport) }
        }
        let pull = transport.flatMap {
            pullKeys.settings(for: $0, format: format, options: options, table: table, path: path, loader: loader)
        }
        guard let name, let format, let transport else { return nil }
        var feed = FeedConfig(
            name: name, format: format, transport: transport, address: address, path: filePath, framing: framing,
            maxFrameBytes: maxFrameBytes, precedence: precedence, allow: allow, staleAfterSeconds: staleAfter,
            maxConnections: maxConnections, idleTimeoutSeconds: idleTimeout, tls: tls, options: options)
        feed.settleSeconds = settle
        feed.maxConnectionsPerPeer = perPeer
        feed.frameTimeoutSeconds = frameTimeout
        feed.pull = pull
        return feed
    }

    /// What TLS needs on each transport: a listener its certificate, a client its CA.
    private func checkTLS(_ transport: FeedTransport) {
        guard transport.isNetwork else {
            for key in ["tls_ca_file", "tls_cert_file", "tls_key_file"] {
                refuse(
                    key,
                    transport.isPull
                        ? "the tls_ keys are for TCP transports; transport \"\(transport.rawValue)\" checks its server with ca_file"
                        : "TLS is for TCP transports; transport \"\(transport.rawValue)\" has no connection")
            }
            return
        }
        if table["tls_cert_file"] != nil && table["tls_key_file"] == nil {
            loader.report(table["tls_cert_file"]!.line, "\(path).tls_cert_file", "a certificate needs its key: set tls_key_file too")
        }
        if table["tls_key_file"] != nil && table["tls_cert_file"] == nil {
            loader.report(table["tls_key_file"]!.line, "\(path).tls_key_file", "a key without its certificate: set tls_cert_file too")
        }
        if transport == .tcpListen && table["tls_cert_file"] == nil, let ca = table["tls_ca_file"] {
            loader.report(
                ca.line, "\(path).tls_ca_file",
                "a TLS listener needs its own certificate: set tls_cert_file and tls_key_file (tls_ca_file only checks the senders' certificates)")
        }
        if transport == .tcpConnect && table["tls_ca_file"] == nil, let cert = table["tls_cert_file"] {
            loader.report(
                cert.line, "\(path).tls_cert_file", "TLS to the sender needs the CA that signed its certificate: set tls_ca_file too")
        }
    }

    /// Reports what `transport` needs but is missing, and what is set but does nothing for it.
    private func check(_ transport: FeedTransport, framing: Framing?) {
        let name = "\"\(transport.rawValue)\""
        if transport.isPull {
            refuse("address", "transport \(name) fetches from its url or dsn, not an address")
            refuse("path", "transport \(name) fetches from its url or dsn, not a path")
            refuse("idle_timeout", "transport \(name) has timeout, not idle_timeout")
        } else if transport.isNetwork {
            if table["address"] == nil {
                loader.report(table.line, "\(path).address", "required for transport \(name)")
            }
            refuse("path", "transport \(name) takes an address, not a path")
        } else {
            if table["path"] == nil { loader.report(table.line, "\(path).path", "required for transport \(name)") }
            refuse("address", "transport \(name) takes a path, not an address")
            refuse("idle_timeout", "only TCP transports have connections to time out; remove idle_timeout")
        }
        if transport != .tcpListen {
            refuse("allow", "only a tcp-listen feed accepts connections; remove allow")
            refuse("max_connections", "only a tcp-listen feed accepts connections; remove max_connections")
            refuse(
                "max_connections_per_peer", "only a tcp-listen feed accepts connections; remove max_connections_per_peer")
            refuse("frame_timeout", "only a tcp-listen feed times out its senders' frames; remove frame_timeout")
        }
        if transport != .spoolDir {
            refuse("settle_time", "only a spool-dir feed waits for files to settle; remove settle_time")
        }
        if framing == .file && transport != .spoolDir && transport != .httpPoll && transport != .amqp {
            refuse("framing", "\"file\" framing (one frame per file) needs transport \"spool-dir\"")
        }
        if let framing, (transport == .amqp && framing != .file) || (transport == .sqlPoll && framing != .lf) {
            refuse("framing", "transport \(name) takes one frame per message or row; remove framing")
        }
    }

    private func refuse(_ key: String, _ message: String) {
        if let node = table[key] { loader.report(node.line, "\(path).\(key)", message) }
    }
}
