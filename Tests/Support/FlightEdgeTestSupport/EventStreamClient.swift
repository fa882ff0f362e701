import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A Server-Sent Events client on 127.0.0.1, as a board screen's browser would be one:
/// `GET path` over HTTP/1.1, the chunked body undone, events parsed as the browser does
/// (comments and events without data skipped).
public final class EventStreamClient {
    /// One event: its `event:` name (`message` when none), its `id:` (nil when none) and data.
    public struct Event: Sendable {
        public var name: String
        public var id: String?
        public var data: String
    }

    /// The response's status code.
    public private(set) var status = 0
    /// The response's header lines, as sent.
    public private(set) var headers: [String] = []
    private var descriptor: Int32
    private var raw: [UInt8] = []
    private var body: [UInt8] = []
    private var chunked = false
    private var ended = false

    /// Connects, sends the request and reads the response head (within `timeout` seconds).
    public init(port: Int, path: String, lastEventID: String? = nil, timeout: Double = 5) throws {
        descriptor = try Loopback.connect(port: port)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        if let lastEventID { request += "Last-Event-ID: \(lastEventID)\r\n" }
        try Loopback.writeAll(descriptor, Array((request + "\r\n").utf8))
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = raw.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                status = head.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                headers = Array(head.dropFirst())
                chunked = headers.contains { $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked") }
                raw.removeSubrange(..<end.upperBound)
                break
            }
            guard try receive(until: deadline) else {
                close()
                throw TestSupportError(.connectionFailed, "no response head from 127.0.0.1:\(port)\(path) within \(timeout) s")
            }
        }
    }

    deinit { close() }

    /// The next event, or nil when none comes within `timeout` seconds or the stream ended.
    public func next(timeout: Double) throws -> Event? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            decodeBody()
            while let end = body.firstRange(of: Array("\n\n".utf8)) {
                let block = String(decoding: body[..<end.lowerBound], as: UTF8.self)
                body.removeSubrange(..<end.upperBound)
                if let event = Self.event(from: block) { return event }
            }
            if ended { return nil }
            guard try receive(until: deadline) else { return nil }
        }
    }

    /// Events until `predicate` holds for one (returned), or nil after `timeout` seconds.
    public func first(within timeout: Double, where predicate: (Event) -> Bool) throws -> Event? {
        let deadline = Date().addingTimeInterval(timeout)
        while case let left = deadline.timeIntervalSinceNow, left > 0 {
            guard let event = try next(timeout: left) else { return nil }
            if predicate(event) { return event }
        }
        return nil
    }

    /// Whether the server ended the stream (or the connection) within `timeout` seconds.
    public func ends(within timeout: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !ended {
            guard try receive(until: deadline) else { return ended }
        }
        return true
    }

    /// Closes the connection (once; later calls do nothing).
    public func close() {
        guard descriptor >= 0 else { return }
        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
        _ = Glibc.close(descriptor)
        descriptor = -1
        ended = true
    }

    /// Reads what arrives before `deadline`; false on timeout. A closed connection ends the stream.
    private func receive(until deadline: Date) throws -> Bool {
        let left = deadline.timeIntervalSinceNow
        guard left > 0, descriptor >= 0 else { return false }
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(min(left * 1000, 60_000)) + 1)
        guard ready > 0 else { return false }
        var scratch = [UInt8](repeating: 0, count: 65_536)
        let count = recv(descriptor, &scratch, scratch.count, 0)
        if count <= 0 {
            ended = true
            return true
        }
        raw += scratch[0..<count]
        return true
    }

    /// Moves complete chunks (or everything, when not chunked) from `raw` to `body`.
    private func decodeBody() {
        guard chunked else {
            body += raw
            raw = []
            return
        }
        while let lineEnd = raw.firstRange(of: Array("\r\n".utf8)) {
            let sizeText = String(decoding: raw[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return }
            if size == 0 {
                ended = true
                raw = []
                return
            }
            let start = lineEnd.upperBound
            guard raw.count >= start + size + 2 else { return }
            body += raw[start..<(start + size)]
            raw.removeSubrange(..<(start + size + 2))
        }
    }

    private static func event(from block: String) -> Event? {
        var name = "message"
        var id: String?
        var data: [String] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) where !line.hasPrefix(":") {
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let field = String(parts[0])
            var value = parts.count > 1 ? String(parts[1]) : ""
            if value.hasPrefix(" ") { value.removeFirst() }
            switch field {
            case "event": name = value
            case "id": id = value
            case "data": data.append(value)
            default: break
            }
        }
        return data.isEmpty ? nil : Event(name: name, id: id, data: data.joined(separator: "\n"))
    }
}
