import Boards
import FlightModel
import JSON
import Testing

@Suite struct ServerSentEventTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func anEventIsFieldsThenDataThenAnEmptyLine() {
        #expect(text(ServerSentEvent.event("update", id: "b.3", data: "{}")) == "event: update\nid: b.3\ndata: {}\n\n")
    }

    @Test func lineBreaksInDataBecomeSeveralDataLines() {
        #expect(text(ServerSentEvent.event(data: "a\nb\r\nc\rd")) == "data: a\ndata: b\ndata: c\ndata: d\n\n")
    }

    @Test func fieldsCannotBeSplitByInjectedLineBreaks() {
        #expect(text(ServerSentEvent.event("x\ndata: evil", id: "1\n\n", data: "")) == "event: xdata: evil\nid: 1\ndata: \n\n")
    }

    @Test func theHeartbeatIsACommentAndAStatusWithoutAnID() {
        let heartbeat = text(BoardEvents.heartbeat(now: 5, staleFeeds: ["aodb"]))
        #expect(heartbeat.hasPrefix(": heartbeat\n\n"))
        #expect(heartbeat.hasSuffix("event: status\ndata: {\"now\":5,\"stale\":[\"aodb\"]}\n\n"))
        #expect(!heartbeat.contains("id:"))
    }

    @Test func anUpdateEventIsOneLineOfJSONWithEachRowsValues() throws {
        var state = BoardState(boot: "b")
        let updateChange = state.apply([
            BoardFixtures.flight([
                (.gate, .text("A\n1")), (.destination, .text("LHR")), (.status, .status(.boarding)),
                (.scheduled, .time(BoardFixtures.time("06:30"))),
            ])
        ])
        let update = try #require(updateChange)
        let event = text(BoardEvents.update(update, asOf: 9, settings: BoardFixtures.settings))
        let lines = event.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5)  // event, id, data, and the empty line's two ends
        #expect(lines[1] == "id: b.1")
        let json = try JSONParser.parse(Array(lines[2].dropFirst("data: ".count).utf8))
        guard case .object(let event) = json, case .array(let flights)? = event["flights"], case .object(let flight)? = flights.first
        else {
            Issue.record("not an object with flights: \(json)")
            return
        }
        #expect(flight["id"]?.stringValue == "LX1234-20261124-D")
        #expect(flight["gate"]?.stringValue == "A\n1")
        #expect(flight["st"]?.stringValue == "boarding")
        #expect(flight["sched"]?.stringValue == "07:30")
        #expect(flight["est"] == nil)
        #expect(flight["belt"] == nil)  // a departure's row has no belt
        #expect(flight["place"]?.stringValue == "LHR")
        #expect(flight["name"]?.stringValue == "London Heathrow")
        #expect(flight["des"] == .array([.string("LX 1234")]))
        // Values, not markup: the row's HTML is built by the page (a fifth of the bytes per screen).
        #expect(flight["html"] == nil)
        #expect(!lines[2].contains("<td"))
    }
}
