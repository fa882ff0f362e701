import Foundation
import Postgres
import Testing

/// Array parameters in PostgreSQL's binary format: the layout `array_recv` reads, and what a
/// real PostgreSQL makes of each element type (NULLs, quotes, backslashes, UTF-8, JSON, times
/// before and after 2000, the ends of smallint).
@Suite struct PostgresBinaryArrayTests {
    /// The elements of a one-dimensional binary array, with its element type OID and the
    /// has-nulls flag: the reference reading of the layout.
    static func read(_ value: PostgresValue) -> (type: UInt32, hasNulls: Bool, elements: [[UInt8]?])? {
        guard case .bytes(let bytes) = value, bytes.count >= 20 else { return nil }
        func int32(_ at: Int) -> Int32 {
            Int32(bitPattern: UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3]))
        }
        guard int32(0) == 1, int32(16) == 1 else { return nil }
        var elements: [[UInt8]?] = []
        var at = 20
        for _ in 0..<Int(int32(12)) {
            let length = Int(int32(at))
            at += 4
            if length < 0 {
                elements.append(nil)
            } else {
                elements.append(Array(bytes[at..<(at + length)]))
                at += length
            }
        }
        guard at == bytes.count else { return nil }
        return (UInt32(bitPattern: int32(8)), int32(4) == 1, elements)
    }

    static let texts: [String?] = [
        "LX1234-20261124-D", "", nil, #"say "hi" C:\gate"#, "Zürich → 東京", #"{"a":[1,"\""]}"#, String(repeating: "x", count: 3000),
    ]

    @Test func textElementsGoAsTheirLengthAndBytesWithNullsMarked() throws {
        let array = try #require(Self.read(PostgresBinaryArray.text(Self.texts)))
        #expect(array.type == 25)
        #expect(array.hasNulls)
        #expect(array.elements == Self.texts.map { $0.map { Array($0.utf8) } })
        let plain = try #require(Self.read(PostgresBinaryArray.text(["a", "b"])))
        #expect(!plain.hasNulls && plain.elements == [[97], [98]])
        let empty = try #require(Self.read(PostgresBinaryArray.text([String]())))
        #expect(empty.elements.isEmpty)
    }

    @Test func jsonbElementsStartWithTheFormatVersion() throws {
        let json = Array(#"{"gate":"A1"}"#.utf8)
        let array = try #require(Self.read(PostgresBinaryArray.text(utf8: [json[...], json[0..<1]], as: .jsonb)))
        #expect(array.type == 3802)
        #expect(array.elements == [[1] + json, [1, UInt8(ascii: "{")]])
    }

    @Test func numbersBooleansAndTimesAreBigEndian() throws {
        let integers = try #require(Self.read(PostgresBinaryArray.integers([Int64(1), -2])))
        #expect(integers.type == 20)
        #expect(integers.elements == [[0, 0, 0, 0, 0, 0, 0, 1], [255, 255, 255, 255, 255, 255, 255, 254]])
        let small = try #require(Self.read(PostgresBinaryArray.integers([1, 300], as: .int2)))
        #expect(small.type == 21 && small.elements == [[0, 1], [1, 44]])
        let flags = try #require(Self.read(PostgresBinaryArray.booleans([true, false])))
        #expect(flags.type == 16 && flags.elements == [[1], [0]])
        // 2000-01-01T00:00:00.001Z is 1,000 µs after PostgreSQL's epoch.
        let times = try #require(Self.read(PostgresBinaryArray.timestamps(millisecondsSinceEpoch: [946_684_800_001, nil])))
        #expect(times.type == 1184 && times.hasNulls)
        #expect(times.elements == [[0, 0, 0, 0, 0, 0, 0x03, 0xE8], nil])
    }

    @Test func postgreSQLReadsBackEveryElementType() throws {
        let url = try #require(ProcessInfo.processInfo.environment["FLIGHTEDGE_TEST_PG_URL"], "run through scripts/test")
        let connection = try PostgresConnection(conninfo: url)
        let texts = try connection.query(
            "SELECT element FROM unnest($1::text[]) WITH ORDINALITY AS t(element, position) ORDER BY position",
            [PostgresBinaryArray.text(Self.texts)]
        ).rows
        #expect(texts.map { $0[0] } == Self.texts)

        let json = [#"{"gate": "A1", "remark": "say \"hi\" C:\\gate", "n": [1, 2.5]}"#, "[]", nil]
        let jsonb = try connection.query(
            "SELECT element::text FROM unnest($1::jsonb[]) WITH ORDINALITY AS t(element, position) ORDER BY position",
            [PostgresBinaryArray.text(json, as: .jsonb)]
        ).rows
        #expect(jsonb.map { $0[0] } == [#"{"n": [1, 2.5], "gate": "A1", "remark": "say \"hi\" C:\\gate"}"#, "[]", nil])

        let numbers = try connection.query(
            "SELECT a, b, c FROM unnest($1::bigint[], $2::smallint[], $3::boolean[]) AS t(a, b, c)",
            [
                PostgresBinaryArray.integers([Int64.max, Int64.min, 0]),
                PostgresBinaryArray.integers([Int(Int16.max), Int(Int16.min), 0], as: .int2), PostgresBinaryArray.booleans([true, false, true]),
            ]
        ).rows
        #expect(numbers == [["9223372036854775807", "32767", "t"], ["-9223372036854775808", "-32768", "f"], ["0", "0", "t"]])

        try connection.execute("SET TIME ZONE 'UTC'")
        let instants: [Int64?] = [0, 946_684_800_000, 1_795_500_123_456, -86_400_001, nil]
        let times = try connection.query(
            """
            SELECT to_char(element, 'YYYY-MM-DD"T"HH24:MI:SS.MS'), (extract(epoch FROM element) * 1000)::bigint
              FROM unnest($1::timestamptz[]) WITH ORDINALITY AS t(element, position) ORDER BY position
            """,
            [PostgresBinaryArray.timestamps(millisecondsSinceEpoch: instants)]
        ).rows
        #expect(times.map { $0[1] } == instants.map { $0.map(String.init) })
        #expect(times[1][0] == "2000-01-01T00:00:00.000" && times[3][0] == "1969-12-30T23:59:59.999")

        // The statement names the type; an array of another element type is refused, not misread.
        #expect(throws: PostgresError.self) {
            try connection.query("SELECT $1::bigint[]", [PostgresBinaryArray.text(["1"])])
        }
    }
}
