import Configuration
import Testing

/// The mistakes one can make in a `[[feeds]]` table, with the exact message for each.
@Suite struct FeedValidationTests {
    @Test func unknownFormatTransportAndFramingListTheChoices() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "xml"
                transport = "carrier-pigeon"
                framing = "morse"
                """)
        #expect(
            problems(text) == [
                "test.toml:12: feeds[0].format: unknown format \"xml\" (expected one of: aidx, mvt, csv, jsonl, sql)",
                "test.toml:13: feeds[0].transport: unknown transport \"carrier-pigeon\" (expected one of: tcp-connect, tcp-listen, spool-dir, tail-file, http-poll, amqp, sql-poll)",
                "test.toml:14: feeds[0].framing: unknown framing \"morse\" (expected one of: lf, stx-etx, length-prefix, file)",
            ])
    }

    @Test func aChoiceInTheWrongCaseSuggestsTheRightOne() {
        let text = minimal(
            plus: "[[feeds]]\nname = \"a\"\nformat = \"JSONL\"\ntransport = \"spool-dir\"\npath = \"/x\"")
        #expect(
            problems(text) == [
                "test.toml:12: feeds[0].format: unknown format \"JSONL\" (expected one of: aidx, mvt, csv, jsonl, sql); did you mean \"jsonl\"?"
            ])
    }

    @Test func duplicateFeedNamesNameBothLines() {
        let feed = """
            [[feeds]]
            name = "aodb"
            format = "jsonl"
            transport = "spool-dir"
            path = "/tmp/x"

            """
        #expect(
            problems(minimal(plus: feed + feed)) == [
                "test.toml:16: feeds[1].name: duplicate feed name \"aodb\" (also on line 11)"
            ])
    }

    @Test func feedNamesAreLowerCaseWords() {
        let text = minimal(
            plus: "[[feeds]]\nname = \"AODB 1\"\nformat = \"aidx\"\ntransport = \"tail-file\"\npath = \"/x\"")
        #expect(
            problems(text) == [
                "test.toml:11: feeds[0].name: \"AODB 1\" is not a feed name (lower-case letters, digits, '-' and '_': it names topics)"
            ])
    }

    @Test func nameFormatAndTransportAreRequired() {
        #expect(
            problems(minimal(plus: "[[feeds]]\nprecedence = 1")) == [
                "test.toml:10: feeds[0].name: required key is missing",
                "test.toml:10: feeds[0].format: required key is missing",
                "test.toml:10: feeds[0].transport: required key is missing",
            ])
    }

    @Test func networkTransportsNeedAnAddressAndRefuseAPath() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "jsonl"
                transport = "tcp-connect"
                path = "/var/spool/a"
                """)
        #expect(
            problems(text) == [
                "test.toml:10: feeds[0].address: required for transport \"tcp-connect\"",
                "test.toml:14: feeds[0].path: transport \"tcp-connect\" takes an address, not a path",
            ])
    }

    @Test func fileTransportsNeedAPathAndRefuseAnAddressAndTimeouts() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "mvt"
                transport = "tail-file"
                address = "10.0.0.1:7001"
                idle_timeout = 60
                """)
        #expect(
            problems(text) == [
                "test.toml:10: feeds[0].path: required for transport \"tail-file\"",
                "test.toml:14: feeds[0].address: transport \"tail-file\" takes a path, not an address",
                "test.toml:15: feeds[0].idle_timeout: only TCP transports have connections to time out; remove idle_timeout",
            ])
    }

    @Test func allowAndMaxConnectionsAreForTCPListenOnly() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "jsonl"
                transport = "tcp-connect"
                address = "aodb:7001"
                allow = ["10.0.0.0/8"]
                max_connections = 5
                """)
        #expect(
            problems(text) == [
                "test.toml:15: feeds[0].allow: only a tcp-listen feed accepts connections; remove allow",
                "test.toml:16: feeds[0].max_connections: only a tcp-listen feed accepts connections; remove max_connections",
            ])
    }

    @Test func tlsNeedsItsCertificateAndKeyOrItsCAPerTransport() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "jsonl"
                transport = "tcp-listen"
                address = "127.0.0.1:7001"
                tls_ca_file = "/etc/ca.pem"

                [[feeds]]
                name = "b"
                format = "jsonl"
                transport = "tcp-connect"
                address = "10.0.0.5:7002"
                tls_cert_file = "/etc/client.pem"

                [[feeds]]
                name = "c"
                format = "jsonl"
                transport = "spool-dir"
                path = "/x"
                tls_ca_file = "/etc/ca.pem"
                """)
        #expect(
            problems(text) == [
                "test.toml:15: feeds[0].tls_ca_file: a TLS listener needs its own certificate: set tls_cert_file and tls_key_file (tls_ca_file only checks the senders' certificates)",
                "test.toml:22: feeds[1].tls_cert_file: a certificate needs its key: set tls_key_file too",
                "test.toml:22: feeds[1].tls_cert_file: TLS to the sender needs the CA that signed its certificate: set tls_ca_file too",
                "test.toml:29: feeds[2].tls_ca_file: TLS is for TCP transports; transport \"spool-dir\" has no connection",
            ])
    }

    @Test func tlsSettingsAreKeptOnTheFeed() throws {
        let config = try GatewayConfig.parse(
            minimal(
                plus: """
                    [[feeds]]
                    name = "a"
                    format = "jsonl"
                    transport = "tcp-listen"
                    address = "127.0.0.1:7001"
                    tls_cert_file = "/etc/server.pem"
                    tls_key_file = "/etc/server.key"
                    tls_ca_file = "/etc/ca.pem"
                    """), source: "test.toml")
        #expect(config.feeds.first?.tls == FeedTLS(caFile: "/etc/ca.pem", certFile: "/etc/server.pem", keyFile: "/etc/server.key"))
    }

    @Test func fileFramingIsForSpoolDirectoriesOnly() {
        let text = minimal(
            plus:
                "[[feeds]]\nname = \"a\"\nformat = \"mvt\"\ntransport = \"tail-file\"\npath = \"/x\"\nframing = \"file\""
        )
        #expect(
            problems(text) == [
                "test.toml:15: feeds[0].framing: \"file\" framing (one frame per file) needs transport \"spool-dir\""
            ])
    }

    @Test func badAddressesPortsAndNetworksAreRefused() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "jsonl"
                transport = "tcp-listen"
                address = "nowhere"
                allow = ["10.0.0.0/33", "not-an-ip", 10]
                """)
        #expect(
            problems(text) == [
                "test.toml:14: feeds[0].address: expected host:port, got \"nowhere\"",
                "test.toml:15: feeds[0].allow[0]: prefix length in \"10.0.0.0/33\" must be 0 to 32",
                "test.toml:15: feeds[0].allow[1]: \"not-an-ip\" is not an address or network (expected e.g. 10.20.0.0/24)",
                "test.toml:15: feeds[0].allow[2]: expected a string, found an integer",
            ])
    }

    @Test func outOfRangeFeedNumbersGiveTheRange() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "jsonl"
                transport = "tcp-listen"
                address = "127.0.0.1:7002"
                max_frame_bytes = 63
                precedence = 1001
                stale_after = 0
                max_connections = 0
                idle_timeout = 86401
                """)
        #expect(
            problems(text) == [
                "test.toml:15: feeds[0].max_frame_bytes: 63 is out of range (64 to 67108864)",
                "test.toml:16: feeds[0].precedence: 1001 is out of range (-1000 to 1000)",
                "test.toml:17: feeds[0].stale_after: 0 is out of range (1 to 604800)",
                "test.toml:18: feeds[0].max_connections: 0 is out of range (1 to 10000)",
                "test.toml:19: feeds[0].idle_timeout: 86401 is out of range (1 to 86400)",
            ])
    }

    @Test func unknownKeysAndSubTablesOfAFeedGetSuggestions() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "jsonl"
                transport = "tcp-connect"
                adress = "aodb:7001"
                [feeds.option]
                delimiter = ";"
                """)
        #expect(
            problems(text) == [
                "test.toml:10: feeds[0].address: required for transport \"tcp-connect\"",
                "test.toml:14: feeds[0].adress: unknown key; did you mean `address`?",
                "test.toml:15: feeds[0].option: unknown table; did you mean `options`?",
            ])
    }

    @Test func optionsTakeStringsIntegersBooleansAndArraysOfStringsOnly() {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "csv"
                transport = "spool-dir"
                path = "/x"
                [feeds.options]
                ratio = 0.5
                columns = ["a", 2]
                """)
        #expect(
            problems(text) == [
                "test.toml:16: feeds[0].options.ratio: expected a string, an integer, a boolean, an array of strings or a table, found a float",
                "test.toml:17: feeds[0].options.columns[1]: expected a string, found an integer",
            ])
    }

    @Test func feedsWrittenAsOneTableAreExplained() {
        #expect(
            problems(minimal(plus: "[feeds]\nname = \"a\"")) == [
                "test.toml:10: feeds: write [[feeds]] for each entry (an array of tables), not [feeds]"
            ])
    }
}
