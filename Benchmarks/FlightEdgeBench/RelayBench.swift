import Channels
import FCMChannel
import FlightEdgeTestSupport
import Foundation
import MQTT
import Postgres
import SMTPChannel
import Synchronization

/// The relay's figures (issue #12, docs/PERFORMANCE.md): deliveries/s through two instances
/// sharing one PostgreSQL into fast sinks, beside one raw client against the same sink in the
/// same run; latency from an event's PUBACK to the sink's acceptance at a steady event rate.
/// ``RelayMemory`` has the peak RSS with a large database.
struct RelayBench {
    let environment: BenchEnvironment
    let tls: URL
    let fcm: FCMSink
    let smtp: SMTPSink
    let broker: BenchBroker

    init(_ environment: BenchEnvironment) throws {
        self.environment = environment
        tls = environment.scratch.appendingPathComponent("standins/tls")
        fcm = try FCMSink(tlsFolder: tls, recorder: SinkRecorder(keepIDs: true))
        smtp = try SMTPSink(tlsFolder: tls, recorder: SinkRecorder())
        broker = try BenchBroker(scratch: environment.scratch)
    }

    func stop() {
        fcm.stop()
        smtp.stop()
        broker.stop()
    }

    /// Two instances on a shared subscription of the benchmark's broker.
    func relays(databaseURL: String, count: Int = 2, extra: String = "") throws -> [BenchRelay] {
        try (0..<count).map { index in
            try BenchRelay(
                name: "\(index + 1)", scratch: environment.scratch, databaseURL: databaseURL, broker: broker, fcm: fcm,
                smtp: smtp, tls: tls, topic: "$share/relaybench/flightedge/+/events/#", extra: extra)
        }
    }

    /// Deliveries/s of `count` deliveries on `channel` made due at once in the database, from the
    /// first acceptance at the sink to the last (both instances running and idle before).
    /// `seeded` runs once the deliveries are in, before the first can fall due (for CPU readings
    /// that leave the seeding out).
    func relayRate(databaseURL: String, channel: ChannelKind, count: Int, seeded: () -> Void = {}) throws -> Double {
        let recorder = channel == .fcm ? fcm.recorder : smtp.recorder
        recorder.reset()
        let connection = try PostgresConnection(conninfo: databaseURL, applicationName: "flightedge-bench")
        // Due in 3 s: time to ANALYZE first, as a database in service has its statistics (a
        // fresh table's would make the claim plan sort every due row).
        try connection.execute(RelaySeed.dueDeliveries(channel: channel, count: count, inSeconds: 3))
        try connection.execute("ANALYZE relay.deliveries")
        seeded()
        guard recorder.wait(for: count, timeout: 600) else {
            throw BenchError("relay \(channel.rawValue): only \(recorder.accepted) of \(count) accepted within 600 s")
        }
        return Double(count) / max(1e-6, (recorder.last ?? 0) - (recorder.first ?? 0))
    }

    /// Messages/s of one raw client (the relay's own channel: async-http-client for FCM, the
    /// NIO SMTP client for e-mail) with `concurrency` sends in flight, against the same sink.
    func rawRate(channel: ChannelKind, count: Int, concurrency: Int) async throws -> Double {
        let client: any NotificationChannel
        let contact: ContactPoint
        switch channel {
        case .fcm:
            let account = try String(
                contentsOf: environment.scratch.appendingPathComponent("bench/relay-1/service-account.json"), encoding: .utf8)
            client = try FCMChannel(
                settings: FCMChannel.Settings(
                    serviceAccountJSON: account, baseURL: fcm.baseURL, trustedCAFile: tls.appendingPathComponent("ca.pem").path,
                    maxConcurrent: concurrency))
            contact = .fcm(token: "raw-client-token")
        default:
            client = try SMTPChannel(
                settings: SMTPChannel.Settings(
                    host: "127.0.0.1", port: smtp.port, startTLS: .required, username: "bench", password: "bench",
                    from: try MailAddress("alerts@bench.example", displayName: "FlightEdge Bench"),
                    trustedCAFile: tls.appendingPathComponent("ca.pem").path, maxConnections: min(concurrency, 16)))
            contact = .email(address: "raw@bench.example")
        }
        let recorder = channel == .fcm ? fcm.recorder : smtp.recorder
        recorder.reset()
        let failures = Counter()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= concurrency { await group.next() }
                group.addTask {
                    do {
                        _ = try await client.send(RelaySeed.message(index: index), to: contact)
                    } catch {
                        _ = failures.next()
                    }
                }
            }
        }
        await client.shutdown()
        guard failures.current == 0 else {
            throw BenchError("raw \(channel.rawValue): \(failures.current) of \(count) sends failed")
        }
        return Double(count) / max(1e-6, (recorder.last ?? 0) - (recorder.first ?? 0))
    }
}
