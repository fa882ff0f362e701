/// Server-Sent Events framing (WHATWG HTML, "Server-sent events") for the passenger pages'
/// streams: lines of `field: value` ended by an empty line; a line starting with `:` is a comment.
enum PassengerStreamEvent {
    /// One event; a line break in `data` becomes another `data:` line (the browser joins them
    /// again), `event` and `id` lose line breaks and NULs, which would end or void the field.
    static func event(_ event: String, id: String? = nil, data: String) -> [UInt8] {
        var text = "event: \(singleLine(event))\n"
        if let id { text += "id: \(singleLine(id))\n" }
        for line in data.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            text += "data: \(line)\n"
        }
        return Array((text + "\n").utf8)
    }

    /// A comment: ignored by the browser, it keeps the connection and its proxies awake.
    static func comment(_ text: String) -> [UInt8] {
        Array(": \(singleLine(text))\n\n".utf8)
    }

    private static func singleLine(_ text: String) -> String {
        String(text.filter { $0 != "\n" && $0 != "\r" && $0 != "\r\n" && $0 != "\0" })
    }
}
