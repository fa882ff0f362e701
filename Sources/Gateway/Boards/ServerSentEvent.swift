/// Server-Sent Events framing (WHATWG HTML, "Server-sent events"): an event is lines of
/// `field: value`, ended by an empty line; a line starting with `:` is a comment.
public enum ServerSentEvent {
    /// One event. Line breaks in `data` become several `data:` lines (the browser joins them
    /// with `\n` again); `event` and `id` lose any line break or NUL, which would end or void
    /// the field. `retry` sets the browser's reconnection delay in milliseconds.
    public static func event(_ event: String? = nil, id: String? = nil, retry: Int? = nil, data: String) -> [UInt8] {
        var text = ""
        text.reserveCapacity(data.utf8.count + 64)
        if let event { text += "event: \(singleLine(event))\n" }
        if let id { text += "id: \(singleLine(id))\n" }
        if let retry { text += "retry: \(max(0, retry))\n" }
        var line = Substring(data)
        while let end = line.firstIndex(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            text += "data: \(line[..<end])\n"
            line = line[line.index(after: end)...]
        }
        text += "data: \(line)\n\n"
        return Array(text.utf8)
    }

    /// A comment line: ignored by the browser, it keeps the connection and its proxies awake.
    public static func comment(_ text: String) -> [UInt8] {
        Array(": \(singleLine(text))\n\n".utf8)
    }

    private static func singleLine(_ text: String) -> String {
        String(text.filter { $0 != "\n" && $0 != "\r" && $0 != "\r\n" && $0 != "\0" })
    }
}
