import Configuration
import Testing

/// The `[[feeds]]` keys of the pull transports (`http-poll`, `amqp`, `sql-poll`): what each one
/// builds, and the exact message for each mistake.
@Suite struct PullFeedConfigurationTests {
    private func feeds(_ block: String) throws -> [FeedConfig] {
        try GatewayConfig.parse(minimal(plus: block), source: "test.toml").feeds
    }

    @Test func theContractsThreeFeedsLoadWithTheirSettings() throws {
        let loaded = try feeds(
            """
            [[feeds]]
            name = "aodb-api"
            format = "aidx"
            transport = "http-poll"
            url = "https://aodb.example/flights"
            interval = "30s"
            method = "POST"
            body_file = "/etc/flightedge/flightlegrq.xml"
            headers = { SOAPAction = "FlightLegRQ" }
            username = "flightedge"
            password_file = "/etc/flightedge/aodb.password"
            ca_file = "/etc/flightedge/aodb-ca.pem"

            [[feeds]]
            name = "aodb-queue"
            format = "aidx"
            transport = "amqp"
            url = "amqp://flightedge@aodb.example:5671/aodb"
            password_file = "/etc/flightedge/aodb-amqp.password"
            queue = "fids.aidx"

            [[feeds]]
            name = "aodb-view"
            format = "sql"
            transport = "sql-poll"
            dsn = "Driver=PostgreSQL Unicode;Server=aodb.example;Database=aodb;UID=fids"
            password_file = "/etc/flightedge/aodb-db.password"
            query = "SELECT * FROM fids_departures WHERE changed_at > ? ORDER BY changed_at"
            cursor_column = "changed_at"
            interval = "5s"
            [feeds.options]
            columns = { flight = "flight_no", scheduled = "std", gate = "gate", status = "std" }
            direction = "departure"
            """)
        #expect(loaded.count == 3)
        let http = try #require(loaded[0].httpPoll)
        #expect(http.url == "https://aodb.example/flights")
        #expect(http.interval == .seconds(30) && http.method == .post)
        #expect(http.bodyFile == "/etc/flightedge/flightlegrq.xml")
        #expect(http.headers == ["SOAPAction": "FlightLegRQ"])
        #expect(http.auth == .basic(username: "flightedge", passwordFile: "/etc/flightedge/aodb.password"))
        #expect(http.caFile == "/etc/flightedge/aodb-ca.pem")
        #expect(http.timeout == .seconds(30) && http.maxBackoff == .seconds(300))
        #expect(loaded[0].framing == .file, "an aidx response is one frame")
        #expect(loaded[0].amqp == nil && loaded[0].sqlPoll == nil)

        let amqp = try #require(loaded[1].amqp)
        #expect(amqp.url == "amqp://flightedge@aodb.example:5671/aodb" && amqp.queue == "fids.aidx")
        #expect(amqp.passwordFile == "/etc/flightedge/aodb-amqp.password" && amqp.prefetch == 500)

        let sql = try #require(loaded[2].sqlPoll)
        #expect(sql.cursorColumn == "changed_at" && sql.interval == .seconds(5))
        #expect(sql.cursorStart == "1970-01-01 00:00:00")
        #expect(sql.columns == ["flight_no", "gate", "std"], "each mapped column once, sorted")
        #expect(String(decoding: sql.csvLine(["flight_no": "LX 1", "gate": nil, "std": "a\"b"]), as: UTF8.self) == "\"LX 1\",,\"a\"\"b\"")
    }

    @Test func checkConfigPrintsThePullKeysAndThePrintoutLoadsAgain() throws {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "api"
                format = "aidx"
                transport = "http-poll"
                url = "https://aodb.example/flights"
                interval = "1500ms"
                method = "POST"
                body_file = "/rq.xml"
                headers = { SOAPAction = "FlightLegRQ", "X-Site" = "ZRH" }
                token_file = "/token"
                ca_file = "/ca.pem"

                [[feeds]]
                name = "queue"
                format = "aidx"
                transport = "amqp"
                url = "amqps://fids@broker/aodb"
                queue = "fids.aidx"
                ca_file = "/ca.pem"
                prefetch = 50

                [[feeds]]
                name = "view"
                format = "sql"
                transport = "sql-poll"
                dsn = "DSN=aodb"
                query = "SELECT * FROM v WHERE t > ? ORDER BY t"
                cursor_column = "t"
                cursor_start = "2026-01-01 00:00:00"
                [feeds.options]
                columns = { flight = "flight_no" }
                """)
        let loaded = try GatewayConfig.parse(text, source: "test.toml")
        let printed = loaded.redacted()
        #expect(printed.contains(#"headers = { SOAPAction = "FlightLegRQ", X-Site = "ZRH" }"#))
        #expect(printed.contains(#"interval = "1500ms""#) && printed.contains(#"token_file = "/token""#))
        let again = try GatewayConfig.parse(printed, source: "printed.toml")
        #expect(again.feeds == loaded.feeds)
    }

    @Test func defaultsOfAnHTTPPollFeed() throws {
        let feed = try #require(
            feeds("[[feeds]]\nname = \"a\"\nformat = \"jsonl\"\ntransport = \"http-poll\"\nurl = \"http://127.0.0.1:8080/x\"\ntoken_file = \"/t\"\ninterval = \"200ms\"")
                .first)
        let http = try #require(feed.httpPoll)
        #expect(http.method == .get && http.interval == .milliseconds(200) && http.auth == .bearer(tokenFile: "/t"))
        #expect(feed.framing == .lf, "jsonl responses split by lines")
    }

    @Test func missingKeysAreNamedForEachTransport() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "aidx"
                transport = "http-poll"

                [[feeds]]
                name = "b"
                format = "aidx"
                transport = "amqp"

                [[feeds]]
                name = "c"
                format = "sql"
                transport = "sql-poll"
                """)
        #expect(
            problems(text) == [
                "test.toml:10: feeds[0].url: required for transport \"http-poll\"",
                "test.toml:15: feeds[1].url: required for transport \"amqp\"",
                "test.toml:15: feeds[1].queue: required for transport \"amqp\"",
                "test.toml:20: feeds[2].dsn: required for transport \"sql-poll\"",
                "test.toml:20: feeds[2].query: required for transport \"sql-poll\"",
                "test.toml:20: feeds[2].cursor_column: required for transport \"sql-poll\"",
            ])
    }

    @Test func httpPollMistakesSayWhatToDo() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "aidx"
                transport = "http-poll"
                url = "ftp://aodb.example/x"
                interval = "10ms"
                method = "POST"
                headers = { Authorization = "Basic x", "bad name" = "v" }
                password_file = "/p"
                ca_file = "/ca.pem"
                timeout = "soon"
                queue = "q"
                address = "127.0.0.1:1"
                """)
        #expect(
            problems(text) == [
                "test.toml:14: feeds[0].url: \"ftp://aodb.example/x\" is not a URL starting with http:// or https://",
                "test.toml:15: feeds[0].interval: 10ms is out of range (100ms to 86400s)",
                "test.toml:16: feeds[0].method: POST sends the body of body_file: set body_file too",
                "test.toml:17: feeds[0].headers.Authorization: the poller sets Authorization itself (auth keys, conditional requests)",
                "test.toml:17: feeds[0].headers.bad name: \"bad name\" is not an HTTP header name",
                "test.toml:18: feeds[0].password_file: HTTP Basic needs a user name: set username too",
                "test.toml:19: feeds[0].ca_file: /ca.pem checks a server's certificate: the url must start with https://",
                "test.toml:20: feeds[0].timeout: expected a duration such as \"200ms\", \"30s\", \"5m\" or \"1h\"",
                "test.toml:21: feeds[0].queue: transport \"http-poll\" does not use queue (only \"amqp\")",
                "test.toml:22: feeds[0].address: transport \"http-poll\" fetches from its url or dsn, not an address",
            ])
    }

    @Test func aPasswordNeverGoesInAURLOrADSN() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "q"
                format = "aidx"
                transport = "amqp"
                url = "amqp://fids:secret@broker/aodb"
                queue = "fids"
                framing = "lf"

                [[feeds]]
                name = "v"
                format = "sql"
                transport = "sql-poll"
                dsn = "Driver=PostgreSQL;Server=db;PWD=secret"
                query = "SELECT * FROM v WHERE a > ? AND b = '?' AND c < ?"
                cursor_column = "a"
                """)
        #expect(
            problems(text) == [
                "test.toml:14: feeds[0].url: a password never goes in this file: remove it from the url and write it to the file named by password_file",
                "test.toml:16: feeds[0].framing: transport \"amqp\" takes one frame per message or row; remove framing",
                "test.toml:22: feeds[1].dsn: a password never goes in this file: remove PWD from the dsn and name a file in password_file",
                "test.toml:23: feeds[1].query: needs exactly one ? (the cursor, e.g. WHERE changed_at > ? ORDER BY changed_at); found 2",
            ])
    }

    @Test func sqlFormatAndSQLPollGoTogether() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "sql"
                transport = "spool-dir"
                path = "/x"
                dsn = "DSN=aodb"

                [[feeds]]
                name = "b"
                format = "csv"
                transport = "sql-poll"
                dsn = "DSN=aodb"
                query = "SELECT * FROM v WHERE t > ?"
                cursor_column = "t"
                [feeds.options]
                columns = { flight = 1 }
                """)
        #expect(
            problems(text) == [
                "test.toml:12: feeds[0].format: format \"sql\" is the rows of a database query: it needs transport \"sql-poll\"",
                "test.toml:15: feeds[0].dsn: transport \"spool-dir\" does not use dsn (only \"sql-poll\")",
                "test.toml:19: feeds[1].format: transport \"sql-poll\" reads rows: set format = \"sql\" and map the columns in [feeds.options]",
                "test.toml:24: feeds[1].options: options.columns.flight: a query's columns are named: write the result column's name",
            ])
    }

    @Test func pushTransportsRefusePullKeys() {
        let text = minimal(plus: "[[feeds]]\nname = \"a\"\nformat = \"aidx\"\ntransport = \"tail-file\"\npath = \"/x\"\nurl = \"http://x/\"\ninterval = 5")
        #expect(
            problems(text) == [
                "test.toml:15: feeds[0].url: transport \"tail-file\" does not use url (only \"http-poll\" and \"amqp\")",
                "test.toml:16: feeds[0].interval: transport \"tail-file\" does not use interval (only \"http-poll\" and \"sql-poll\")",
            ])
    }
}

/// An amqp feed's `urls`: every node of a RabbitMQ cluster, as the relay takes them (issue 19's
/// leftover: one URL, no failover).
@Suite struct AMQPFeedURLsConfigurationTests {
    @Test func urlsListEveryNodeInOrderAndAreCheckedOneByOne() throws {
        let config = try GatewayConfig.parse(
            minimal(
                plus: """
                    [[feeds]]
                    name = "aodb-queue"
                    format = "aidx"
                    transport = "amqp"
                    urls = ["amqps://flightedge@mq1.aodb.example:5671/aodb", "amqps://flightedge@mq2.aodb.example:5671/aodb"]
                    ca_file = "/etc/flightedge/aodb-ca.pem"
                    queue = "fids.aidx"
                    """), source: "test.toml")
        let amqp = try #require(config.feeds.first?.amqp)
        #expect(amqp.urls == ["amqps://flightedge@mq1.aodb.example:5671/aodb", "amqps://flightedge@mq2.aodb.example:5671/aodb"])
        #expect(amqp.url == "amqps://flightedge@mq1.aodb.example:5671/aodb")
        // check-config's printout says both nodes and loads again.
        let printed = config.redacted()
        #expect(printed.contains(#"urls = ["amqps://flightedge@mq1.aodb.example:5671/aodb", "amqps://flightedge@mq2.aodb.example:5671/aodb"]"#), "\(printed)")
        #expect(try GatewayConfig.parse(printed, source: "printed.toml").feeds.first?.amqp == amqp)
    }

    @Test func urlAndUrlsExcludeEachOtherAndEachNodeIsNamedByItsIndex() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "aidx"
                transport = "amqp"
                url = "amqp://fids@mq1/aodb"
                urls = ["amqp://fids@mq1/aodb", "amqp://fids@mq2/aodb"]
                queue = "q"

                [[feeds]]
                name = "b"
                format = "aidx"
                transport = "amqp"
                urls = ["amqp://fids@mq1/aodb", "http://mq2/aodb"]
                queue = "q"

                [[feeds]]
                name = "c"
                format = "aidx"
                transport = "http-poll"
                url = "https://aodb.example/flights"
                urls = ["https://aodb.example/flights"]
                """)
        let found = problems(text)
        #expect(found.contains { $0.hasSuffix("feeds[0].urls: give the broker as url (one node) or as urls (every node of the cluster), not both") }, "\(found)")
        #expect(found.contains { $0.contains("feeds[1].urls[1]: ") }, "\(found)")
        #expect(found.contains { $0.contains("feeds[2].urls: transport \"http-poll\" does not use urls (only \"amqp\")") }, "\(found)")
        #expect(!found.contains { $0.contains("feeds[1].url:") }, "urls stands for url: \(found)")
    }
}
