import AirportSimulator
import FeedFormats
import FeedIngest
import FlightEdgeTestSupport
import FlightModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The simulated day in a real AODB format (`flightedge simulate --format aidx|mvt`), fed over
/// `tcp-listen` with `stx-etx` framing, beside the decoder's own rate on one core and on all
/// cores (``OrderedDecoder``) over the same frames, measured in the same run.
enum FormatDay {
    struct Result {
        var format: SimulatedFormat
        var messages: Int
        var meanBytes: Int
        /// Decoded frames per second: one core, frame by frame; and in reads of 64 KB through
        /// the daemon's OrderedDecoder on every core.
        var serialRate: Double
        var parallelRate: Double
        /// Cores the parallel decode obtained: this process's CPU time over its wall time (the
        /// machine is shared: under load the second core is not there to take).
        var parallelCores: Double
        var seconds: Double
        var cpuSeconds: Double
        var services: ServiceCPU
        var peakRSSMegabytes: Double
        var messagesPerSecond: Double { Double(messages) / seconds }
        /// The daemon's decode CPU, taken as what the same frames cost the single-core decoder.
        var decodeCPUSeconds: Double { Double(messages) / serialRate }
    }

    /// The day's frames, framing bytes included (as `simulate` writes them).
    static func frames(_ format: SimulatedFormat, flights: Int, airport: String) -> [[UInt8]] {
        let day = AirportDay(airport: airport, flights: flights, seed: 11, dayStart: BenchDay.start)
        var writer = SimulatedFeedWriter(format: format)
        return day.messages().compactMap { writer.frame(for: $0) }
    }

    static func decoder(_ format: SimulatedFormat, airport: String) -> any FrameDecoder {
        switch format {
        case .aidx: AIDXDecoder(airport: airport)
        case .mvt: MVTDecoder(airport: airport)
        case .jsonl: JSONLinesDecoder()
        }
    }

    /// What the daemon's feed task does with one frame (FrameDecoding's mapping, for the bench).
    static func decode(_ decoder: any FrameDecoder) -> @Sendable (Frame) -> DecodedFrame {
        { frame in
            let context = FrameContext(
                feed: frame.feed,
                receivedAt: Timestamp(millisecondsSinceEpoch: frame.receivedAtMilliseconds))
            do throws(DecodeError) {
                return .updates(try decoder.decode(frame.bytes, context: context))
            } catch {
                return .rejected(message: error.message, location: error.location)
            }
        }
    }

    /// Frames/s of decoding `frames` one by one on this task, and in reads of 64 KB (as a TCP
    /// read brings them) through an OrderedDecoder on every core.
    static func decodeRates(
        _ format: SimulatedFormat, frames framed: [[UInt8]], airport: String
    ) async -> (serial: Double, parallel: Double, cores: Double) {
        let decode = decode(decoder(format, airport: airport))
        var offset: Int64 = 0
        let frames = framed.map { bytes in
            // What stx-etx hands on: an AIDX document without STX and ETX, a Type B message without its ETX.
            let inner = format == .aidx ? Array(bytes.dropFirst().dropLast()) : Array(bytes.dropLast())
            defer { offset += Int64(bytes.count) }
            return Frame(
                feed: "aodb", position: .stream(peer: "bench", connection: 1, offset: offset), bytes: inner,
                receivedAtMilliseconds: 1_795_500_000_000)
        }
        var started = now()
        var rejected = 0
        for frame in frames {
            if case .rejected = decode(frame) { rejected += 1 }
        }
        let serial = Double(frames.count) / (now() - started)
        if rejected > 0 { FileHandle.standardError.write(Data("  \(format): \(rejected) frames rejected\n".utf8)) }
        var reads: [[Frame]] = [[]]
        var readBytes = 0
        for frame in frames {
            if readBytes + frame.bytes.count > 65_536, !reads[reads.count - 1].isEmpty {
                reads.append([])
                readBytes = 0
            }
            reads[reads.count - 1].append(frame)
            readBytes += frame.bytes.count
        }
        let ordered = OrderedDecoder(decode: decode)
        let cpuBefore = processCPUSeconds()
        started = now()
        for var read in reads { await ordered.decode(&read) }
        let wall = now() - started
        return (serial, Double(frames.count) / wall, (processCPUSeconds() - cpuBefore) / wall)
    }

    /// User and system CPU seconds of this process so far, all threads.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func run(_ environment: BenchEnvironment, format: SimulatedFormat, flights: Int, stateQoS: Int) async throws -> Result {
        let feedPort = try Loopback.freePort()
        let feed = """

            [[feeds]]
            name = "\(format)"
            format = "\(format)"
            transport = "tcp-listen"
            address = "127.0.0.1:\(feedPort)"
            framing = "stx-etx"
            allow = ["127.0.0.0/8"]
            precedence = 10
            max_frame_bytes = 1048576
            """
        let daemon = try DaemonProcess(
            databaseURL: try environment.freshDatabase("fe_bench_\(format)"), extraFeeds: feed, stateQoS: stateQoS,
            airport: "BEN", clientID: "fe-bench-\(format)-\(getpid())",
            folder: environment.scratch.appendingPathComponent("bench").appendingPathComponent(format.rawValue),
            binary: Repository.root.appendingPathComponent(".build/release/flightedge"), logLevel: "notice",
            systemdNotify: false)
        let frames = frames(format, flights: flights, airport: "BEN")
        let rates = await decodeRates(format, frames: frames, airport: "BEN")
        let stream = Array(frames.joined())
        try daemon.start(waitingFor: .healthy)
        defer { daemon.stop() }
        let cpuBefore = daemon.cpuSeconds
        let servicesBefore = ServiceCPU.now(scratch: environment.scratch)
        let started = now()
        let socket = try Loopback.connect(port: feedPort, noDelay: true)
        try Loopback.writeAll(socket, stream)
        close(socket)
        let finished = try daemon.waitUntilDone(frames: frames.count)
        return Result(
            format: format, messages: frames.count, meanBytes: stream.count / max(1, frames.count), serialRate: rates.serial,
            parallelRate: rates.parallel, parallelCores: rates.cores, seconds: finished - started, cpuSeconds: daemon.cpuSeconds - cpuBefore,
            services: ServiceCPU.now(scratch: environment.scratch) - servicesBefore, peakRSSMegabytes: daemon.peakResidentMegabytes)
    }
}
