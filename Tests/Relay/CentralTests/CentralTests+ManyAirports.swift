import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

extension CentralTests {
    /// Issue #13's proof: three airports (each a gateway with its own database and mosquitto,
    /// bridged to the three-node cluster), two relay instances on the AMQP source, a shortened
    /// day at each airport; meanwhile a node is killed and started again, a relay instance is
    /// killed and restarted, and one airport is cut off from the centre twice for longer than its
    /// bridge may queue (so mosquitto drops events, and only replay brings them back), the
    /// second time until after its day ended (the lost events are the stream's last).
    /// Afterwards every event of every airport is in the relay's database once, no gap is open,
    /// and every notification the relay sent reached the SMTP stand-in.
    @Test func threeAirportsTwoRelaysAndEveryFaultLoseNoEvent() async throws {
        try CentralCluster.startDownNodes()
        let smtp = try SMTPStandin.shared()
        let run = UUID().uuidString.prefix(6).lowercased()
        let codes = CentralSetup.airportCodes(3)
        let date = CentralSetup.today()
        let mqttPorts = try CentralCluster.mqttPorts
        // The third airport reaches the centre through links the test can cut; its bridge may
        // queue 20 events while cut off.
        let links = try mqttPorts.map { try WANLink(upstream: $0) }
        let brokers = [
            try AirportBroker(iata: codes[0]), try AirportBroker(iata: codes[1]),
            try AirportBroker(iata: codes[2], maxQueuedMessages: 20, nodePorts: links.map(\.port)),
        ]
        try await CentralSetup.withDatabases(4) { urls in
            let gateways = try (0..<3).map { i in
                try DaemonProcess(databaseURL: urls[i], mqttPort: brokers[i].port, airport: codes[i], logLevel: "info")
            }
            defer { for gateway in gateways { _ = gateway.stop() } }
            for gateway in gateways { try gateway.start() }
            let relays = try (0..<2).map { _ in try CentralSetup.relay(databaseURL: urls[3], smtp: smtp, extra: Self.relayTuning) }
            defer { for relay in relays { relay.stop() } }
            for relay in relays { try relay.start() }

            // A few passengers per airport, on departures of the day about to be played.
            let key = try relays[0].createAPIKey()
            var addresses: [String] = []
            for (index, code) in codes.enumerated() {
                for flight in try CentralSetup.departures(airport: code, flights: 120, seed: UInt64(index + 1), date: date).prefix(3) {
                    let address = "central.\(run).\(code.lowercased()).\(flight.airline)\(flight.number)@example.org"
                    let created = try relays[0].request(
                        "POST", "/v1/subscriptions",
                        body: """
                            {"flight": {"airline": "\(flight.airline)", "number": "\(flight.number)", "date": "\(date)"},
                             "contacts": [{"channel": "email", "address": "\(address)"}]}
                            """,
                        headers: ["Authorization": "Bearer \(key)"])
                    #expect(created.status == 201, "\(created.body)")
                    addresses.append(address)
                }
            }

            // The faults, while the day is played.
            // The day, 05:00 to midnight in about 47 s at each airport (1,440 times real time).
            let feeds = try (0..<3).map { i in
                try CentralSetup.simulate(
                    airport: codes[i], flights: 120, seed: UInt64(i + 1), date: date, speed: 1440, to: gateways[i].listenPort
                ).process
            }
            let start = Date()
            func at(_ seconds: Double) async throws {
                let left = seconds - Date().timeIntervalSince(start)
                if left > 0 { try await Task.sleep(for: .milliseconds(Int(left * 1000))) }
            }
            try await at(6)
            try CentralCluster.killNode(2)
            let restart = Task.detached {
                try await Task.sleep(for: .seconds(8))
                try CentralCluster.startDownNodes()
            }
            try await at(12)
            relays[1].kill9()
            try await at(15)
            try relays[1].start()
            // Cut off twice: mid-day (the next events reveal the hole), then from late in the day
            // until after its end (nothing later comes: only the status's stream_seq reveals it).
            try await at(18)
            for link in links { link.cut() }
            try await at(30)
            for link in links { try link.restore() }
            try await at(40)
            for link in links { link.cut() }
            try await restart.value
            for feed in feeds { feed.waitUntilExit() }
            try await Task.sleep(for: .seconds(2))
            for link in links { try link.restore() }
            #expect(feeds.allSatisfy { $0.terminationStatus == 0 }, "a simulator failed")
            let played = Date().timeIntervalSince(start)

            // Every event of every airport, once; no hole left.
            let relayDatabase = try PostgresConnection(conninfo: urls[3])
            let outboxes = try urls[0..<3].map { try PostgresConnection(conninfo: $0) }
            var report: [String] = []
            let complete = try await Self.eventually(within: 90) {
                report = []
                var done = true
                for (index, code) in codes.enumerated() {
                    let published = try Self.strings(
                        outboxes[index], "SELECT event_id::text FROM flightedge.outbox WHERE event_id IS NOT NULL")
                    // By event_id; the airport is part of it, so none may be recorded under another
                    // airport's code (the simulated days share flight numbers and dates).
                    let recorded = try Self.strings(
                        relayDatabase, "SELECT event_id::text FROM relay.events WHERE event_id = ANY($1::uuid[])",
                        [.text("{\(published.joined(separator: ","))}")])
                    let elsewhere = try Self.strings(
                        relayDatabase, "SELECT count(*)::text FROM relay.events WHERE event_id = ANY($1::uuid[]) AND airport <> $2",
                        [.text("{\(published.joined(separator: ","))}"), .text(code)]).first ?? "?"
                    let gaps = try Self.strings(
                        relayDatabase, "SELECT from_seq || '-' || to_seq FROM relay.stream_gaps WHERE airport = $1", [.text(code)])
                    let highest = try Self.strings(outboxes[index], "SELECT max(stream_seq)::text FROM flightedge.outbox").first ?? ""
                    let contiguous = try Self.strings(
                        relayDatabase, "SELECT highest_contiguous::text FROM relay.airport_streams WHERE airport = $1", [.text(code)]
                    ).first ?? "0"
                    let missing = Set(published).subtracting(recorded)
                    report.append(
                        "\(code): \(published.count) published, \(recorded.count) recorded (\(elsewhere) under another airport's code), "
                            + "\(missing.count) missing, contiguous to \(contiguous) of \(highest), gaps \(gaps)")
                    done = done && !published.isEmpty && missing.isEmpty && gaps.isEmpty && contiguous == highest && elsewhere == "0"
                }
                return done
            }
            let settled = Date().timeIntervalSince(start)
            #expect(complete, "\(report.joined(separator: "; "))\ncut-off bridge log: \(brokers[2].log.suffix(2000))")

            // /v1/airports: each airport online, contiguous up to its last number, no open gap.
            let listed = try relays[0].request("GET", "/v1/airports")
            #expect(listed.status == 200)
            let airports = try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]] ?? []
            for (index, code) in codes.enumerated() {
                let highest = try Self.strings(outboxes[index], "SELECT max(stream_seq)::text FROM flightedge.outbox").first ?? ""
                let entry = airports.first { $0["airport"] as? String == code }
                #expect((entry?["highest_contiguous_seq"] as? Int).map(String.init) == highest, "\(code): \(entry ?? [:])")
                #expect(entry?["open_gaps"] as? Int == 0)
                #expect(entry?["status"] as? String == "online")
                // The gateway's retained status and its bridge's notification reached the centre.
                #expect(entry?["gateway"] as? String == "online", "\(code): \(entry ?? [:])")
                #expect(entry?["bridge"] as? String == "connected", "\(code): \(entry ?? [:])")
            }
            // The same in /metrics (set by the replay round, every 0.5 s here).
            let gauges = try await Self.eventually(within: 10) {
                let samples = MetricSamples(prometheusText: try relays[0].request("GET", "/metrics").body)
                return try codes.enumerated().allSatisfy { index, code in
                    let highest = try Self.strings(outboxes[index], "SELECT max(stream_seq)::text FROM flightedge.outbox").first
                    return samples["flightedge_relay_airport_highest_contiguous_seq{airport=\"\(code)\"}"].map { String(Int($0)) } == highest
                        && samples["flightedge_relay_airport_open_gaps{airport=\"\(code)\"}"] == 0
                        && samples["flightedge_relay_airport_status{airport=\"\(code)\",status=\"online\"}"] == 1
                }
            }
            #expect(gauges, "per-airport gauges in /metrics")
            // The cut-off airport lost events in its bridge: only replay requests brought them back.
            let cutOff = airports.first { $0["airport"] as? String == codes[2] }
            #expect((cutOff?["replays"] as? Int ?? 0) > 0, "no replay was needed: \(cutOff ?? [:])")
            #expect(brokers[2].log.contains("dropped"), "mosquitto dropped nothing: \(brokers[2].log.suffix(1500))")
            // The second cut lost the day's last events: only the status's stream_seq told of them.
            let tail = relays.contains { $0.log.contains("events missing at the end of an airport's stream") }
            #expect(tail, "no hole at the end of \(codes[2])'s stream was seen")

            // Every notification the relays sent reached the stand-in (a kill -9 between the SMTP
            // server's 250 and the commit may send one twice, never lose one).
            let quiet = try await Self.eventually(within: 30) {
                try Self.strings(
                    relayDatabase, "SELECT count(*)::text FROM relay.deliveries WHERE state IN ('pending', 'sending') AND due_at <= now()"
                ).first == "0"
            }
            #expect(quiet, "deliveries still due")
            let sent = try Self.strings(
                relayDatabase,
                "SELECT message->>'delivery_id' FROM relay.deliveries WHERE channel = 'email' AND state IN ('sent', 'delivered')")
            var copies: [String: Int] = [:]
            for mail in try smtp.received() where mail.rcptTos.contains(where: { $0.hasPrefix("central.\(run).") }) {
                guard let messageID = mail.messageID, let delivery = sent.first(where: { messageID.contains($0) }) else { continue }
                copies[delivery, default: 0] += 1
            }
            let lost = sent.filter { copies[$0] == nil }
            let twice = copies.values.reduce(0) { $0 + max(0, $1 - 1) }
            #expect(!sent.isEmpty, "no notification was sent to \(addresses.count) passengers")
            #expect(lost.isEmpty, "sent but never received: \(lost.prefix(5))")
            #expect(twice <= 8, "\(twice) notifications twice")
            print(
                "three airports, two relays, node 2 and relay B killed, \(codes[2]) cut off 12 s and at the end: "
                    + report.joined(separator: "; ") + "; replays for \(codes[2]): \(cutOff?["replays"] ?? 0); "
                    + "\(sent.count) mails, \(twice) twice; played \(Int(played)) s, settled at \(Int(settled)) s")
        }
    }

    // MARK: Helpers

    /// Replay requests after 2 s without progress, repeated every 2–5 s; gate changes told at once.
    static let relayTuning = """
        [rules]
        gate_hold_seconds = 0

        [dispatch]
        lease_seconds = 5

        [central]
        replay_after_seconds = 2
        replay_backoff_max_seconds = 5
        silent_after_seconds = 120
        """

    static func strings(_ connection: PostgresConnection, _ sql: String, _ parameters: [PostgresValue] = []) throws -> [String] {
        try connection.query(sql, parameters).rows.compactMap { $0.first ?? nil }
    }

    static func eventually(within seconds: Double, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return try condition()
    }
}
