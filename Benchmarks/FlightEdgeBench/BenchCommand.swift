import ArgumentParser
import Foundation

/// `flightedge-bench`: FlightEdge's throughput and latency on the real services, beside this
/// machine's own limits measured in the same run (docs/PERFORMANCE.md). Run it through
/// `scripts/bench`, which builds the release binaries and starts the services.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flightedge-bench",
        abstract: "Measure FlightEdge end to end and its hot parts, beside the raw limits of PostgreSQL and mosquitto.")

    @Option(help: "Flights in the simulated hub day (about 21 updates each).")
    var flights = 5500

    @Option(help: "QoS of retained state (mqtt.state_qos): 0 or 1.")
    var stateQos = 1

    @Option(help: "Updates/s of the latency run.")
    var rate = 1000

    @Option(help: "Seconds of the latency run.")
    var latencySeconds = 15

    @Option(help: "Flights in the aidx-day and mvt-day runs (AIDX: about 21 messages of 8.5 kB each).")
    var formatFlights = 1000

    @Option(help: "Parts to run: limits, tcp, spool, history, latency, micro, relay, relay-memory, aidx-day, mvt-day, amqp, year (comma separated; amqp needs scripts/central).")
    var only = "limits,tcp,spool,history,latency,micro"

    @Option(help: "year: simulated days of the 1,500-flight airport (more than 30: retention then deletes the oldest 30).")
    var yearDays = 365

    @Flag(help: "year: keep the database fe_bench_year after the run.")
    var keep = false

    @Option(help: "relay: deliveries per channel of the throughput run (and of the raw client's).")
    var relayDeliveries = 20_000

    @Option(help: "relay: events/s of the latency run.")
    var relayRate = 50

    @Option(help: "relay: seconds of the latency run.")
    var relayLatencySeconds = 20

    @Option(help: "relay-memory: subscriptions in the database.")
    var relaySubscriptions = 1_000_000

    @Option(help: "relay-memory: FCM deliveries pending when the relay starts.")
    var relayPending = 100_000

    func run() async throws {
        let environment = try BenchEnvironment.fromProcess()
        let parts = Set(only.split(separator: ",").map(String.init))
        var table = Table()
        print("flightedge-bench: \(flights) flights, state_qos \(stateQos), machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")
        // The machine is shared: each run says how busy it was (1-minute load average).
        table.add("load average at the start (1 min)", loadAverage(), "")

        var copyRate: Double?
        var publishRate: Double?
        if parts.contains("limits") {
            copyRate = try RawLimits.copyRowsPerSecond(environment)
            table.add("raw COPY into PostgreSQL (synchronous_commit on)", copyRate!, "rows/s")
            // The denominator of the ratios is the best one client does, whichever client:
            // libmosquitto (the daemon's until 2026-12-07, the relay's and `watch`'s still),
            // MQTTWire on a blocking socket, and MQTTConnection (the daemon's since), each at the
            // daemon's window (mqtt.max_inflight, 100 by default) and the old default, 1000.
            for inflight in [100, 1000] as [Int32] {
                let raw = try RawLimits.qos1PublishesPerSecond(environment, inflight: inflight)
                table.add("raw QoS 1 publish + PUBACK, one client, \(inflight) in flight", raw.messagesPerSecond, "msgs/s")
                table.add("  the client's CPU per message (libmosquitto)", raw.cpuMicrosecondsPerMessage, "µs")
                publishRate = max(publishRate ?? 0, raw.messagesPerSecond)
            }
            // The same publishes batched: each refill of the window in one write (MQTTWire on a
            // blocking socket), and on the daemon's own connection.
            for inflight in [100, 1000] {
                let raw = try RawLimits.qos1PublishesBatched(environment, inflight: inflight)
                table.add("raw QoS 1 publish + PUBACK, batched writes, \(inflight) in flight", raw.messagesPerSecond, "msgs/s")
                table.add("  the client's CPU per message (MQTTWire)", raw.cpuMicrosecondsPerMessage, "µs")
                let nio = try await RawLimits.qos1PublishesOverNIO(environment, inflight: inflight)
                table.add("raw QoS 1 publish + PUBACK, MQTTConnection (swift-nio), \(inflight) in flight", nio.messagesPerSecond, "msgs/s")
                table.add("  the client's CPU per message (MQTTConnection)", nio.cpuMicrosecondsPerMessage, "µs")
                publishRate = max(publishRate ?? 0, raw.messagesPerSecond, nio.messagesPerSecond)
            }
        }

        let day = EndToEnd.day(flights: flights)
        for transport in ["tcp", "spool"] where parts.contains(transport) {
            let result =
                transport == "tcp"
                ? try EndToEnd.overTCP(environment, lines: day, stateQoS: stateQos)
                : try EndToEnd.overSpool(environment, lines: day, stateQoS: stateQos)
            table.add(
                "end to end over \(result.transport): \(result.updates) updates, \(Int(result.events)) events",
                result.updatesPerSecond, "updates/s",
                ratio: publishRate.map { result.updatesPerSecond / $0 }, ratioName: "of raw publish")
            table.add("  \(result.transport): wall time, first byte → last PUBACK", result.seconds, "s")
            table.add("  \(result.transport): daemon CPU", result.cpuSeconds, "s")
            table.add("  \(result.transport): CPU per update: daemon", 1e6 * result.cpuSeconds / Double(result.updates), "µs")
            table.add("  \(result.transport): CPU per update: PostgreSQL", 1e6 * result.services.postgres / Double(result.updates), "µs")
            table.add("  \(result.transport): CPU per update: mosquitto", 1e6 * result.services.mosquitto / Double(result.updates), "µs")
            table.add("  \(result.transport): daemon peak RSS", result.peakRSSMegabytes, "MB")
            table.add("  \(result.transport): batches committed", result.batches, "")
            table.add("  \(result.transport): mean batch", result.meanBatchFrames, "frames")
            table.add("  \(result.transport): mean commit", result.meanCommitMilliseconds, "ms")
            table.add("  \(result.transport): messages published", result.published, "")
        }

        try await formatDayFigures(environment, parts: parts, publishRate: publishRate, into: &table)
        try amqpFigures(environment, parts: parts, into: &table)
        try await yearFigures(environment, parts: parts, into: &table)

        if parts.contains("history") {
            var results: [HistoryScaling.Result] = []
            for rows in [10_000, 1_000_000] {
                let result = try HistoryScaling.run(environment, lines: day, stateQoS: stateQos, historyRows: rows)
                results.append(result)
                let label = "history \(rows / 1000)k rows"
                let base = results.first
                table.add("\(label): start to healthy", result.readySeconds, "s")
                table.add(
                    "\(label): end to end over tcp-listen", result.endToEnd.updatesPerSecond, "updates/s",
                    ratio: base.map { result.endToEnd.updatesPerSecond / $0.endToEnd.updatesPerSecond }, ratioName: "of 10k")
                table.add("\(label): mean commit", result.endToEnd.meanCommitMilliseconds, "ms")
                table.add("\(label): daemon peak RSS", result.endToEnd.peakRSSMegabytes, "MB")
            }
        }

        if parts.contains("latency") {
            // The floor under the run: at up to 2,000/s the daemon commits about once per
            // update, so a durable write alone, on the same schedule, is what it cannot beat.
            // Above that one connection cannot commit once per update, and batches do.
            if rate <= 2000 {
                let flush = try RawLimits.flushLatency(environment, rate: rate, seconds: latencySeconds)
                let commit = try RawLimits.commitLatency(environment, rate: rate, seconds: latencySeconds)
                for (source, figures) in [("raw write + fdatasync, 512 B", flush), ("raw PostgreSQL commit, one row", commit)] {
                    table.add("latency at \(rate)/s, \(source): p50", figures.p50, "ms")
                    table.add("latency at \(rate)/s, \(source): p99", figures.p99, "ms")
                    table.add("latency at \(rate)/s, \(source): p99.9", figures.p999, "ms")
                    table.add("latency at \(rate)/s, \(source): max (of \(figures.count))", figures.max, "ms")
                }
            }
            // Segments for the run's WAL (~0.9 kB an update measured, 1.5 kB counted) and then some.
            let segments = min(128, rate * latencySeconds * 1_500 / (16 << 20) + 8)
            table.add("latency: WAL segments ready for reuse before the run", Double(try environment.recycleWAL(segments: segments)), "")
            let result = try Latency.run(environment, rate: rate, seconds: latencySeconds, stateQoS: stateQos)
            for (source, figures) in [("external subscriber", result.external), ("daemon histogram", result.daemon)] {
                table.add("latency at \(result.rate)/s, \(source): p50", figures.p50, "ms")
                table.add("latency at \(result.rate)/s, \(source): p99", figures.p99, "ms")
                table.add("latency at \(result.rate)/s, \(source): p99.9", figures.p999, "ms")
                table.add("latency at \(result.rate)/s, \(source): max (of \(figures.count))", figures.max, "ms")
            }
            table.add("latency at \(result.rate)/s: mean commit (one transaction, WAL flushed)", result.meanCommitMilliseconds, "ms")
            table.add("latency at \(result.rate)/s: mean publish → PUBACK", result.meanPublishMilliseconds, "ms")
        }

        if parts.contains("relay") || parts.contains("relay-memory") {
            try await relayFigures(environment, parts: parts, into: &table)
        }

        if parts.contains("micro") || parts.contains("mail") {
            let figure = try Micro.mail(RelaySeed.message(index: 0))
            table.add(figure.name, figure.perSecond, "/s")
        }

        if parts.contains("micro") {
            let commit = try await BatchCommit.run(environment, day: day)
            let shape = commit.rowsPerBatch
            let name = "batch commit, mean batch: \(shape.history) history rows, \(shape.flights) flights, \(shape.events) events"
            table.add(name, commit.historyRowsPerSecond, "rows/s")
            table.add("  \(name)", commit.meanMilliseconds, "ms")
            for figure in Micro.run(day: day, samples: samples(environment)) {
                table.add(figure.name, figure.perSecond, "/s")
                if let megabytes = figure.megabytesPerSecond { table.add("  \(figure.name)", megabytes, "MB/s") }
            }
        }
        table.add("load average at the end (1 min)", loadAverage(), "")
        table.print()
    }

    private func loadAverage() -> Double {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").first.flatMap { Double($0) } ?? .nan
    }

    /// Real messages of each format, from the test samples.
    private func samples(_ environment: BenchEnvironment) -> [String: [[UInt8]]] {
        let folder = environment.repository.appendingPathComponent("Tests/Gateway/FeedFormatsTests/Samples")
        func files(_ subfolder: String, suffix: String) -> [[UInt8]] {
            let directory = folder.appendingPathComponent(subfolder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.filter { $0.hasSuffix(suffix) }.sorted().compactMap {
                try? Array(Data(contentsOf: directory.appendingPathComponent($0)))
            }
        }
        var samples: [String: [[UInt8]]] = ["aidx": files("aidx", suffix: ".xml")]
        // Heathrow rows: the sample's data rows, each a frame (lf framing), many flights.
        let rows = files("airport-feeds", suffix: ".csv").flatMap { file in
            String(decoding: file, as: UTF8.self).split(separator: "\n").dropFirst().map { Array($0.utf8) }
        }
        samples["csv"] = (0..<200).flatMap { index in
            rows.map { row in
                Array(String(decoding: row, as: UTF8.self).replacingOccurrences(of: "QR005", with: "QR\(100 + index)")
                    .replacingOccurrences(of: "KL1033", with: "KL\(1000 + index)").utf8)
            }
        }
        let typeB = environment.repository.appendingPathComponent("Tests/Fuzz/corpus/mvt")
        samples["mvt"] = ((try? FileManager.default.contentsOfDirectory(atPath: typeB.path)) ?? []).sorted().compactMap {
            try? Array(Data(contentsOf: typeB.appendingPathComponent($0)))
        }
        return samples
    }
}

/// The one table the benchmark prints.
struct Table {
    private var rows: [(name: String, value: Double, unit: String, ratio: String)] = []

    mutating func add(_ name: String, _ value: Double, _ unit: String, ratio: Double? = nil, ratioName: String = "") {
        // Each figure as it comes (stderr), so a long run shows progress and a failure keeps what was measured.
        FileHandle.standardError.write(Data("  \(name): \(String(format: "%.3f", value)) \(unit)\n".utf8))
        rows.append((name, value, unit, ratio.map { String(format: "%.2f× %@", $0, ratioName) } ?? ""))
    }

    func print() {
        let width = rows.map(\.name.count).max() ?? 10
        Swift.print("")
        Swift.print("| " + "figure".padding(toLength: width, withPad: " ", startingAt: 0) + " | value        | unit      | ratio |")
        Swift.print("|" + String(repeating: "-", count: width + 2) + "|--------------|-----------|-------|")
        for row in rows {
            let value = row.value >= 100 ? String(format: "%.0f", row.value) : String(format: "%.3f", row.value)
            Swift.print(
                "| " + row.name.padding(toLength: width, withPad: " ", startingAt: 0) + " | "
                    + value.padding(toLength: 12, withPad: " ", startingAt: 0) + " | "
                    + row.unit.padding(toLength: 9, withPad: " ", startingAt: 0) + " | " + row.ratio + " |")
        }
    }
}
