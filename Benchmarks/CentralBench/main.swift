// flightedge-central-bench (scripts/central-bench): the central side's figures on this machine,
// with real processes on loopback: gateways and their mosquitto bridges, the 3-node RabbitMQ
// cluster of `scripts/central`, two relays on the AMQP source, one PostgreSQL (docs/PERFORMANCE.md,
// "The central side").
//
//   1. the cluster's raw publish-confirm rate (AMQP, 600 B, 500 in flight, a quorum queue);
//   2. three gateways at full speed → bridges → cluster → relays' commit, events/s;
//   3. latency at ~100 events/s from the gateway's PUBACK (its outbox's published_at) to the
//      relay's recording transaction (relay.events.received_at): p50, p99;
//   4. kill -9 of node 1 while 200 events/s flow: time until the relays commit again;
//   5. replay of a hole of ~10,000 events (an airport cut off past its bridge's queue): from the
//      relay's request to the hole closed.
//
// Options: --flights N (per airport in 2, default 2000), --hole N (default 10000).
import AMQP
import FlightEdgeTestSupport
import Foundation
import Postgres
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

var flights = 2000
var hole = 10_000
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--flights": flights = Int(arguments.next() ?? "") ?? flights
    case "--hole": hole = Int(arguments.next() ?? "") ?? hole
    default:
        FileHandle.standardError.write(Data("usage: flightedge-central-bench [--flights N] [--hole N]\n".utf8))
        exit(2)
    }
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The figures, for the summary table.
final class Results: Sendable {
    let rows = Mutex<[(String, String)]>([])
}
let results = Results()
func result(_ name: String, _ value: String) {
    results.rows.withLock { $0.append((name, value)) }
    say("  \(name): \(value)")
}

try CentralCluster.startDownNodes()
let codes = CentralSetup.airportCodes(4, prefix: "B")
let date = CentralSetup.today()
say("== central bench: airports \(codes.prefix(3).joined(separator: ", ")) (hole: \(codes[3])), \(flights) flights each, hole \(hole)")

// 1. The cluster's raw publish-confirm rate, measured in this run.
do {
    _ = try CentralCluster.addAirport(codes[0])
    let user = "\(codes[0].lowercased())-bridge"
    let endpoint = try AMQPEndpoint(
        url: try CentralCluster.amqpURLs(user: user, password: try CentralCluster.airportPassword(codes[0]))[0])
    let connection = try AMQPConnection(endpoint: endpoint)
    defer { connection.close() }
    let queue = "mqtt-subscription-flightedge-\(user)-bench"
    let key = "flightedge.\(codes[0]).cmd.bench"
    try connection.declareQueue(queue, quorum: true)
    try connection.bindQueue(queue, exchange: "amq.topic", routingKey: key)
    try connection.enableConfirms()
    let body = Array(String(repeating: "x", count: 600).utf8)
    let count = 20_000
    let start = Date()
    for _ in 0..<count {
        try connection.publish(exchange: "amq.topic", routingKey: key, body: body)
        if connection.unconfirmedCount >= 500 { try connection.waitForConfirms(atMost: 250, timeout: .seconds(60)) }
    }
    try connection.waitForConfirms(timeout: .seconds(60))
    let seconds = Date().timeIntervalSince(start)
    _ = try connection.deleteQueue(queue)
    say("== 1. raw publish-confirm")
    result("cluster publish-confirm (AMQP, 600 B, 500 in flight, 3-node quorum queue)", "\(Int(Double(count) / seconds)) msg/s")
}

func strings(_ connection: PostgresConnection, _ sql: String, _ parameters: [PostgresValue] = []) throws -> [String] {
    try connection.query(sql, parameters).rows.compactMap { $0.first ?? nil }
}

func number(_ connection: PostgresConnection, _ sql: String, _ parameters: [PostgresValue] = []) throws -> Double {
    Double(try strings(connection, sql, parameters).first ?? "") ?? 0
}

func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(100_000)
    }
    return try condition()
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// Sends the lines to a gateway's feed at `perSecond`, on one connection.
func pace(_ lines: [Substring], perSecond: Double, port: Int) throws {
    let socket = try Loopback.connect(port: port)
    defer { close(socket) }
    let start = Date()
    for (index, line) in lines.enumerated() {
        let due = Double(index) / perSecond - Date().timeIntervalSince(start)
        if due > 0 { usleep(useconds_t(due * 1_000_000)) }
        try Loopback.writeAll(socket, Array((line + "\n").utf8))
    }
}

/// The relay's `/v1/airports` entry of one airport.
func airportEntry(_ code: String, port: Int) throws -> [String: Any]? {
    let (_, body) = try Loopback.get("/v1/airports", port: port)
    let list = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] ?? []
    return list.first { $0["airport"] as? String == code }
}

func simulatedLines(airport: String, flights: Int, seed: UInt64) throws -> [Substring] {
    let (process, output) = try CentralSetup.simulate(airport: airport, flights: flights, seed: seed, date: date)
    let data = output?.fileHandleForReading.readDataToEndOfFile() ?? Data()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n")
}

let links = try CentralCluster.mqttPorts.map { try WANLink(upstream: $0) }
let brokers = [
    try AirportBroker(iata: codes[0]), try AirportBroker(iata: codes[1]), try AirportBroker(iata: codes[2]),
    // The hole's airport: cut off through the links, its bridge may queue 2,000 events.
    try AirportBroker(iata: codes[3], maxQueuedMessages: 2000, nodePorts: links.map(\.port)),
]
/// Top-level globals are never released: the brokers are stopped on every way out.
@MainActor func stopBrokers() { for broker in brokers { broker.stop() } }
do {
    try await CentralSetup.withDatabases(5) { urls in
        let gateways = try (0..<4).map { i in
            try DaemonProcess(databaseURL: urls[i], mqttPort: brokers[i].port, airport: codes[i], logLevel: "info", systemdNotify: false)
        }
        defer { for gateway in gateways { _ = gateway.stop() } }
        for gateway in gateways { try gateway.start(waitingFor: .healthy) }
        let tuning = "[central]\nreplay_after_seconds = 2\nreplay_backoff_max_seconds = 10\n"
        let relays = try (0..<2).map { _ in try CentralSetup.relay(databaseURL: urls[4], smtp: nil, extra: tuning) }
        defer { for relay in relays { relay.stop() } }
        for relay in relays { try relay.start() }
        let relay = try PostgresConnection(conninfo: urls[4])
        let outboxes = try urls[0..<4].map { try PostgresConnection(conninfo: $0) }
        func recorded(_ code: String) throws -> Double {
            try number(relay, "SELECT count(*) FROM relay.events WHERE airport = $1", [.text(code)])
        }
        /// The relay has every number the gateway gave (event ids may repeat across airports: the
        /// gateway derives them from the flight, its change and kind).
        func caughtUp(_ index: Int) throws -> Bool {
            let highest = try number(outboxes[index], "SELECT COALESCE(max(stream_seq), 0) FROM flightedge.outbox")
            let contiguous = try number(
                relay, "SELECT COALESCE(max(highest_contiguous), 0) FROM relay.airport_streams WHERE airport = $1", [.text(codes[index])])
            return highest > 0 && contiguous >= highest
        }
        func published(_ index: Int) throws -> Double {
            try number(outboxes[index], "SELECT count(*) FROM flightedge.outbox WHERE event_id IS NOT NULL")
        }

        // 2. Three gateways at full speed.
        say("== 2. three gateways at full speed → bridges → cluster → two relays")
        let feeds = try (0..<3).map { i in
            try CentralSetup.simulate(airport: codes[i], flights: flights, seed: UInt64(i + 1), date: date, to: gateways[i].listenPort).process
        }
        for feed in feeds { feed.waitUntilExit() }
        var settled = try waitUntil(300) {
            try (0..<3).allSatisfy { i in try caughtUp(i) }
        }
        let total = try (0..<3).map(published).reduce(0, +)
        let relaySpan = try number(
            relay, "SELECT extract(epoch FROM max(received_at) - min(received_at)) FROM relay.events WHERE airport = ANY($1::text[])",
            [.text("{\(codes.prefix(3).joined(separator: ","))}")])
        var gatewaySpan = 0.0
        for outbox in outboxes.prefix(3) {
            gatewaySpan = max(
                gatewaySpan, try number(outbox, "SELECT extract(epoch FROM max(published_at) - min(created_at)) FROM flightedge.outbox"))
        }
        result("events", "\(Int(total)) (\(flights) flights per airport)\(settled ? "" : ", NOT ALL RECORDED")")
        result("gateways' publish rate (outbox to local PUBACK, 3 together)", "\(Int(total / max(gatewaySpan, 0.001))) events/s")
        result("relays' commit rate (2 instances, AMQP source)", "\(Int(total / max(relaySpan, 0.001))) events/s")

        // 3. Latency at about 100 events/s at one airport.
        say("== 3. latency at ~100 events/s, gateway → relay commit")
        // Events per feed line, and feed lines per flight, of the days just played.
        var lineCount = 0
        for i in 0..<3 { lineCount += try simulatedLines(airport: codes[i], flights: flights, seed: UInt64(i + 1)).count }
        let ratio = total / Double(lineCount)
        let linesPerFlight = Double(lineCount) / Double(3 * flights)
        let updates = try simulatedLines(
            airport: codes[0], flights: max(flights, Int(100 * 20 * 1.5 / max(ratio * linesPerFlight, 0.01))), seed: 11)
        let mark = try number(outboxes[0], "SELECT COALESCE(max(id), 0) FROM flightedge.outbox")
        let perSecond = 100 / max(ratio, 0.01)
        try pace(Array(updates.prefix(Int(perSecond * 20))), perSecond: perSecond, port: gateways[0].listenPort)
        settled = try waitUntil(60) { try caughtUp(0) }
        // Per event: the gateway's commit (outbox created_at), its PUBACK as the gateway recorded it
        // (published_at, marked in batches after the local broker's PUBACK), the relay's recording.
        var times: [String: (created: Double, acknowledged: Double)] = [:]
        for row in try strings(
            outboxes[0],
            """
            SELECT event_id::text || ' ' || extract(epoch FROM created_at)::text || ' ' || extract(epoch FROM published_at)::text
            FROM flightedge.outbox WHERE id > $1 AND event_id IS NOT NULL AND published_at IS NOT NULL
            """,
            [.text(String(Int(mark)))])
        {
            let parts = row.split(separator: " ")
            if parts.count == 3, let created = Double(parts[1]), let acknowledged = Double(parts[2]) {
                times[String(parts[0])] = (created, acknowledged)
            }
        }
        let committed = try strings(
            relay, "SELECT event_id::text || ' ' || extract(epoch FROM received_at)::text FROM relay.events WHERE event_id = ANY($1::uuid[])",
            [.text("{\(times.keys.joined(separator: ","))}")])
        var fromCommit: [Double] = []
        var fromAcknowledgement: [Double] = []
        for row in committed {
            let parts = row.split(separator: " ")
            guard parts.count == 2, let at = Double(parts[1]), let time = times[String(parts[0])] else { continue }
            fromCommit.append((at - time.created) * 1000)
            fromAcknowledgement.append((at - time.acknowledged) * 1000)
        }
        fromCommit.sort()
        fromAcknowledgement.sort()
        result("rate offered", "\(Int(Double(times.count) / 20)) events/s for 20 s (\(times.count) events, \(committed.count) matched)")
        result(
            "latency gateway commit → relay commit",
            String(format: "p50 %.1f ms, p99 %.1f ms, max %.1f ms", percentile(fromCommit, 0.5), percentile(fromCommit, 0.99), fromCommit.last ?? .nan))
        result(
            "latency gateway PUBACK mark → relay commit",
            String(
                format: "p50 %.1f ms, p99 %.1f ms (negative: the relay committed before the gateway marked the batch)",
                percentile(fromAcknowledgement, 0.5), percentile(fromAcknowledgement, 0.99)))

        // 4. A hole of ~10,000 events: the fourth airport cut off past its bridge's queue (2,000).
        say("== 4. replay of a \(hole)-event hole")
        for link in links { link.cut() }
        let before = try published(3)
        let holeLines = try simulatedLines(airport: codes[3], flights: max(200, Int(Double(hole + 2000) * 1.3 / max(ratio * linesPerFlight, 0.01))), seed: 13)
        var sentLines = 0
        let socket = try Loopback.connect(port: gateways[3].listenPort)
        while try published(3) - before < Double(hole + 2000) && sentLines < holeLines.count {
            let chunk = holeLines[sentLines..<min(sentLines + 500, holeLines.count)]
            try Loopback.writeAll(socket, Array((chunk.joined(separator: "\n") + "\n").utf8))
            sentLines += chunk.count
            usleep(200_000)
        }
        _ = try waitUntil(30) {
            try number(outboxes[3], "SELECT count(*) FROM flightedge.outbox WHERE published_at IS NULL") == 0
        }
        let replaysBefore = try airportEntry(codes[3], port: relays[0].httpPort)?["replays"] as? Int ?? 0
        for link in links { try link.restore() }
        // The bridge comes back after its restart_timeout backoff; until the relay sees a number past
        // the hole (the queue's ten arrive first), more events follow, a few at a time.
        var next = sentLines
        _ = try waitUntil(60) {
            if try airportEntry(codes[3], port: relays[0].httpPort)?["missing_events"] as? Int ?? 0 > 0 { return true }
            let tail = holeLines[min(next, holeLines.count)..<min(next + 20, holeLines.count)]
            try Loopback.writeAll(socket, Array((tail.joined(separator: "\n") + "\n").utf8))
            next += tail.count
            usleep(900_000)
            return false
        }
        close(socket)
        var requestedAt = 0.0
        var missing = 0
        var closedAt = 0.0
        var mostlyAt = 0.0
        _ = try waitUntil(90) {
            guard let entry = try airportEntry(codes[3], port: relays[0].httpPort) else { return false }
            let now = Date().timeIntervalSince1970
            if requestedAt == 0, entry["replays"] as? Int ?? 0 > replaysBefore {
                requestedAt = now
                missing = entry["missing_events"] as? Int ?? 0
            }
            if requestedAt > 0, mostlyAt == 0, Double(entry["missing_events"] as? Int ?? 0) <= Double(missing) * 0.01 { mostlyAt = now }
            if requestedAt > 0, entry["open_gaps"] as? Int == 0 {
                closedAt = now
                return true
            }
            return false
        }
        let complete = try caughtUp(3)
        if mostlyAt > 0 { result("replay request → 99 % of the hole back", String(format: "%.1f s", mostlyAt - requestedAt)) }
        if !complete {
            say("  open gaps: \(try strings(relay, "SELECT from_seq || '-' || to_seq || ' x' || requests FROM relay.stream_gaps WHERE airport = $1", [.text(codes[3])]))")
            say("  gateway log: \(gateways[3].log.split(separator: "\n").filter { $0.contains("replay") }.suffix(6).joined(separator: "\n"))")
            say("  open gaps' numbers recorded anyway: \(try strings(relay, "SELECT e.stream_seq::text FROM relay.events e JOIN relay.stream_gaps g ON g.airport = e.airport AND e.stream_seq BETWEEN g.from_seq AND g.to_seq WHERE e.airport = $1", [.text(codes[3])]))")
            say("  bridge log: \(brokers[3].log.split(separator: "\n").suffix(15).joined(separator: "\n"))")
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")
            probe.arguments = ["-p", "\(brokers[3].port)", "-q", "1", "-t", "flightedge/\(codes[3])/events/probe", "-m", "probe"]
            try probe.run()
            probe.waitUntilExit()
            usleep(3_000_000)
            say("  rejected: \(try strings(relay, "SELECT left(reason, 200) FROM relay.rejected_events ORDER BY id DESC LIMIT 3"))")
        }
        result("hole", "\(missing) events missing when the relay asked (\(Int(try published(3) - before)) published while cut off)")
        result(
            "replay request → hole closed", closedAt > 0 ? String(format: "%.1f s (%.0f events/s)", closedAt - requestedAt, Double(missing) / (closedAt - requestedAt)) : "NOT CLOSED")
        result("every event recorded afterwards", complete ? "yes" : "NO")

        // 5. kill -9 of node 1 (the first address of every bridge and relay) while 200 events/s flow.
        say("== 5. kill -9 of node 1 while 200 events/s flow")
        let more = try simulatedLines(
            airport: codes[1], flights: max(flights, Int(200 * 30 / max(ratio * linesPerFlight, 0.01))), seed: 12)
        let feeder = Thread {
            do { try pace(Array(more.prefix(Int(200 / max(ratio, 0.01) * 25))), perSecond: 200 / max(ratio, 0.01), port: gateways[1].listenPort) } catch { say("  feeder failed: \(error)") }
        }
        feeder.start()
        usleep(8_000_000)
        let killedAt = Date().timeIntervalSince1970
        try CentralCluster.killNode(1)
        usleep(20_000_000)
        // Per event committed at the gateway from 2 s before the kill to 15 s after: its latency to the
        // relay's commit, by when it was committed at the gateway.
        let around = try strings(
            outboxes[1],
            """
            SELECT event_id::text || ' ' || extract(epoch FROM created_at)::text FROM flightedge.outbox
            WHERE event_id IS NOT NULL AND created_at BETWEEN to_timestamp($1) AND to_timestamp($2)
            """,
            [.text(String(killedAt - 2)), .text(String(killedAt + 15))])
        var createdAt: [String: Double] = [:]
        for row in around {
            let parts = row.split(separator: " ")
            if parts.count == 2, let at = Double(parts[1]) { createdAt[String(parts[0])] = at }
        }
        var timeline: [(created: Double, latency: Double)] = []
        for row in try strings(
            relay, "SELECT event_id::text || ' ' || extract(epoch FROM received_at)::text FROM relay.events WHERE event_id = ANY($1::uuid[])",
            [.text("{\(createdAt.keys.joined(separator: ","))}")])
        {
            let parts = row.split(separator: " ")
            if parts.count == 2, let at = Double(parts[1]), let created = createdAt[String(parts[0])] { timeline.append((created, at - created)) }
        }
        timeline.sort { $0.created < $1.created }
        let worst = timeline.max { $0.latency < $1.latency }
        // Normal again: from the first event committed at the gateway after which every event reached the relay within 0.5 s.
        let lastSlow = timeline.last { $0.latency >= 0.5 }
        say("  (\(timeline.count) of \(createdAt.count) events around the kill matched)")
        result(
            "kill -9 of node 1: worst gateway → relay latency of an event around it",
            worst.map { String(format: "%.1f s (committed at the gateway %.1f s after the kill)", $0.latency, $0.created - killedAt) } ?? "none")
        result(
            "kill -9 → events reach the relay within 0.5 s again",
            lastSlow.map { String(format: "%.1f s after the kill", $0.created + $0.latency - killedAt) } ?? "at once (no event over 0.5 s)")
        try CentralCluster.startDownNodes()
        usleep(6_000_000)

    }
} catch {
    stopBrokers()
    say("central-bench: \(error)")
    exit(1)
}
stopBrokers()

say("\n== central side, summary")
for (name, value) in results.rows.withLock({ $0 }) { say("| \(name) | \(value) |") }
