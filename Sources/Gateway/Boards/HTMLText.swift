/// Text made safe for HTML: every value a page shows passes through ``escape(_:)``, in element
/// content and in quoted attributes alike.
public enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as character references; control characters other than
    /// tab and line feed are dropped.
    public static func escape(_ text: some StringProtocol) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
