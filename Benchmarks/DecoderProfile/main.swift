// The AIDX (or MVT) decoder alone over the simulated day's frames, for callgrind
// (scripts/callgrind-decoder builds it with DWARF 4; docs/PERFORMANCE.md). Not a SwiftPM target.
import AirportSimulator
import FeedFormats
import FlightModel

let arguments = CommandLine.arguments
let format = SimulatedFormat(rawValue: arguments.count > 1 ? arguments[1] : "aidx") ?? .aidx
let flights = arguments.count > 2 ? Int(arguments[2]) ?? 100 : 100
let day = AirportDay(airport: "BEN", flights: flights, seed: 11, dayStart: 1_795_478_400)
var writer = SimulatedFeedWriter(format: format)
let frames = day.messages().compactMap { writer.frame(for: $0) }.map { frame in
    format == .aidx ? Array(frame.dropFirst().dropLast()) : Array(frame.dropLast())
}
let decoder: any FrameDecoder = format == .aidx ? AIDXDecoder(airport: "BEN") : MVTDecoder(airport: "BEN")
let context = FrameContext(feed: "aodb", position: "profile@0", receivedAt: Timestamp(millisecondsSinceEpoch: 1_795_500_000_000))
var updates = 0
var rejected = 0
for frame in frames {
    do {
        updates += try decoder.decode(frame, context: context).count
    } catch {
        rejected += 1
    }
}
print("\(frames.count) \(format) frames, \(frames.reduce(0) { $0 + $1.count } / max(1, frames.count)) B avg: \(updates) updates, \(rejected) rejected")
