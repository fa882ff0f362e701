/// What the client says to the server (RFC 5321 §4.1, RFC 3207 STARTTLS, RFC 4954 AUTH).
enum SMTPCommand: Sendable, Hashable, CustomStringConvertible {
    case ehlo(String)
    case helo(String)
    case startTLS
    /// `AUTH PLAIN` with its initial response (base64 of NUL user NUL password).
    case authPlain(initialResponse: String)
    case authLogin
    /// A base64 answer to a `334` challenge (AUTH LOGIN's user name, then password).
    case authResponse(String)
    case mailFrom(String)
    case rcptTo(String)
    case data
    /// The message after `354`, dot-stuffed and ended with `CRLF . CRLF`.
    case content([UInt8])
    case reset
    case quit

    /// The bytes on the wire.
    var bytes: [UInt8] {
        switch self {
        case .content(let message): Self.dotStuffed(message)
        default: Array("\(line)\r\n".utf8)
        }
    }

    private var line: String {
        switch self {
        case .ehlo(let name): "EHLO \(name)"
        case .helo(let name): "HELO \(name)"
        case .startTLS: "STARTTLS"
        case .authPlain(let response): "AUTH PLAIN \(response)"
        case .authLogin: "AUTH LOGIN"
        case .authResponse(let response): response
        case .mailFrom(let address): "MAIL FROM:<\(address)>"
        case .rcptTo(let address): "RCPT TO:<\(address)>"
        case .data: "DATA"
        case .content: ""
        case .reset: "RSET"
        case .quit: "QUIT"
        }
    }

    /// The command's name for messages; never a credential.
    var description: String {
        switch self {
        case .ehlo: "EHLO"
        case .helo: "HELO"
        case .startTLS: "STARTTLS"
        case .authPlain: "AUTH PLAIN"
        case .authLogin, .authResponse: "AUTH LOGIN"
        case .mailFrom: "MAIL FROM"
        case .rcptTo: "RCPT TO"
        case .data: "DATA"
        case .content: "the message data"
        case .reset: "RSET"
        case .quit: "QUIT"
        }
    }

    /// `message` as DATA carries it (RFC 5321 §4.5.2): every line break CRLF (a lone CR or LF
    /// becomes one), a `.` doubled at the start of a line, and `CRLF . CRLF` at the end.
    static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            index += 1
            if byte == 13 || byte == 10 {
                if byte == 13, index < message.count, message[index] == 10 { index += 1 }
                output += [13, 10]
                atLineStart = true
                continue
            }
            if atLineStart, byte == UInt8(ascii: ".") { output.append(byte) }
            output.append(byte)
            atLineStart = false
        }
        if !atLineStart { output += [13, 10] }
        output += [UInt8(ascii: "."), 13, 10]
        return output
    }
}
