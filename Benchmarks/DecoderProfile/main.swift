// The AIDX (or MVT) decoder alone over the simulated day's frames, for callgrind
// (scripts/callgrind-decoder builds it with DWARF 4; docs/PERFORMANCE.md). Not a SwiftPM target.
import AirportSimulator
import FeedFormats
import FeedFraming
import FlightModel

let arguments = CommandLine.arguments
let format = SimulatedFormat(rawValue: arguments.count > 1 ? arguments[1] : "aidx") ?? .aidx
let flights = arguments.count > 2 ? Int(arguments[2]) ?? 100 : 100
let day = AirportDay(airport: "BEN", flights: flights, seed: 11, dayStart: 1_795_478_400)
var writer = SimulatedFeedWriter(format: format)
let frames = day.messages().compactMap { writer.frame(for: $0) }.map { frame in
    format == .aidx ? Array(frame.dropFirst().dropLast()) : Array(frame.dropLast())
}
extension SimulatedFeedWriter {
    /// The frame of one message, for a format whose writer keeps no state between messages.
    func frameOnce(_ message: AirportDay.Message) -> [UInt8]? {
        var writer = self
        return writer.frame(for: message)
    }
}

let decoder: any FrameDecoder = format == .aidx ? AIDXDecoder(airport: "BEN") : MVTDecoder(airport: "BEN")
let context = FrameContext(feed: "aodb", receivedAt: Timestamp(millisecondsSinceEpoch: 1_795_500_000_000))
var updates = 0
var rejected = 0
for frame in frames {
    do {
        updates += try decoder.decode(frame, context: context).count
    } catch {
        rejected += 1
    }
}
// The same day through the stx-etx framer, in reads of 64 KB as a TCP feed gets them (counted
// apart: callgrind's toggle is on the framer's consume when the script asks for "framing").
let stream = Array(day.messages().compactMap { SimulatedFeedWriter(format: format).frameOnce($0) }.joined())
var framer = ControlCharacterFramer(maxFrameBytes: 1 << 20)
var outputs: [FramerOutput] = []
var framed = 0
var start = 0
while start < stream.count {
    outputs.removeAll(keepingCapacity: true)
    stream[start..<min(stream.count, start + 65_536)].withUnsafeBytes { framer.consume($0, into: &outputs) }
    framed += outputs.count
    start += 65_536
}
print("framed \(framed) frames of \(stream.count) bytes")
print("\(frames.count) \(format) frames, \(frames.reduce(0) { $0 + $1.count } / max(1, frames.count)) B avg: \(updates) updates, \(rejected) rejected")
