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

    @Test func anEventIDIsUUID5OfAirportFlightSeqAndKind() {
        // uuid.uuid5(uuid.UUID("b4608434-5751-5105-bd6b-519cca72d177"), "ZRH/LX1234-20261124-D/17/gate-change")
        #expect(
            EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 17, kind: .gateChange)
                == "2fc21439-742c-578c-bbf3-e7f9efcb4eda")
        // The seq's digits at both ends: a single zero, and ten digits.
        #expect(
            EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 0, kind: .delay)
                == "d2c6ca39-aed5-5d4d-863a-cdf505292c65")
        #expect(
            EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 1_234_567_890, kind: .cancellation)
                == "389c42e2-4caf-5122-bab1-984c9e5cc3cc")
    }

    @Test func oneFlightAtTwoAirportsGivesTwoIDs() {
        // LX1234 ZRH-GVA-NCE departs from ZRH and from GVA under one flight id.
        #expect(
            EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 3, kind: .delay)
                != EventID.make(airport: "GVA", flightID: "LX1234-20261124-D", seq: 3, kind: .delay))
    }

    @Test func differentFlightSeqOrKindGiveDifferentIDs() {
        let base = EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 1, kind: .gateChange)
        #expect(base == EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 1, kind: .gateChange))
        #expect(base != EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 2, kind: .gateChange))
        #expect(base != EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 1, kind: .delay))
        #expect(base != EventID.make(airport: "ZRH", flightID: "LX1234-20261124-A", seq: 1, kind: .gateChange))
        let all = Set(EventKind.allCases.map { EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 1, kind: $0) })
        #expect(all.count == EventKind.allCases.count)
    }

    @Test func eventsCarryTheirID() {
        let event = FlightEvent(
            kind: .cancellation, airport: "ZRH", flightID: "LX1234-20261124-D", seq: 3, occurredAt: Fixtures.received, previous: [],
            current: [(.status, .status(.cancelled))])
        #expect(event.eventID == EventID.make(airport: "ZRH", flightID: "LX1234-20261124-D", seq: 3, kind: .cancellation))
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
