/// Log values made safe to print (issue 18): a value from outside — a spool file's name, a
/// feed's key or value, a peer's bytes — can hold a newline and forge a second log line (with
/// `<0>` at its start, at emergency priority in the journal). Every control character (C0, DEL,
/// C1, and the Unicode line and paragraph separators) is written as an escape instead, and a
/// backslash as `\\`, so what was escaped stays recognisable.
public enum LogText {
    /// `text` with every control character escaped: `\n`, `\r`, `\t`, `\\`, else `\u{XX}`.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\\": result += "\\\\"
            default: result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return result
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x5C, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }
}
