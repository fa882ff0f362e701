import Configuration
import Testing

@Suite struct TOMLParserTests {
    @Test func readsTablesArraysOfTablesAndKeepsLines() throws {
        let table = try TOMLParser.parse("""
            # comment
            top = 1
            [server]
            host = "h" # trailing comment
            ports = [
              1, 2,  # two
              3,
            ]
            [[feeds]]
            name = "a"
            [feeds.options]
            columns = ["x", 'y']
            [[feeds]]
            name = "b"
            inline = { a = 1, b.c = "d" }
            """)
        #expect(table["top"] == TOMLNode(.integer(1), line: 2))
        guard case .table(let server)? = table["server"]?.value else { Issue.record("no [server]"); return }
        #expect(server["host"] == TOMLNode(.string("h"), line: 4))
        guard case .array(let ports)? = server["ports"]?.value else { Issue.record("no ports"); return }
        #expect(ports.map(\.value) == [.integer(1), .integer(2), .integer(3)])
        guard case .array(let feeds)? = table["feeds"]?.value else { Issue.record("no feeds"); return }
        #expect(feeds.count == 2)
        guard case .table(let first) = feeds[0].value, case .table(let options)? = first["options"]?.value else {
            Issue.record("no options")
            return
        }
        #expect(options["columns"]?.line == 12)
        guard case .table(let second) = feeds[1].value, case .table(let inline)? = second["inline"]?.value else {
            Issue.record("no inline table")
            return
        }
        #expect(inline["a"]?.value == .integer(1))
    }

    @Test func stringsEscapesAndNumbers() throws {
        let table = try TOMLParser.parse(#"""
            basic = "tab\tquote\" unicode\u00e9"
            literal = 'C:\path'
            multi = """
            line one
            line two"""
            big = 1_000_000
            hex = 0xff
            negative = -42
            pi = 3.14
            flag = true
            when = 1979-05-27T07:32:00Z
            """#)
        #expect(table["basic"]?.value == .string("tab\tquote\" unicodeé"))
        #expect(table["literal"]?.value == .string(#"C:\path"#))
        #expect(table["multi"]?.value == .string("line one\nline two"))
        #expect(table["big"]?.value == .integer(1_000_000))
        #expect(table["hex"]?.value == .integer(255))
        #expect(table["negative"]?.value == .integer(-42))
        #expect(table["pi"]?.value == .float(3.14))
        #expect(table["flag"]?.value == .boolean(true))
        #expect(table["when"]?.value == .datetime("1979-05-27T07:32:00Z"))
    }

    @Test(arguments: [
        ("a = ", 1, "expected a value"),
        ("a = \"open", 1, "unterminated string"),
        ("a = 1 b", 1, "unexpected text after the value"),
        ("[t]\n[t]", 2, "table [t] is defined twice (first on line 1)"),
        ("a = [1, 2", 1, "unterminated array"),
        ("a = 007", 1, "leading zeros are not allowed in '007'"),
        ("= 1", 1, "expected a key, found '='"),
    ])
    func syntaxErrorsSayWhatAndWhere(text: String, line: Int, message: String) {
        #expect(throws: TOMLParser.SyntaxError(line: line, message: message)) { try TOMLParser.parse(text) }
    }
}

@Suite struct NetworkAddressTests {
    @Test func cidrMatchesIPv4IPv6AndMappedAddresses() throws {
        let lan = try CIDR.parse("10.20.0.0/24").get()
        #expect(lan.contains(ipAddress: "10.20.0.5"))
        #expect(!lan.contains(ipAddress: "10.20.1.5"))
        #expect(lan.contains(ipAddress: "::ffff:10.20.0.9"))
        let v6 = try CIDR.parse("fd00::/8").get()
        #expect(v6.contains(ipAddress: "fd12:3456::1"))
        #expect(!v6.contains(ipAddress: "10.20.0.5"))
        let host = try CIDR.parse("127.0.0.1").get()
        #expect(host.contains(ipAddress: "127.0.0.1"))
        #expect(!host.contains(ipAddress: "127.0.0.2"))
    }

    @Test func hostPortAcceptsNamesIPv4AndBracketedIPv6() throws {
        #expect(try HostPort.parse("localhost:7001").get() == HostPort(host: "localhost", port: 7001))
        #expect(try HostPort.parse("[::1]:7002").get() == HostPort(host: "::1", port: 7002))
        #expect(try HostPort.parse("[::1]:7002").get().description == "[::1]:7002")
        #expect((try? HostPort.parse("::1:7002").get()) == nil)
        #expect((try? HostPort.parse("host:0").get()) == nil)
    }
}
