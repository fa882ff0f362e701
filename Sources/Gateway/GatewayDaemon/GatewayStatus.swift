import FlightModel
import Foundation

/// The retained `{prefix}/{IATA}/status` payload (DESIGN.md §5, schema `flightedge.status/1`):
/// the daemon's liveness. The same shape says `online`, the clean stop's `offline` and the
/// last will the broker holds.
public struct GatewayStatus: Sendable {
    /// The `schema` member: the payload's shape and version, as every other payload has one.
    public static let schema = "flightedge.status/1"

    public var bootID: String
    public var version: String
    public var startedAt: String

    public init(version: String) {
        self.bootID = UUID().uuidString.lowercased()
        self.version = version
        // Whole seconds, as before; not ISO8601DateFormatter, which maps ~5 MB of ICU for one string.
        let now = Timestamp(Date()).millisecondsSinceEpoch
        self.startedAt = Timestamp(millisecondsSinceEpoch: now - now % 1000).iso8601
    }

    /// `{"schema":"flightedge.status/1","state":"online"|"offline","boot_id":…,"version":…,
    /// "started_at":…}`, and with `streamSeq` the additive `"stream_seq"`: every event up to that
    /// number was handed to the broker, so a relay that saw less knows the rest of the stream was
    /// lost on the way (a hole at the end of a day has no later event to reveal it).
    public func payload(online: Bool, streamSeq: Int64? = nil) -> [UInt8] {
        let state = online ? "online" : "offline"
        var text = #"{"schema":"\#(Self.schema)","state":"\#(state)","boot_id":"\#(bootID)""#
        text += #","version":"\#(version)","started_at":"\#(startedAt)""#
        if let streamSeq { text += #","stream_seq":\#(streamSeq)"# }
        text += "}"
        return Array(text.utf8)
    }
}
