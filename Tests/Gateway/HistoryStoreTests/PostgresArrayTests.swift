import Foundation
import Postgres
import Testing

/// The `text[]` literal of UTF-8 elements (JSON payloads), built eight bytes at a time: byte for
/// byte what the plain escaping gives, and read back by PostgreSQL as the same elements.
@Suite struct PostgresArrayTests {
    /// The plain escaping, one byte at a time: the reference.
    static func reference(_ elements: [[UInt8]]) -> [UInt8] {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in elements.enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            literal.append(UInt8(ascii: "\""))
            for byte in element {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return literal
    }

    /// Elements of every length from 0 to 40 (words and tails), of quotes, backslashes,
    /// bytes next to them in value (`!`, `#`, `[`, `]`), multi-byte UTF-8 and JSON.
    static let samples: [[UInt8]] = {
        let alphabet = Array(#"ab"\!#[]{}:,é€ 0"#)
        var generator = SystemRandomNumberGenerator()
        var samples: [[UInt8]] = (0...40).map { length in
            Array(String((0..<length).map { _ in alphabet.randomElement(using: &generator)! }).utf8)
        }
        samples.append(Array(repeating: UInt8(ascii: "\""), count: 17))
        samples.append(Array(repeating: UInt8(ascii: "\\"), count: 16))
        samples.append(Array(#"{"flight_id":"LX1234-20261124-D","remark":"say \"hi\" C:\\gate","gate":"A1"}"#.utf8))
        return samples
    }()

    @Test func theLiteralIsTheOneThePlainEscapingGives() throws {
        guard case .encodedText(let literal) = PostgresArray.text(utf8: Self.samples) else {
            Issue.record("not an encoded text value")
            return
        }
        #expect(literal == Self.reference(Self.samples))
        guard case .encodedText(let empty) = PostgresArray.text(utf8: []) else { return }
        #expect(empty == Array("{}".utf8))
    }

    @Test func partsOfBuffersGiveTheLiteralOfTheirCopies() throws {
        // Every sample cut at every place, as the outbox's payloads are split around their member.
        var parts: [ArraySlice<UInt8>] = []
        for sample in Self.samples {
            for cut in sample.indices { parts += [sample[..<cut], sample[cut...]] }
        }
        guard case .encodedText(let literal) = PostgresArray.text(utf8Slices: parts) else {
            Issue.record("not an encoded text value")
            return
        }
        #expect(literal == Self.reference(parts.map { Array($0) }))
    }

    @Test func postgreSQLReadsBackTheSameElements() throws {
        let url = try #require(ProcessInfo.processInfo.environment["FLIGHTEDGE_TEST_PG_URL"], "run through scripts/test")
        let connection = try PostgresConnection(conninfo: url)
        let elements = Self.samples.filter { !$0.contains(0) }
        let rows = try connection.query(
            "SELECT element FROM unnest($1::text[]) WITH ORDINALITY AS t(element, position) ORDER BY position",
            [PostgresArray.text(utf8: elements)]
        ).rows
        #expect(rows.map { $0[0].map { Array($0.utf8) } } == elements.map { Optional($0) })
    }
}
