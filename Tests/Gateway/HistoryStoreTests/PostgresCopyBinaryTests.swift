import Postgres
import Testing

/// A row written in place (`appendRow`) is byte for byte the row the field-by-field appends
/// write: the history's COPY goes through it, the appends are the reference.
@Suite struct PostgresCopyBinaryTests {
    private struct Fields {
        var id: Int64
        var text: String?
        var json: [UInt8]?
        var time: Int64?
    }

    private static let samples: [Fields] = [
        Fields(id: 0, text: "LX1234-20261124-D", json: Array(#"{"gate":"A1"}"#.utf8), time: 1_764_000_000_000),
        Fields(id: -1, text: nil, json: nil, time: nil),
        Fields(id: .max, text: "", json: [], time: 946_684_800_000),
        Fields(id: .min, text: "Zürich – Genève ✈︎ 東京 🛫", json: Array(#""\u00fc""#.utf8), time: -1),
        Fields(id: 42, text: String(repeating: "x", count: 5_000), json: Array(repeating: 0x20, count: 3_000), time: 0),
    ]

    @Test func aRowWrittenInPlaceIsTheRowTheAppendsWrite() {
        var reference = PostgresCopyBinary()
        var inPlace = PostgresCopyBinary(capacity: 16)
        for sample in Self.samples {
            reference.beginRow(fields: 4)
            reference.append(sample.id)
            reference.append(sample.text)
            sample.json.map { json in json.withUnsafeBufferPointer { reference.append(jsonb: $0) } } ?? reference.appendNull()
            reference.append(millisecondsSinceEpoch: sample.time)

            let room = 4 * PostgresCopyBinary.Row.room(0) + 8 + (sample.text?.utf8.count ?? 0)
                + 1 + (sample.json?.count ?? 0) + 8
            (sample.json ?? []).withUnsafeBufferPointer { json in
                inPlace.appendRow(fields: 4, maximumBytes: room) { row in
                    row.append(sample.id)
                    row.append(sample.text)
                    row.append(jsonb: sample.json == nil ? nil : json)
                    row.append(millisecondsSinceEpoch: sample.time)
                }
            }
        }
        #expect(inPlace.finish() == reference.finish())
    }

    /// Room to spare is given back: the next row starts right after the last field.
    @Test func roomToSpareIsNotKept() {
        var copy = PostgresCopyBinary()
        copy.appendRow(fields: 1, maximumBytes: 1_000) { $0.append(Int64(7)) }
        copy.appendRow(fields: 1, maximumBytes: 1_000) { $0.appendNull() }
        // Signature and header (19), two rows of a count (2) and a field, the trailer (2).
        let data = copy.finish()
        #expect(data.count == 19 + (2 + 4 + 8) + (2 + 4) + 2)
        #expect(Array(data[19..<33]) == [0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7])
        #expect(data.suffix(2) == [0xFF, 0xFF])
    }
}
