#if canImport(Glibc)
import Glibc
#endif
internal import CLibPQ

/// A connection that only listens: `LISTEN channel`, then ``wait(timeout:)`` returns the
/// notifications (`NOTIFY` / `pg_notify`) committed by any session of the database. It owns its
/// `PGconn` and closes it exactly once, in `deinit`.
///
/// ``wait(timeout:)`` blocks its thread in `poll(2)` on the connection's socket: run it on a
/// thread of its own, never on Swift's cooperative pool.
public final class PostgresListener {
    /// One notification: the channel it was sent on and its payload (text, at most 8000 bytes).
    public struct Notification: Sendable, Equatable {
        public var channel: String
        public var payload: String
    }

    private let handle: OpaquePointer

    /// Connects (as ``PostgresConnection`` does) and listens on `channels`.
    public init(conninfo: String, password: String? = nil, channels: [String], applicationName: String = "flightedge listener")
        throws(PostgresError)
    {
        var keywords = ["dbname", "application_name", "connect_timeout"]
        var values = [conninfo, applicationName, "5"]
        if let password {
            keywords.append("password")
            values.append(password)
        }
        let pointers = (keywords + values).map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        let count = keywords.count
        var keywordPointers: [UnsafePointer<CChar>?] = pointers[0..<count].map { UnsafePointer($0) } + [nil]
        var valuePointers: [UnsafePointer<CChar>?] = pointers[count...].map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(&keywordPointers, &valuePointers, 1) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(code: .connectionFailed, message: message)
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        for channel in channels {
            guard let escaped = PQescapeIdentifier(handle, channel, channel.utf8.count) else {
                throw PostgresError(code: .queryFailed, message: "cannot quote channel \(channel)")
            }
            let sql = "LISTEN " + String(cString: escaped)
            PQfreemem(escaped)
            let result = PQexec(handle, sql)
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_COMMAND_OK else {
                throw PostgresError(code: .queryFailed, message: String(cString: PQerrorMessage(handle)))
            }
        }
    }

    deinit {
        PQfinish(handle)
    }

    /// Waits up to `timeout` seconds for notifications and returns those that arrived (empty
    /// after a quiet timeout). Throws `.connectionLost` when the connection broke: make a new one.
    public func wait(timeout: Double) throws(PostgresError) -> [Notification] {
        var arrived = try drain()
        guard arrived.isEmpty else { return arrived }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw PostgresError(code: .connectionLost, message: "the listening connection has no socket") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, timeout) * 1000))
        if ready < 0 && errno != EINTR {
            throw PostgresError(code: .connectionLost, message: "poll on the listening connection failed (errno \(errno))")
        }
        if ready > 0 { arrived = try drain() }
        return arrived
    }

    /// Reads what the server sent and takes the queued notifications.
    private func drain() throws(PostgresError) -> [Notification] {
        guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(code: .connectionLost, message: String(cString: PQerrorMessage(handle)))
        }
        var arrived: [Notification] = []
        while let notice = PQnotifies(handle) {
            arrived.append(
                Notification(channel: String(cString: notice.pointee.relname), payload: String(cString: notice.pointee.extra)))
            PQfreemem(notice)
        }
        return arrived
    }
}
