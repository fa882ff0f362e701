import FlightModel
import Foundation
import MQTT
import Postgres

/// This machine's own limits, measured in the same run as FlightEdge: what PostgreSQL and
/// mosquitto can do with nothing in between.
enum RawLimits {
    /// Rows/s of `COPY` of history-shaped rows (the `flight_changes` columns), committed with
    /// `synchronous_commit` on, in batches of `batch` rows.
    static func copyRowsPerSecond(_ environment: BenchEnvironment, rows: Int = 200_000, batch: Int = 2000) throws -> Double {
        let url = try environment.freshDatabase("fe_bench_copy")
        let connection = try PostgresConnection(conninfo: url, applicationName: "flightedge-bench")
        try connection.execute("SET synchronous_commit = on")
        try connection.execute(
            """
            CREATE TABLE changes (
                flight_id text NOT NULL, seq bigint NOT NULL, field text NOT NULL, old_value jsonb, new_value jsonb,
                feed text NOT NULL, source_time timestamptz, received_at timestamptz NOT NULL,
                PRIMARY KEY (flight_id, seq, field))
            """)
        // The rows are built before the clock starts: this measures the database, not us.
        var batches: [[UInt8]] = []
        var seq = 0
        while seq < rows {
            var text = ""
            for index in seq..<min(seq + batch, rows) {
                let flight = "LX\(String(1000 + index % 5000))-20261124-D"
                text += "\(flight)\t\(index)\tgate\t\"A\(index % 50)\"\t\"B\(index % 40)\"\taodb\t2026-11-24T10:00:00Z\t2026-11-24T10:00:01Z\n"
            }
            batches.append(Array(text.utf8))
            seq += batch
        }
        let started = now()
        for data in batches {
            try connection.execute("BEGIN")
            _ = try connection.copyIn(
                "COPY changes (flight_id, seq, field, old_value, new_value, feed, source_time, received_at) FROM STDIN",
                data: data)
            try connection.execute("COMMIT")
        }
        return Double(rows) / (now() - started)
    }

    /// Messages/s of QoS 1 publishes acknowledged (PUBACK) from one libmosquitto client with
    /// `inflight` messages in flight, payloads the size of a flight's state.
    static func qos1PublishesPerSecond(
        _ environment: BenchEnvironment, messages: Int = 100_000, inflight: Int32 = 1000
    ) throws -> RawPublishFigures {
        var configuration = MQTTClient.Configuration(clientID: "fe-bench-raw-\(getpid())")
        configuration.username = "flightedge"
        configuration.password = try environment.mqttPassword("flightedge")
        configuration.maxInflight = inflight
        let acknowledged = AckCounter()
        let client = try MQTTClient(configuration: configuration) { event in
            switch event {
            case .connected(let code, _) where code == 0: acknowledged.connected()
            case .published: acknowledged.add()
            default: break
            }
        }
        try client.start(host: environment.mqttHost, port: environment.mqttPort)
        defer { client.stop() }
        try acknowledged.waitConnected()
        let payload = Array(String(repeating: "x", count: 600).utf8)
        let startedCPU = processCPUSeconds()
        let started = now()
        var sent = 0
        while sent < messages {
            // Keep the window full without queueing everything in libmosquitto at once; the
            // network thread's PUBACK callback wakes this one (no polling to count as its CPU).
            acknowledged.wait(untilAbove: sent - Int(inflight) * 2)
            _ = try client.publish(
                topic: "flightedge/BENCH/raw/\(sent % 1000)", payload: payload, qos: 1, retain: false)
            sent += 1
        }
        while acknowledged.count < messages {
            guard now() - started < 120 else { throw BenchError("raw publish: only \(acknowledged.count) of \(messages) acknowledged") }
            usleep(100)
        }
        let seconds = now() - started
        return RawPublishFigures(
            messagesPerSecond: Double(messages) / seconds,
            cpuMicrosecondsPerMessage: (processCPUSeconds() - startedCPU) / Double(messages) * 1_000_000)
    }
}

/// Counts PUBACKs from the client's network thread.
final class AckCounter: @unchecked Sendable {
    private let lock = NSCondition()
    private var acknowledged = 0
    private var isConnected = false

    func add() {
        lock.withLock {
            acknowledged += 1
            lock.signal()
        }
    }

    /// Blocks until more than `count` messages are acknowledged.
    func wait(untilAbove count: Int) {
        lock.withLock {
            while acknowledged <= count { lock.wait() }
        }
    }

    func connected() { lock.withLock { isConnected = true } }
    var count: Int { lock.withLock { acknowledged } }

    func waitConnected(timeout: Double = 10) throws {
        let deadline = now() + timeout
        while !lock.withLock({ isConnected }) {
            guard now() < deadline else { throw BenchError("the broker did not accept the connection") }
            usleep(1000)
        }
    }
}
