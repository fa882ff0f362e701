import FlightEdgeTestSupport
import FlightModel
import Foundation
import JSON
import MQTT
import Telemetry
import Timing

#if canImport(Glibc)
import Glibc
#endif

/// Frame receipt to PUBACK at a fixed, light rate: batching must not add waiting.
enum Latency {
    struct Result {
        var rate: Int
        var frames: Int
        /// From an external subscriber: frame written → retained state received, milliseconds.
        var external: Percentiles
        /// From the daemon's `flightedge_receipt_to_puback_seconds` histogram (bucket upper bounds).
        var daemon: Percentiles
        /// The daemon's mean commit and mean publish-to-PUBACK over the run, ms.
        var meanCommitMilliseconds: Double = .nan
        var meanPublishMilliseconds: Double = .nan
    }

    struct Percentiles {
        var p50: Double
        var p99: Double
        var p999: Double
        var max: Double
        var count: Int
    }

    static func run(_ environment: BenchEnvironment, rate: Int = 1000, seconds: Int = 15, stateQoS: Int) throws -> Result {
        let daemon = try DaemonProcess.benchmark(
            environment, databaseURL: try environment.freshDatabase("fe_bench_latency"), stateQoS: stateQoS, name: "latency")
        try daemon.start(waitingFor: .healthy)
        defer { daemon.stop() }
        let frames = rate * seconds
        let receipts = ReceiptLog(capacity: frames)
        var configuration = MQTTClient.Configuration(clientID: "fe-bench-watch-\(getpid())")
        configuration.username = "board"
        configuration.password = try environment.mqttPassword("board")
        let subscribed = AckCounter()
        let prefix = "flightedge/\(daemon.airport)/flights/"
        let watcher = try MQTTClient(configuration: configuration) { event in
            switch event {
            case .subscribed: subscribed.connected()
            case .message(let message):
                guard message.topic.hasPrefix(prefix), let sequence = Self.remarkSequence(message.payload) else { return }
                receipts.record(sequence, at: monotonicNanoseconds())
            default: break
            }
        }
        try watcher.start(host: environment.mqttHost, port: environment.mqttPort)
        defer { watcher.stop() }
        usleep(300_000)
        _ = try watcher.subscribe(prefix + "#", qos: 0)
        try subscribed.waitConnected()

        // Warm-up: every flight exists before the clock starts, so each frame is one update.
        let flights = 500
        let feed = try daemon.connectFeed()
        defer { close(feed) }
        let warmup = (0..<flights).map { line(flight: $0, sequence: -1 - $0) }.joined()
        try Loopback.writeAll(feed, Array(warmup.utf8))
        _ = try daemon.waitUntilDone(frames: flights)
        usleep(500_000)
        let before = try histogram(daemon)
        let samplesBefore = try daemon.metrics()

        var sent = [UInt64](repeating: 0, count: frames)
        // Above 1,000/s the frames of each millisecond leave in one write: a sender spinning
        // between frames 100 µs apart would take a core of this two-core machine.
        let perTick = max(1, rate / 1000)
        let tick = UInt64(perTick) * 1_000_000_000 / UInt64(rate)
        let start = monotonicNanoseconds()
        for first in stride(from: 0, to: frames, by: perTick) {
            waitUntil(start + UInt64(first / perTick) * tick)
            let sequences = first..<min(frames, first + perTick)
            let bytes = Array(sequences.map { line(flight: $0 % flights, sequence: $0) }.joined().utf8)
            let time = monotonicNanoseconds()
            for sequence in sequences { sent[sequence] = time }
            try Loopback.writeAll(feed, bytes)
        }
        _ = try daemon.waitUntilDone(frames: flights + frames)
        usleep(500_000)
        let after = try histogram(daemon)

        let samples = (0..<frames).compactMap { sequence -> (sent: UInt64, milliseconds: Double)? in
            guard let received = receipts.time(of: sequence), received > sent[sequence] else { return nil }
            return (sent[sequence], Double(received - sent[sequence]) / 1e6)
        }
        // The slowest, with their monotonic send times: the daemon's slow-update trace
        // (FLIGHTEDGE_TRACE_SLOW_MS) logs the same clock.
        for slow in samples.sorted(by: { $0.milliseconds > $1.milliseconds }).prefix(5) {
            FileHandle.standardError.write(Data("  slowest: \(String(format: "%.2f", slow.milliseconds)) ms, sent at \(slow.sent) ns\n".utf8))
        }
        let external = Percentiles(sorted: samples.map(\.milliseconds).sorted())
        var result = Result(rate: rate, frames: frames, external: external, daemon: difference(after, before))
        let samplesAfter = try daemon.metrics()
        func mean(_ name: String) -> Double {
            let sum = (samplesAfter["\(name)_sum"] ?? 0) - (samplesBefore["\(name)_sum"] ?? 0)
            let count = (samplesAfter["\(name)_count"] ?? 0) - (samplesBefore["\(name)_count"] ?? 0)
            return count > 0 ? 1000 * sum / count : .nan
        }
        result.meanCommitMilliseconds = mean("flightedge_commit_seconds")
        result.meanPublishMilliseconds = mean("flightedge_publish_seconds")
        return result
    }

    /// Returns at the monotonic time `due`: sleeps most of the wait, spins the last 0.2 ms
    /// (usleep overshoots).
    static func waitUntil(_ due: UInt64) {
        while true {
            let current = monotonicNanoseconds()
            guard current < due else { return }
            if due - current > 200_000 { usleep(UInt32((due - current) / 2000)) }
        }
    }

    /// One frame: flight `BN<n>` gets remark `<sequence>` (the subscriber reads it back).
    static func line(flight: Int, sequence: Int) -> String {
        #"{"airline":"BN","number":"\#(1000 + flight)","date":"\#(BenchDay.date)","direction":"departure","remark":"\#(sequence)"}"# + "\n"
    }

    static func remarkSequence(_ payload: [UInt8]) -> Int? {
        guard case .object(let object)? = try? JSONParser.parse(payload), case .string(let remark)? = object["remark"] else {
            return nil
        }
        return Int(remark)
    }

    /// Cumulative bucket counts of the daemon's receipt-to-PUBACK histogram, by upper bound.
    static func histogram(_ daemon: DaemonProcess) throws -> [(bound: Double, count: Double)] {
        let samples = try daemon.metrics()
        let prefix = #"flightedge_receipt_to_puback_seconds_bucket{le=""#
        return samples.values.compactMap { key, value -> (Double, Double)? in
            guard key.hasPrefix(prefix) else { return nil }
            let bound = key.dropFirst(prefix.count).dropLast(2)
            return (bound == "+Inf" ? .infinity : Double(bound) ?? .nan, value)
        }.sorted { $0.0 < $1.0 }
    }

    /// Percentiles (bucket upper bounds, in ms) of what was observed between two snapshots.
    static func difference(_ after: [(bound: Double, count: Double)], _ before: [(bound: Double, count: Double)]) -> Percentiles {
        let counts = after.map { entry in entry.count - (before.first { $0.bound == entry.bound }?.count ?? 0) }
        let total = counts.last ?? 0
        func at(_ quantile: Double) -> Double {
            guard total > 0 else { return .nan }
            let rank = (quantile * total).rounded(.up)
            for (index, cumulative) in counts.enumerated() where cumulative >= rank { return after[index].bound * 1000 }
            return .infinity
        }
        let highest = counts.indices.first { counts[$0] >= total }.map { after[$0].bound * 1000 } ?? .nan
        return Percentiles(p50: at(0.5), p99: at(0.99), p999: at(0.999), max: highest, count: Int(total))
    }
}

extension Latency.Percentiles {
    /// The percentiles of latencies in ascending order (nearest rank).
    init(sorted latencies: [Double]) {
        func at(_ quantile: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            return latencies[min(latencies.count - 1, Int((quantile * Double(latencies.count)).rounded(.up)) - 1)]
        }
        self.init(p50: at(0.5), p99: at(0.99), p999: at(0.999), max: latencies.last ?? .nan, count: latencies.count)
    }
}

/// When the subscriber saw each sequence number (first time only).
final class ReceiptLog: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [UInt64]

    init(capacity: Int) { times = Array(repeating: 0, count: capacity) }

    func record(_ sequence: Int, at time: UInt64) {
        guard sequence >= 0 else { return }
        lock.withLock {
            if sequence < times.count && times[sequence] == 0 { times[sequence] = time }
        }
    }

    func time(of sequence: Int) -> UInt64? {
        lock.withLock { times[sequence] == 0 ? nil : times[sequence] }
    }
}
