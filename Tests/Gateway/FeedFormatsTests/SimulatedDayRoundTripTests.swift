import AirportSimulator
import FeedFormats
import FlightModel
import Testing

/// `flightedge simulate --format aidx|mvt` writes the same day as `--format jsonl`: each message
/// read back by the project's own decoders gives the jsonl line's facts, as far as the format
/// can carry them (SimulatedFeedWriter lists what each carries).
@Suite struct SimulatedDayRoundTripTests {
    /// 400 flights: every kind of message of the day (cancellations, reinstatements,
    /// diversions, gate and belt changes) appears several times.
    static let messages = AirportDay(airport: "ZRH", flights: 400, seed: 16, dayStart: 1_796_428_800).messages()

    /// A message's jsonl line, decoded.
    static func jsonl(_ message: AirportDay.Message) throws -> FlightUpdate {
        let updates = try JSONLinesDecoder().decode(Array(message.json.utf8), context: context(message))
        try #require(updates.count == 1)
        return updates[0]
    }

    static func context(_ message: AirportDay.Message) -> FrameContext {
        FrameContext(feed: "aodb", receivedAt: Timestamp(millisecondsSinceEpoch: message.time * 1000))
    }

    /// A frame's bytes as the stx-etx framing hands them to the decoder: without the STX and
    /// ETX around an AIDX document, with the Type B heading (SOH … STX) of an MVT.
    static func unframed(_ frame: [UInt8], _ format: SimulatedFormat) -> [UInt8] {
        format == .aidx ? Array(frame.dropFirst().dropLast()) : Array(frame.dropLast())
    }

    @Test func aidxDayDecodesToTheJSONLinesDay() throws {
        var writer = SimulatedFeedWriter(format: .aidx)
        let decoder = AIDXDecoder(airport: "ZRH")
        var statuses: Set<FlightStatus> = []
        var sizes = 0
        for message in Self.messages {
            let expected = try Self.jsonl(message)
            let written = writer.frame(for: message)
            let frame = try #require(written)
            #expect(frame.first == 0x02 && frame.last == 0x03)
            sizes += frame.count
            let updates = try decoder.decode(Self.unframed(frame, .aidx), context: Self.context(message))
            try #require(updates.count == 1, "\(message.json)")
            let update = updates[0]
            #expect(update.key == expected.key)
            #expect(update.sourceTime == expected.sourceTime)
            for field in expected.presentFields {
                #expect(update[field] == expected[field], "\(field) of \(message.json)")
            }
            // What AIDX says besides: the leg's airports (every LegIdentifier names them) and
            // the source's status code.
            let origin: FieldValue = .text(expected.key.direction == .departure ? "ZRH" : update.text(.origin) ?? "")
            for field in Set(update.presentFields).subtracting(expected.presentFields) {
                #expect([.origin, .destination, .rawStatus].contains(field), "\(field) of \(message.json)")
                if field == .origin { #expect(update[.origin] == .value(origin)) }
                if field == .destination, expected.key.direction == .arrival { #expect(update[.destination] == .value(.text("ZRH"))) }
            }
            if let status = expected.status { statuses.insert(status) }
        }
        #expect(statuses.isSuperset(of: [.scheduled, .checkIn, .delayed, .gateOpen, .boarding, .finalCall, .gateClosed,
            .departed, .airborne, .landed, .arrived, .cancelled, .diverted]))
        // Shaped like the Amadeus samples (4.7–10.8 kB).
        #expect((6_000...11_000).contains(sizes / Self.messages.count))
    }

    @Test func mvtDayDecodesToTheMovementsOfTheJSONLinesDay() throws {
        var writer = SimulatedFeedWriter(format: .mvt)
        let decoder = MVTDecoder(airport: "ZRH")
        var known: [FlightKey: [FlightField: FlightUpdate.Fact]] = [:]
        var written = 0
        for message in Self.messages {
            let expected = try Self.jsonl(message)
            defer { for field in expected.presentFields { known[expected.key, default: [:]][field] = expected[field] } }
            let carried = Self.movementFields(expected)
            guard let frame = writer.frame(for: message) else {
                #expect(carried.isEmpty, "MVT carries \(carried) of \(message.json)")
                continue
            }
            written += 1
            #expect(frame.first == 0x01 && frame.last == 0x03)
            let updates = try decoder.decode(Self.unframed(frame, .mvt), context: Self.context(message))
            try #require(updates.count == 1, "\(message.json)")
            let update = updates[0]
            #expect(update.key == expected.key)
            #expect(update.sourceTime == expected.sourceTime)
            #expect(!carried.isEmpty)
            for field in carried {
                #expect(update[field] == expected[field], "\(field) of \(message.json)")
            }
            // What MVT repeats or adds: the flight line's station, the off-block again with the
            // take-off, the touchdown again with the on-block, the touchdown estimate (EA), and
            // the message kind and element as the raw status.
            for field in Set(update.presentFields).subtracting(carried) {
                switch field {
                case .origin, .destination, .actual, .runwayActual:
                    let before = known[expected.key]?[field] ?? .absent
                    let origin: FlightUpdate.Fact = expected.key.direction == .departure ? .value(.text("ZRH")) : before
                    let destination: FlightUpdate.Fact = expected.key.direction == .arrival ? .value(.text("ZRH")) : before
                    let wanted = field == .origin ? origin : field == .destination ? destination : before
                    #expect(update[field] == wanted, "\(field) of \(message.json)")
                case .runwayEstimated:
                    #expect(expected.key.direction == .arrival)
                case .rawStatus:
                    #expect(update.text(.rawStatus)?.hasPrefix("MVT") == true || update.text(.rawStatus) == "DIV")
                default:
                    Issue.record("MVT adds \(field) to \(message.json)")
                }
            }
        }
        #expect(written > Self.messages.count / 4)
    }

    /// What of a jsonl update MVT carries: movements and their times, nothing about schedules,
    /// resources, boarding, cancellations or remarks.
    static func movementFields(_ update: FlightUpdate) -> Set<FlightField> {
        let status = update.status
        if update.key.direction == .departure {
            if status == .departed || status == .airborne { return [.status, .actual, .runwayActual].filter { update[$0] != .absent }.set }
            if update[.estimated] != .absent { return status == .delayed ? [.estimated, .status] : [.estimated] }
            return []
        }
        switch status {
        case .airborne: return [.status, .estimated]
        case .landed: return [.status, .runwayActual]
        case .arrived: return [.status, .actual]
        case .diverted: return [.status, .destination]
        default: return []
        }
    }
}

extension Array where Element: Hashable {
    fileprivate var set: Set<Element> { Set(self) }
}
