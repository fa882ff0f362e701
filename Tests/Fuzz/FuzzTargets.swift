// libFuzzer entry for every decoder and framer; built and run by scripts/fuzz (not by SwiftPM).
// FUZZ_TARGET picks what the inputs go to. A crash, a hang, a leak or memory over the limit is
// a finding; a thrown DecodeError is the expected answer to bad input.
import Configuration
import FeedFormats
import FeedFraming
import FlightModel
import MQTTWire

#if canImport(Glibc)
import Glibc
#endif

/// What one fuzzing run exercises.
enum FuzzTarget {
    case decoder(any FrameDecoder)
    case framer(Framing)
    /// A broker's byte stream, read as MQTT packets in both protocol versions.
    case mqtt

    static let current: FuzzTarget = {
        let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
        switch name {
        case "lf": return .framer(.lf)
        case "stx-etx": return .framer(.stxEtx)
        case "length-prefix": return .framer(.lengthPrefix)
        case "mqtt": return .mqtt
        default:
            guard let format = FeedFormat(rawValue: name) else {
                fatalError("FUZZ_TARGET must be a format (aidx, mvt, csv, jsonl), a framing (lf, stx-etx, length-prefix) or mqtt")
            }
            do {
                return .decoder(try decoder(for: format))
            } catch {
                fatalError("cannot set up the \(name) decoder: \(error)")
            }
        }
    }()

    static func decoder(for format: FeedFormat) throws(DecoderSetupError) -> any FrameDecoder {
        guard format == .csv else { return try DecoderCatalog.decoder(for: format, airport: nil) }
        let feed = FeedConfig(
            name: "fuzz", format: .csv, transport: .spoolDir, path: "/", framing: .lf,
            options: CSVFuzzOptions.heathrow)
        return try DecoderCatalog.decoder(for: feed, airport: AirportConfig(iata: "LHR", timezone: "Europe/London"))
    }

    func run(_ bytes: [UInt8]) {
        switch self {
        case .decoder(let decoder): Self.decode(bytes, with: decoder)
        case .framer(let framing): Self.frame(bytes, with: framing)
        case .mqtt: Self.readPackets(bytes)
        }
    }

    /// Reads packets from the front until the parser wants more or refuses; every packet it
    /// takes must be of at least two bytes and lie inside what it was given.
    static func readPackets(_ bytes: [UInt8]) {
        for version in [MQTTProtocolVersion.v311, .v5] {
            var offset = 0
            while offset < bytes.count {
                let parsed = try? bytes[offset...].withUnsafeBytes { try MQTTPacketParser.parse($0, version: version) }
                guard let (_, length) = parsed else { break }
                guard length >= 2, offset + length <= bytes.count else {
                    fatalError("a packet of \(length) bytes at \(offset) of \(bytes.count)")
                }
                offset += length
            }
        }
    }

    static let context = FrameContext(
        feed: "fuzz", receivedAt: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000))

    /// Decodes; every update must survive a round trip through the normalized JSON.
    static func decode(_ bytes: [UInt8], with decoder: any FrameDecoder) {
        guard let updates = try? decoder.decode(bytes, context: context) else { return }
        for update in updates {
            let line = update.normalizedJSON()
            guard let back = try? JSONLinesDecoder().decode(line, context: context), back.count == 1 else {
                fatalError("update does not decode back from its own JSON: \(String(decoding: line, as: UTF8.self))")
            }
            guard back[0] == update else {
                fatalError("round trip changed the update: \(String(decoding: line, as: UTF8.self))")
            }
        }
    }

    /// Frames the bytes in chunks whose sizes the input's first byte picks; checks the framer's
    /// promises: frames within the limit, offsets in order and inside the stream.
    static func frame(_ input: [UInt8], with framing: Framing) {
        guard let first = input.first else { return }
        let chunkSize = Int(first % 17) + 1
        let bytes = input.dropFirst()
        let limit = 256
        var framer = makeFramer(framing, maxFrameBytes: limit)
        var outputs: [FramerOutput] = []
        var index = bytes.startIndex
        while index < bytes.endIndex, framer.failure == nil {
            let next = min(index + chunkSize, bytes.endIndex)
            framer.consume(bytes[index..<next], into: &outputs)
            index = next
        }
        framer.finish(into: &outputs)
        var previousEnd: Int64 = 0
        for output in outputs {
            let (kept, offset) =
                switch output {
                case .frame(let bytes, let offset, _): (bytes.count, offset)
                case .oversize(let prefix, let offset, _, _): (prefix.count, offset)
                case .broken(let bytes, let offset, _, _): (bytes.count, offset)
                }
            guard kept <= limit, offset >= previousEnd, offset <= output.end,
                output.end <= Int64(bytes.count)
            else {
                fatalError("framer broke a promise: \(output) after end \(previousEnd) of \(bytes.count) bytes")
            }
            previousEnd = output.end
        }
    }
}

/// The Heathrow arrivals mapping, as `conf/feeds/heathrow-arrivals.toml` ships it, for fuzzing
/// the csv decoder.
enum CSVFuzzOptions {
    static let heathrow: [String: ConfigValue] = [
        "direction": .string("arrival"),
        "timezone": .string("Europe/London"),
        "time_format": .string("HH:mm dd/MM/yyyy"),
        "header": .strings([
            "Term", "Flight No", "Operator", "From", "Airport name", "Scheduled", "Estimated", "Touchdown", "Est Chocks",
            "Act Chocks", "Stand", "Max pax", "Act Pax", "Conn pax",
        ]),
        "columns": .table([
            "terminal": .string("Term"), "flight": .string("Flight No"), "origin": .string("From"),
            "scheduled": .string("Scheduled"), "runway_estimated": .string("Estimated"), "runway_actual": .string("Touchdown"),
            "estimated": .string("Est Chocks"), "actual": .string("Act Chocks"), "stand": .string("Stand"),
        ]),
    ]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzTarget.current.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
