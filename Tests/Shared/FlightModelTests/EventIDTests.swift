import FlightModel
import Testing

@Suite struct EventIDTests {
    @Test func theNamespaceIsTheDocumentedConstant() {
        #expect(EventID.namespaceText == "b4608434-5751-5105-bd6b-519cca72d177")
        #expect(
            UUIDv5.string(UUIDv5.make(namespace: UUIDv5.urlNamespace, name: "https://flightedge.dev/events"))
                == EventID.namespaceText)
        #expect(UUIDv5.string(EventID.namespace) == EventID.namespaceText)
    }

    @Test func anEventIDIsUUID5OfFlightSeqAndKind() {
        // uuid.uuid5(uuid.UUID("b4608434-5751-5105-bd6b-519cca72d177"), "LX1234-20261124-D/17/gate-change")
        #expect(
            EventID.make(flightID: "LX1234-20261124-D", seq: 17, kind: .gateChange)
                == "b275b135-061c-5a9a-a7f7-903c989938a2")
    }

    @Test func differentFlightSeqOrKindGiveDifferentIDs() {
        let base = EventID.make(flightID: "LX1234-20261124-D", seq: 1, kind: .gateChange)
        #expect(base == EventID.make(flightID: "LX1234-20261124-D", seq: 1, kind: .gateChange))
        #expect(base != EventID.make(flightID: "LX1234-20261124-D", seq: 2, kind: .gateChange))
        #expect(base != EventID.make(flightID: "LX1234-20261124-D", seq: 1, kind: .delay))
        #expect(base != EventID.make(flightID: "LX1234-20261124-A", seq: 1, kind: .gateChange))
        let all = Set(EventKind.allCases.map { EventID.make(flightID: "LX1234-20261124-D", seq: 1, kind: $0) })
        #expect(all.count == EventKind.allCases.count)
    }

    @Test func eventsCarryTheirID() {
        let event = FlightEvent(
            kind: .cancellation, flightID: "LX1234-20261124-D", seq: 3, occurredAt: Fixtures.received, previous: [],
            current: [(.status, .status(.cancelled))])
        #expect(event.eventID == EventID.make(flightID: "LX1234-20261124-D", seq: 3, kind: .cancellation))
        #expect(event.eventID == event.eventID.lowercased())
        #expect(event.eventID.count == 36)
    }

    @Test func eventKindsAreTheDesignsNames() {
        #expect(
            EventKind.allCases.map(\.rawValue) == [
                "gate-change", "delay", "cancellation", "reinstatement", "diversion", "boarding", "gate-closed",
                "departure",
                "arrival", "belt-change", "terminal-change",
            ])
    }
}
