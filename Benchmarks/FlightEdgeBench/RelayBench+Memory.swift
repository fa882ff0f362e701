import Channels
import FlightEdgeTestSupport
import Foundation
import Postgres

extension RelayBench {
    struct Memory {
        var seedSeconds: Double
        var startSeconds: Double
        var idleMegabytes: Double
        var peakMegabytes: Double
        var drainPerSecond: Double
    }

    /// One relay on a database of `subscriptions` subscriptions (ten to a flight, an FCM and an
    /// e-mail contact each) and `pending` FCM deliveries due when it starts: its resident set
    /// after start, and its peak (VmHWM) once it has sent them all to the sink.
    func memory(subscriptions: Int, pending: Int) throws -> Memory {
        let url = try environment.freshDatabase("fe_bench_relay_rss")
        guard let relay = try relays(databaseURL: url, count: 1).first else { throw BenchError("no relay") }
        try relay.migrate()
        let seeding = now()
        let connection = try PostgresConnection(conninfo: url, applicationName: "flightedge-bench")
        try connection.execute(RelaySeed.subscriptions(count: subscriptions, perFlight: 10))
        try connection.execute(RelaySeed.dueDeliveries(channel: .fcm, count: pending))
        try connection.execute("ANALYZE relay.deliveries")
        let seedSeconds = now() - seeding
        fcm.recorder.reset()
        let starting = now()
        try relay.start()
        defer { relay.stop() }
        let startSeconds = now() - starting
        let idle = ProcessStatistics.residentMegabytes(relay.pid)
        guard fcm.recorder.wait(for: pending, timeout: 900) else {
            throw BenchError("memory run: only \(fcm.recorder.accepted) of \(pending) deliveries accepted")
        }
        let drain = Double(pending) / max(1e-6, (fcm.recorder.last ?? 0) - (fcm.recorder.first ?? 0))
        return Memory(
            seedSeconds: seedSeconds, startSeconds: startSeconds, idleMegabytes: idle, peakMegabytes: relay.peakRSSMegabytes,
            drainPerSecond: drain)
    }
}
