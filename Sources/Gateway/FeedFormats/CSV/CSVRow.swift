/// Splits delimited text into rows of fields, RFC 4180 style: quoted fields may hold the
/// delimiter, line breaks and doubled quotes; a quote inside an unquoted field is kept as it is
/// (Heathrow's export starts its header without the opening quote).
struct CSVRowReader {
    let delimiter: UInt8
    let quote: UInt8

    /// Each row's fields and its line number (1-based), skipping empty lines and a BOM.
    func rows(_ bytes: [UInt8]) throws(DecodeError) -> [(fields: [String], line: Int)] {
        var rows: [(fields: [String], line: Int)] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var rowLine = 1
        var fieldStarted = false
        func text(_ bytes: [UInt8]) throws(DecodeError) -> String {
            guard let value = String(validating: bytes, as: UTF8.self) else { throw DecodeError("invalid UTF-8", at: "line \(line)") }
            return value
        }
        func endRow() throws(DecodeError) {
            fields.append(try text(field))
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append((fields, rowLine)) }
            fields = []
            field = []
            fieldStarted = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == quote {
                    if index < bytes.count, bytes[index] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case quote where !fieldStarted:
                quoted = true
                fieldStarted = true
            case delimiter:
                fields.append(try text(field))
                field = []
                fieldStarted = false
            case 0x0D:
                continue
            case 0x0A:
                try endRow()
                line += 1
                rowLine = line
            default:
                field.append(byte)
                fieldStarted = true
            }
        }
        if quoted { throw DecodeError("a quoted field is not closed", at: "line \(rowLine)") }
        if fieldStarted || !fields.isEmpty { try endRow() }
        return rows
    }
}
