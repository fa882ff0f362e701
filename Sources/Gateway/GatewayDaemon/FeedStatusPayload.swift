import Configuration
import FeedIngest
import FlightModel
import JSON

/// The retained `feeds/{feed}/status` payload of one feed (docs/MQTT.md, schema
/// `feed-status.schema.json`), from its counters.
///
/// `connected` tells the truth per transport: a `tcp-connect` or `tcp-listen` feed while a
/// connection is open, a pull feed (`http-poll`, `amqp`, `sql-poll`) while its last poll or its
/// broker connection succeeded, a file feed always (it has nothing to be connected to). A pull
/// feed adds `last_poll_at` (its last successful poll, null before one) and `last_error` (why
/// the last poll failed, null while it succeeds).
enum FeedStatusPayload {
    static let schema = "flightedge.feed-status/1"

    static func bytes(feed: FeedConfig, counters snapshot: FeedCounters.Snapshot, lagMilliseconds: Int64) -> [UInt8] {
        var writer = JSONWriter(capacity: 200)
        writer.beginObject()
        writer.field("schema", schema)
        writer.field("feed", feed.name)
        writer.key("connected")
        writer.bool(isConnected(feed.transport, snapshot))
        writer.field("last_frame_at", iso8601(snapshot.lastFrameAtMilliseconds))
        writer.field("frames", snapshot.frames)
        writer.field("rejected", snapshot.rejected)
        writer.field("lag_ms", lagMilliseconds)
        if feed.transport.isPull {
            writer.field("last_poll_at", iso8601(snapshot.pull.lastSuccessAtMilliseconds))
            writer.field("last_error", snapshot.pull.lastError)
        }
        writer.endObject()
        return writer.bytes
    }

    static func isConnected(_ transport: FeedTransport, _ snapshot: FeedCounters.Snapshot) -> Bool {
        switch transport {
        case .tcpConnect, .tcpListen, .httpPoll, .amqp, .sqlPoll: snapshot.openConnections > 0
        case .spoolDir, .tailFile: true
        }
    }

    private static func iso8601(_ milliseconds: Int64) -> String? {
        milliseconds > 0 ? Timestamp(millisecondsSinceEpoch: milliseconds).iso8601 : nil
    }
}
