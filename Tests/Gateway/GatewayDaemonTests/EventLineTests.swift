import FlightModel
import Publisher
import Testing

@testable import GatewayDaemon

/// `flightedge watch`'s lines, from the payloads the pipeline renders.
@Suite struct EventLineTests {
    @Test func aGateChangeReadsAsOldToNew() throws {
        var builder = BatchBuilderTests.builder()
        _ = BatchBuilderTests.build([BatchBuilderTests.frame(BatchBuilderTests.gate("A12"))], with: &builder)
        let batch = BatchBuilderTests.build(
            [BatchBuilderTests.frame(BatchBuilderTests.gate("B34", at: "2026-11-24T05:02:00Z"))], with: &builder)
        let event = try #require(batch.events.first { $0.topic.hasSuffix("/gate-change") })
        let line = try #require(EventLine.describe(topic: event.topic, payload: event.payload, root: "flightedge/ZRH"))
        #expect(line.contains("gate-change"))
        #expect(line.contains("LX1234"))
        #expect(line.contains("gate A12 → B34"), "\(line)")
    }

    @Test func aClearedRetainedTopicSaysCleared() {
        let line = EventLine.describe(topic: "flightedge/ZRH/flights/LX1234-20261124-D", payload: [], root: "flightedge/ZRH")
        #expect(line?.hasSuffix("cleared      flights/LX1234-20261124-D") == true)
    }

    @Test func aPayloadThatIsNotJSONIsNoLine() {
        #expect(EventLine.describe(topic: "flightedge/ZRH/events/delay", payload: Array("garbage".utf8), root: "flightedge/ZRH") == nil)
    }
}
