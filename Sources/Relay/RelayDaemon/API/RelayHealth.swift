import JSON

/// What `/healthz` says: 200 while the database answers and the source is connected, else 503
/// with the reason.
struct RelayHealth: Sendable {
    var databaseUp: Bool
    var sourceConnected: Bool
    var channels: [String]

    var isHealthy: Bool { databaseUp && sourceConnected }

    var json: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("status", isHealthy ? "ok" : "degraded")
        writer.key("database")
        writer.bool(databaseUp)
        writer.key("source")
        writer.bool(sourceConnected)
        writer.key("channels")
        writer.beginArray()
        for channel in channels { writer.string(channel) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}
