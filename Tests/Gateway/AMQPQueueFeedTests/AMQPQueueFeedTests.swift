import AMQP
import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// `transport = "amqp"` against the central RabbitMQ of `scripts/central` (issue 19): the real
/// daemon consumes an AODB queue of AIDX messages and acknowledges each only after its batch
/// committed, so a `kill -9` while the queue drains loses nothing and counts nothing twice.
@Suite("amqp feed against RabbitMQ", .serialized)
struct AMQPQueueFeedTests {
    /// About 20,000 AIDX messages (1,000 flights make 19,043).
    static let flights = 1_060
    static let messageCount = 20_000
    static let day: String = {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = .gmt
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date().addingTimeInterval(86_400))
    }()

    let password: String
    let passwordFile: String

    init() throws {
        password = try AMQPFeedQueue.password()
        let folder = try TestServices.scratch.appendingPathComponent("amqp-feed")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        passwordFile = folder.appendingPathComponent("aqf-bridge.password").path
        try (password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
    }

    func connect() throws -> AMQPConnection {
        var endpoint = try AMQPEndpoint(url: try AMQPFeedQueue.url())
        endpoint.password = password
        return try AMQPConnection(endpoint: endpoint)
    }

    /// A durable queue of the test's own holding `messages`, published with confirms.
    func fill(_ messages: [[UInt8]]) throws -> String {
        let (queue, routingKey) = AMQPFeedQueue.names()
        let connection = try connect()
        defer { connection.close() }
        try connection.declareQueue(queue, quorum: false)
        try connection.bindQueue(queue, exchange: "amq.topic", routingKey: routingKey)
        try connection.enableConfirms()
        for message in messages {
            try connection.publish(exchange: "amq.topic", routingKey: routingKey, body: message)
            if connection.unconfirmedCount >= 2_000 { try connection.waitForConfirms(atMost: 1_000, timeout: .seconds(60)) }
        }
        try connection.waitForConfirms(timeout: .seconds(60))
        return queue
    }

    /// Deletes the queue; returns how many messages it still held.
    func drop(_ queue: String) throws -> Int {
        let connection = try connect()
        defer { connection.close() }
        return try connection.deleteQueue(queue)
    }

    func feed(_ queue: String) throws -> String {
        """

        [[feeds]]
        name = "aodb-queue"
        format = "aidx"
        transport = "amqp"
        url = "\(try AMQPFeedQueue.url())"
        password_file = "\(passwordFile)"
        queue = "\(queue)"
        """
    }

    static func history(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            "SELECT flight_id, seq, field, new_value::text FROM flightedge.flight_changes ORDER BY flight_id, seq, field"
        ).rows.map { $0.map { $0 ?? "null" }.joined(separator: " ") }
    }

    static func count(_ connection: PostgresConnection, _ table: String) throws -> Int {
        Int(try connection.query("SELECT count(*) FROM flightedge.\(table)").rows.first?[0] ?? "0") ?? 0
    }

    @Test func killedWhileTheQueueDrainsTheHistoryEqualsACleanRunAndTheQueueEndsEmpty() async throws {
        let airport = String((0..<3).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZ".randomElement()! })
        let messages = Array(
            try AMQPFeedQueue.aidxMessages(airport: airport, flights: Self.flights, seed: 19, date: Self.day).prefix(Self.messageCount))
        #expect(messages.count == Self.messageCount)
        let clock = ContinuousClock()

        // The reference: the same messages, no fault.
        var started = clock.now
        let cleanQueue = try fill(messages)
        let published = clock.now - started
        started = clock.now
        let reference = try await withDaemon(extraFeeds: try feed(cleanQueue), airport: airport) { daemon in
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("every message committed", within: 110) {
                try daemon.metric("flightedge_frames_committed_total") == Double(Self.messageCount)
            }
            try await settle(connection)
            #expect(daemon.stop() == 0)
            #expect(try Self.count(connection, "rejected_frames") == 0)
            return try Self.history(connection)
        }
        let cleanRun = clock.now - started
        #expect(try drop(cleanQueue) == 0, "the clean run acknowledged every message")
        #expect(reference.count > 20_000)

        // kill -9 while the queue drains, then a restart.
        let queue = try fill(messages)
        started = clock.now
        let (killedAt, history, rejected) = try await withDaemon(extraFeeds: try feed(queue), airport: airport) { daemon in
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("a third of the messages in", within: 110) {
                try daemon.metric(#"flightedge_feed_frames_total{feed="aodb-queue"}"#) ?? 0 >= Double(Self.messageCount / 3)
            }
            let killedAt = try Self.count(connection, "flight_changes")
            daemon.crash()
            try daemon.start()
            try await eventually("the history of the clean run", within: 110) {
                try Self.count(connection, "flight_changes") >= reference.count
            }
            try await settle(connection)
            #expect(daemon.stop() == 0)
            return (killedAt, try Self.history(connection), try Self.count(connection, "rejected_frames"))
        }
        let crashRun = clock.now - started
        #expect(killedAt > 0 && killedAt < reference.count, "the kill hit a daemon at work")
        #expect(rejected == 0)
        #expect(history.count == reference.count)
        let extra = Set(history).subtracting(reference)
        let missing = Set(reference).subtracting(history)
        #expect(extra.isEmpty && missing.isEmpty, "extra: \(extra.sorted().prefix(5)); missing: \(missing.sorted().prefix(5))")
        #expect(try drop(queue) == 0, "nothing left in the queue")
        print(
            "amqp feed: \(messages.count) AIDX messages (\(messages.reduce(0) { $0 + $1.count } / 1_000_000) MB) published in \(published); "
                + "clean run \(cleanRun) (\(reference.count) changes); kill -9 at \(killedAt) changes, restart, "
                + "\(history.count) changes identical, queue empty, in \(crashRun)")
    }

    @Test func anUndecodableMessageIsKeptInRejectedFramesAndAcknowledged() async throws {
        let airport = String((0..<3).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZ".randomElement()! })
        let day = Array(try AMQPFeedQueue.aidxMessages(airport: airport, flights: 4, seed: 3, date: Self.day).prefix(10))
        let garbage = Array("<IATA_AIDX_FlightLegNotifRQ><broken".utf8)
        let queue = try fill(Array(day.prefix(5)) + [garbage] + Array(day.dropFirst(5)))
        try await withDaemon(extraFeeds: try feed(queue), airport: airport) { daemon in
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("the eleven messages handled", within: 30) {
                try daemon.metric(#"flightedge_feed_frames_total{feed="aodb-queue"}"#) == 11 && Self.count(connection, "rejected_frames") == 1
            }
            let rejected = try connection.query("SELECT feed, position, raw FROM flightedge.rejected_frames").rows
            #expect(rejected.first?[0] == "aodb-queue")
            #expect(rejected.first?[1]?.contains(queue) == true)
            try await settle(connection)
            #expect(daemon.stop() == 0)
            #expect(try Self.count(connection, "flights") > 0)
        }
        #expect(try drop(queue) == 0, "the rejected message was acknowledged too")
    }

    /// Waits until nothing changes in the history for a second (the last acks follow a commit).
    func settle(_ connection: PostgresConnection) async throws {
        var last = -1
        try await eventually("the history settled", within: 30) {
            let now = try Self.count(connection, "flight_changes")
            defer { last = now }
            return now == last
        }
    }

    /// Issue 19's leftover: one broker URL, no failover. With `urls`, a node that is down is
    /// passed over for the next one (here through `poll-once`, which reads as the feed does).
    @Test func aFeedWithUrlsReachesTheQueueThroughTheNextNodeWhenTheFirstIsDown() throws {
        let queue = try fill([Array("<FlightLegNotifRQ/>".utf8)])
        defer { _ = try? drop(queue) }
        let live = try AMQPFeedQueue.url()
        let dead = "amqp://\(AMQPFeedQueue.user)@127.0.0.1:1/\(try CentralCluster.vhost)"
        let folder = try TestServices.scratch.appendingPathComponent("amqp-feed")
        let config = folder.appendingPathComponent("urls-\(UUID().uuidString.prefix(8)).toml")
        try """
            [airport]
            iata = "AQF"
            timezone = "Europe/Zurich"

            [database]
            url = "postgresql:///flightedge"

            [mqtt]
            host = "127.0.0.1"

            [[feeds]]
            name = "aodb-queue"
            format = "aidx"
            transport = "amqp"
            urls = ["\(dead)", "\(live)"]
            password_file = "\(passwordFile)"
            queue = "\(queue)"
            """.write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }

        let process = Process()
        process.executableURL = DaemonProcess.binaryUnderTest
        process.arguments = ["poll-once", "--config", config.path, "--feed", "aodb-queue"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        while process.isRunning { usleep(5_000) }
        #expect(text.contains("queue \(queue): one message of 19 bytes"), "\(text)")
        #expect(text.contains("(given back, not acknowledged)"), "\(text)")
        #expect(try drop(queue) == 1, "poll-once acknowledged the message")
    }
}

/// Polls `condition` every 0.5 s until it holds, failing after `seconds`.
func eventually(_ what: String, within seconds: Double, _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if (try? condition()) == true { return }
        try await Task.sleep(for: .milliseconds(500))
    }
    Issue.record("timed out waiting for: \(what)")
    throw TestSupportError(.daemonNotReady, "timed out waiting for: \(what)")
}
