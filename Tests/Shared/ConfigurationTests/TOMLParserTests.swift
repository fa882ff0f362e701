import Configuration
import Testing

@Suite struct TOMLParserTests {
    private func table(_ node: TOMLNode?) -> TOMLTable? {
        if case .table(let table)? = node?.value { table } else { nil }
    }

    private func array(_ node: TOMLNode?) -> [TOMLNode]? {
        if case .array(let elements)? = node?.value { elements } else { nil }
    }

    @Test func readsTablesArraysOfTablesAndKeepsEveryLine() throws {
        let root = try TOMLParser.parse(
            """
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
            [[feeds]]
            name = "b"
            """)
        #expect(root["top"] == TOMLNode(.integer(1), line: 2))
        let server = try #require(table(root["server"]))
        #expect(server.line == 3)
        #expect(server["host"] == TOMLNode(.string("h"), line: 4))
        #expect(array(server["ports"])?.map(\.value) == [.integer(1), .integer(2), .integer(3)])
        #expect(array(server["ports"])?.map(\.line) == [6, 6, 7])
        let feeds = try #require(array(root["feeds"]))
        #expect(feeds.map(\.line) == [9, 11])
        #expect(table(feeds[1])?["name"] == TOMLNode(.string("b"), line: 12))
    }

    @Test func subTableHeadersBelongToTheLastArrayElement() throws {
        let root = try TOMLParser.parse(
            """
            [[feeds]]
            name = "a"
            [feeds.options]
            columns = ["x", 'y']
            [[feeds.options.maps]]
            code = "DX"
            [[feeds]]
            name = "b"
            [feeds.options]
            delimiter = ";"
            """)
        let feeds = try #require(array(root["feeds"]))
        let first = try #require(table(table(feeds[0])?["options"]))
        #expect(
            first["columns"]
                == TOMLNode(.array([TOMLNode(.string("x"), line: 4), TOMLNode(.string("y"), line: 4)]), line: 4))
        #expect(array(first["maps"])?.count == 1)
        let second = try #require(table(table(feeds[1])?["options"]))
        #expect(second.keys == ["delimiter"])
        #expect(second.line == 9)
    }

    @Test func quotedAndDottedKeysBuildNestedTables() throws {
        let root = try TOMLParser.parse(
            """
            "quoted key" = 1
            'literal.key' = 2
            a.b.c = 3
            [ "x y" . z ]
            w = 4
            """)
        #expect(root["quoted key"]?.value == .integer(1))
        #expect(root["literal.key"]?.value == .integer(2))
        #expect(table(table(root["a"])?["b"])?["c"] == TOMLNode(.integer(3), line: 3))
        #expect(table(table(root["x y"])?["z"])?["w"] == TOMLNode(.integer(4), line: 5))
    }

    @Test func stringsKeepTheirEscapes() throws {
        let root = try TOMLParser.parse(
            #"""
            basic = "tab\tquote\" unicode\u00e9 \U0001F6EB back\\slash"
            literal = 'C:\path\no-escape'
            multi = """
            line one
            line two"""
            folded = """\
                   one \
                   two"""
            raw = '''
            first\n
            second'''
            quotes = """say ""hi"""""
            """#)
        #expect(root["basic"]?.value == .string("tab\tquote\" unicodeé 🛫 back\\slash"))
        #expect(root["literal"]?.value == .string(#"C:\path\no-escape"#))
        #expect(root["multi"]?.value == .string("line one\nline two"))
        #expect(root["folded"]?.value == .string("one two"))
        #expect(root["raw"]?.value == .string("first\\n\nsecond"))
        #expect(root["quotes"]?.value == .string(#"say ""hi"""#))
        #expect(root["raw"]?.line == 9)
        #expect(root["quotes"]?.line == 12)
    }

    @Test func numbersBooleansAndDates() throws {
        let root = try TOMLParser.parse(
            """
            big = 1_048_576
            hex = 0xff
            octal = 0o17
            negative = -42
            positive = +7
            pi = 3.14
            exponent = 6.5e-3
            infinite = -inf
            flag = true
            off = false
            when = 1979-05-27T07:32:00Z
            spaced = 1979-05-27 07:32:00
            day = 2026-11-24
            """)
        #expect(root["big"]?.value == .integer(1_048_576))
        #expect(root["hex"]?.value == .integer(255))
        #expect(root["octal"]?.value == .integer(15))
        #expect(root["negative"]?.value == .integer(-42))
        #expect(root["positive"]?.value == .integer(7))
        #expect(root["pi"]?.value == .float(3.14))
        #expect(root["exponent"]?.value == .float(0.0065))
        #expect(root["infinite"]?.value == .float(-.infinity))
        #expect(root["flag"]?.value == .boolean(true))
        #expect(root["off"]?.value == .boolean(false))
        #expect(root["when"]?.value == .datetime("1979-05-27T07:32:00Z"))
        #expect(root["spaced"]?.value == .datetime("1979-05-27 07:32:00"))
        #expect(root["day"]?.value == .datetime("2026-11-24"))
    }

    @Test func inlineTablesMaySpanLinesWithComments() throws {
        let root = try TOMLParser.parse(
            """
            one = { a = 1, b.c = "d" }
            many = {
              gate = 4,   # column
              belt = 7,
            }
            empty = {}
            after = true
            """)
        #expect(table(root["one"])?["a"]?.value == .integer(1))
        #expect(table(table(root["one"])?["b"])?["c"]?.value == .string("d"))
        #expect(table(root["many"])?["belt"] == TOMLNode(.integer(7), line: 4))
        #expect(table(root["empty"])?.entries.isEmpty == true)
        #expect(root["after"] == TOMLNode(.boolean(true), line: 7))
    }

    @Test func windowsLineEndingsAndAByteOrderMarkAreRead() throws {
        let root = try TOMLParser.parse("\u{FEFF}[t]\r\na = \"x\"\r\nb = [\r\n 1,\r\n]\r\nc = 2\r\n")
        #expect(table(root["t"])?["a"] == TOMLNode(.string("x"), line: 2))
        #expect(table(root["t"])?["c"] == TOMLNode(.integer(2), line: 6))
    }

    @Test(arguments: [
        ("a = ", 1, "expected a value"),
        ("a = # nothing", 1, "expected a value"),
        ("a = \"open", 1, "unterminated string"),
        ("a = \"\"\"\nnever closed\n", 1, "unterminated multi-line string"),
        ("x = 1\na = [1, 2", 2, "unterminated array"),
        ("a = 1 b", 1, "unexpected text after the value"),
        ("a = ZRH", 1, "invalid value 'ZRH' (strings need quotes)"),
        ("a = tru", 1, "invalid value 'tru' (strings need quotes)"),
        ("a = 007", 1, "leading zeros are not allowed in '007'"),
        ("a = 1__000", 1, "invalid number '1__000' ('_' goes between digits)"),
        ("a = 99999999999999999999", 1, "number '99999999999999999999' is out of range"),
        ("a = \"\\q\"", 1, "invalid escape '\\q' (write '\\\\' for a backslash, or use a 'literal string')"),
        ("= 1", 1, "expected a key, found '='"),
        ("a 1", 1, "expected '=' after the key a"),
        ("[t]\n[t]", 2, "table [t] is defined twice (first on line 1)"),
        ("a = 1\na = 2", 2, "key 'a' is defined twice (first on line 1)"),
        ("a = 1\n[a]", 2, "[a]: 'a' is already an integer (line 1), not a table"),
        ("[a]\n[[a]]", 2, "[[a]]: 'a' is already defined on line 1 and is not an array of tables"),
        ("[airport\niata = 1", 1, "expected ']' to close the table header"),
        ("[[feeds]\n", 1, "expected ']]' to close the array-of-tables header"),
        ("a = { b = 1 c = 2 }", 1, "expected ',' or '}' in the inline table"),
    ])
    func syntaxErrorsSayWhatAndWhere(text: String, line: Int, message: String) {
        #expect(throws: TOMLParser.SyntaxError(line: line, message: message)) { try TOMLParser.parse(text) }
    }

    @Test func everyBrokenLineIsReportedNotOnlyTheFirst() {
        let (root, errors) = TOMLParser.parseRecovering(
            """
            [airport]
            iata = ZRH
            timezone = "Europe/Zurich"
            ports = [1,
              2 3,
              4]
            port = 1883x
            [database
            url = "x"
            [mqtt]
            host = "h"
            """)
        #expect(errors.map(\.line) == [2, 5, 7, 8])
        #expect(errors.map(\.message).first == "invalid value 'ZRH' (strings need quotes)")
        #expect(table(root["airport"])?["timezone"]?.value == .string("Europe/Zurich"))
        #expect(table(root["airport"])?["url"] == nil, "keys under a broken header go nowhere")
        #expect(table(root["mqtt"])?["host"] == TOMLNode(.string("h"), line: 11))
    }

    @Test func linesThatAreNeitherKeysNorHeadersAreSkippedAfterAnError() {
        let (_, errors) = TOMLParser.parseRecovering("<xml>\n<more/>\n</xml>\nkey = 1\n")
        #expect(errors == [TOMLParser.SyntaxError(line: 1, message: "expected a key, found '<'")])
    }

    @Test func theParserGivesUpAfterTwentyErrors() {
        let broken = (1...100).map { "key\($0) = <\($0)>" }.joined(separator: "\n")
        #expect(TOMLParser.parseRecovering(broken).errors.count == 20)
    }
}
