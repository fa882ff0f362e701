import Foundation
import Testing

@testable import GatewayDaemon

/// The retained `status` payload (docs/MQTT.md, `flightedge.status/1`): `online`, the clean
/// stop's `offline` and the last will (the same `offline` payload, GatewayService) name their
/// schema like every other payload and keep the members the relay reads.
@Suite struct GatewayStatusTests {
    static func object(_ payload: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
    }

    @Test func onlineOfflineAndTheWillNameTheirSchemaAndKeepEveryMember() throws {
        let status = GatewayStatus(version: "1.2.3")
        let online = try Self.object(status.payload(online: true))
        let offline = try Self.object(status.payload(online: false))
        let head = try Self.object(status.payload(online: true, streamSeq: 48_213))
        for (payload, state) in [(online, "online"), (offline, "offline"), (head, "online")] {
            #expect(payload["schema"] as? String == "flightedge.status/1")
            #expect(payload["state"] as? String == state)
            #expect(payload["boot_id"] as? String == status.bootID)
            #expect(payload["version"] as? String == "1.2.3")
            #expect(payload["started_at"] as? String == status.startedAt)
        }
        #expect((head["stream_seq"] as? NSNumber)?.int64Value == 48_213)
        #expect(online["stream_seq"] == nil && offline["stream_seq"] == nil)
        #expect(GatewayStatus.schema == "flightedge.status/1")
    }

    @Test func startedAtIsNowInWholeUTCSeconds() throws {
        let before = Date().timeIntervalSince1970.rounded(.down)
        let status = GatewayStatus(version: "1.2.3")
        let after = Date().timeIntervalSince1970
        // `2026-12-06T20:25:44Z`: no fraction, no offset, as ISO8601DateFormatter wrote it.
        #expect(status.startedAt.utf8.count == 20 && status.startedAt.hasSuffix("Z"), "\(status.startedAt)")
        let parsed = try #require(ISO8601DateFormatter().date(from: status.startedAt)).timeIntervalSince1970
        #expect(parsed >= before && parsed <= after)
    }
}
