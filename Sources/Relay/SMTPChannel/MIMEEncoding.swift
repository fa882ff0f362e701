/// The transfer encodings a mail body and its headers need: quoted-printable (RFC 2045 §6.7),
/// base64, RFC 2047 encoded-words. Pure functions over bytes; every line they make ends in CRLF
/// and is at most 76 characters long.
enum MIMEEncoding {
    static let crlf: [UInt8] = [13, 10]
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// The lines of `text`, split at CRLF, a lone LF or a lone CR (the text's hard line breaks).
    static func lines(of text: String) -> [ArraySlice<UInt8>] {
        let bytes = Array(text.utf8)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case 13:
                lines.append(bytes[start..<index])
                index += index + 1 < bytes.count && bytes[index + 1] == 10 ? 2 : 1
                start = index
            case 10:
                lines.append(bytes[start..<index])
                index += 1
                start = index
            default:
                index += 1
            }
        }
        lines.append(bytes[start..<bytes.count])
        return lines
    }

    /// `text` as quoted-printable: its line breaks become CRLF, everything but printable ASCII is
    /// `=XX`, and lines longer than 76 characters are broken with soft breaks (`=` CRLF). `=` itself
    /// is always `=3D`, so a boundary holding `=_` can never occur in the output. No CRLF at the end.
    ///
    /// Written byte by byte into one array: a token array per input byte made building an
    /// e-mail cost 120 µs (docs/PERFORMANCE.md).
    static func quotedPrintable(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8 + 16)
        for (number, line) in lines(of: text).enumerated() {
            if number > 0 {
                output.append(13)
                output.append(10)
            }
            var width = 0
            let last = line.endIndex - 1
            for index in line.indices {
                let byte = line[index]
                let isLast = index == last
                let literal = (33...126).contains(byte) && byte != UInt8(ascii: "=") || (byte == 32 || byte == 9) && !isLast
                let length = literal ? 1 : 3
                // A soft break costs one character ("="): keep room for it unless this ends the line.
                if width + length > (isLast ? 76 : 75) {
                    output.append(UInt8(ascii: "="))
                    output.append(13)
                    output.append(10)
                    width = 0
                }
                if literal {
                    output.append(byte)
                } else {
                    output.append(UInt8(ascii: "="))
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 15)])
                }
                width += length
            }
        }
        return output
    }

    /// Base64 of `bytes` (RFC 4648, with padding), on one line.
    static func base64(_ bytes: some Collection<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let chunk = input[index..<min(index + 3, input.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                output.append(
                    position <= chunk.count ? alphabet[Int(value >> (18 - 6 * position) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` as RFC 2047 encoded-words (`=?UTF-8?B?...?=`), each at most 64 characters (39 bytes
    /// of UTF-8, never splitting a character), to be joined by folding whitespace.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 39 {
                words.append("=?UTF-8?B?\(base64(chunk))?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(base64(chunk))?=") }
        return words
    }
}
