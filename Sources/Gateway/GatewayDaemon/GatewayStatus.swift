import Foundation

/// The retained `{prefix}/{IATA}/status` payload (DESIGN.md §5): the daemon's liveness.
public struct GatewayStatus: Sendable {
    public var bootID: String
    public var version: String
    public var startedAt: String

    public init(version: String) {
        self.bootID = UUID().uuidString.lowercased()
        self.version = version
        self.startedAt = ISO8601DateFormatter().string(from: Date())
    }

    /// `{"state":"online"|"offline","boot_id":…,"version":…,"started_at":…}`
    public func payload(online: Bool) -> [UInt8] {
        let state = online ? "online" : "offline"
        return Array(
            #"{"state":"\#(state)","boot_id":"\#(bootID)","version":"\#(version)","started_at":"\#(startedAt)"}"#.utf8)
    }
}
