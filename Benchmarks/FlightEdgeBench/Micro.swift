import Channels
import Configuration
import CoreMetrics
import FeedFormats
import FlightModel
import Foundation
import Prometheus
import SMTPChannel
import Telemetry

/// The hot parts alone, in this process: how much each costs per message.
enum Micro {
    /// conf/feeds/heathrow-arrivals.toml's mapping.
    static let heathrow: [String: ConfigValue] = [
        "direction": .string("arrival"), "timezone": .string("Europe/London"), "time_format": .string("HH:mm dd/MM/yyyy"),
        "columns": .table([
            "terminal": .integer(1), "flight": .integer(2), "origin": .integer(4), "scheduled": .integer(6),
            "runway_estimated": .integer(7), "runway_actual": .integer(8), "estimated": .integer(9), "actual": .integer(10),
            "stand": .integer(11),
        ]),
    ]

    struct Figure {
        var name: String
        var perSecond: Double
        var megabytesPerSecond: Double?
    }

    /// Runs `body` over `inputs` until at least `seconds` have passed; operations/s.
    static func measure<Input>(_ inputs: [Input], seconds: Double = 1.5, _ body: (Input) -> Void) -> Double {
        var operations = 0
        let started = now()
        while now() - started < seconds {
            for input in inputs { body(input) }
            operations += inputs.count
        }
        return Double(operations) / (now() - started)
    }

    /// E-mails/s the relay's e-mail channel builds from `message` (each send builds its own).
    static func mail(_ message: OutgoingMessage) throws -> Figure {
        let from = try MailAddress("alerts@bench.example", displayName: "FlightEdge Bench")
        let to = try MailAddress("passenger@bench.example")
        let date = Date(timeIntervalSince1970: 1_795_500_000)
        var bytes = 0
        let rate = measure([message]) { message in bytes &+= (try? MailMessage(message, from: from, to: to, date: date))?.bytes.count ?? 0 }
        precondition(bytes > 0, "the benchmark's message was refused")
        let content = message.text.utf8.count + (message.html?.utf8.count ?? 0)
        return Figure(
            name: "e-mail built (MailMessage: headers, text and HTML parts in quoted-printable, \(content) B of content)",
            perSecond: rate)
    }

    /// Messages/s and MB/s of a decoder over frames it accepts (frames it rejects are left out,
    /// so a refusal's shortcut cannot flatter the figure).
    static func decoder(_ name: String, _ decoder: any FrameDecoder, _ frames: [[UInt8]]) -> Figure? {
        let context = FrameContext(feed: "bench", receivedAt: Timestamp(millisecondsSinceEpoch: 1_795_500_000_000))
        let accepted = frames.filter { (try? decoder.decode($0, context: context))?.isEmpty == false }
        guard !accepted.isEmpty else { return nil }
        let bytes = accepted.reduce(0) { $0 + $1.count }
        let rate = measure(accepted) { frame in _ = try? decoder.decode(frame, context: context) }
        return Figure(
            name: "decode \(name) (\(accepted.count) distinct messages, \(bytes / accepted.count) B avg)", perSecond: rate,
            megabytesPerSecond: rate * Double(bytes) / Double(accepted.count) / 1e6)
    }

    static func run(day lines: [String], samples: [String: [[UInt8]]]) -> [Figure] {
        var figures: [Figure] = []
        let frames = lines.prefix(50_000).map { Array($0.utf8) }
        if let figure = decoder("jsonl", JSONLinesDecoder(), Array(frames.prefix(5000))) { figures.append(figure) }
        for (format, inputs) in samples.sorted(by: { $0.key < $1.key }) where !inputs.isEmpty {
            guard let feedFormat = FeedFormat(rawValue: format) else { continue }
            let decoder: (any FrameDecoder)?
            if feedFormat == .csv {
                decoder = try? CSVDecoder(
                    feed: FeedConfig(name: "lhr", format: .csv, transport: .spoolDir, path: "/", framing: .lf, options: heathrow),
                    airport: AirportConfig(iata: "LHR", timezone: "Europe/London"))
            } else {
                decoder = try? DecoderCatalog.decoder(for: feedFormat, airport: nil)
            }
            if let decoder, let figure = Self.decoder(format, decoder, inputs) { figures.append(figure) }
        }

        // The state engine: merge and derive events, the whole day in order.
        let context = FrameContext(feed: "aodb", receivedAt: Timestamp(millisecondsSinceEpoch: 1_795_500_000_000))
        let updates = frames.compactMap { try? JSONLinesDecoder().decode($0, context: context).first }
        var merged = 0
        var started = now()
        while now() - started < 1.5 {
            var engine = StateEngine(airport: "ZRH")
            for update in updates { _ = engine.apply(update, receivedAt: context.receivedAt) }
            merged += updates.count
        }
        figures.append(Figure(name: "state engine merges", perSecond: Double(merged) / (now() - started)))

        // Payload encoding: the retained flight state and one event per state.
        var engine = StateEngine(airport: "ZRH")
        var states: [FlightState] = []
        var events: [(FlightEvent, FlightState)] = []
        for update in updates {
            guard let applied = engine.apply(update, receivedAt: context.receivedAt) else { continue }
            states.append(applied.state)
            for event in applied.events { events.append((event, applied.state)) }
        }
        let payloadContext = PayloadContext(airport: "BEN", zone: ZoneRules.named("Europe/Zurich") ?? .utc)
        var bytes = 0
        started = now()
        var encoded = 0
        while now() - started < 1.5 {
            for state in states.prefix(20_000) { bytes += FlightPayload.encode(state, previousSeq: state.seq - 1, context: payloadContext).count }
            encoded += min(states.count, 20_000)
        }
        var elapsed = now() - started
        figures.append(Figure(name: "encode flight state JSON", perSecond: Double(encoded) / elapsed, megabytesPerSecond: Double(bytes) / elapsed / 1e6))
        bytes = 0
        encoded = 0
        started = now()
        while now() - started < 1.5 {
            for (event, state) in events.prefix(20_000) {
                bytes += EventPayload.encode(
                    event, state: state, feed: "aodb", position: "bench@0", observedAt: context.receivedAt, context: payloadContext
                ).count
            }
            encoded += min(events.count, 20_000)
        }
        elapsed = now() - started
        figures.append(Figure(name: "encode event JSON", perSecond: Double(encoded) / elapsed, megabytesPerSecond: Double(bytes) / elapsed / 1e6))

        // A latency recorded as the publisher records two per PUBACK, into the gateway's own
        // histogram of 31 buckets (0.1 to 2.1 ms, spread over the buckets), and as it was
        // recorded before, through swift-metrics' Timer over swift-prometheus's histogram.
        let metrics = GatewayMetrics(factory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()))
        let latencies = (0..<1000).map { Int64(100_000 + ($0 * 7919) % 2_000_000) }
        figures.append(
            Figure(
                name: "record a latency (LatencyHistogram)",
                perSecond: measure(latencies) { metrics.publishSeconds.recordNanoseconds($0) }))
        let registry = PrometheusCollectorRegistry()
        let timer = CoreMetrics.Timer(
            label: "bench_seconds", dimensions: [],
            handler: registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(metricName: "bench", unitName: "seconds", helpText: ""), labels: [],
                buckets: GatewayMetrics.latencySeconds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }))
        figures.append(
            Figure(
                name: "record a latency (swift-metrics Timer, swift-prometheus histogram)",
                perSecond: measure(latencies) { timer.recordNanoseconds($0) }))
        figures += HTTPPollBench.run()
        return figures
    }
}
