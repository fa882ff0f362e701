import AMQP
import AirportSimulator
import FlightEdgeTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `--only amqp`: the simulated day as AIDX messages, end to end through a real daemon twice in
/// the same run: from a RabbitMQ queue (`transport = "amqp"`, node 1 of `scripts/central`) and
/// over `tcp-listen` (stx-etx), each from the first message sent to the last PUBACK; beside the
/// raw rate of publishing the same messages into the queue with confirms.
enum AMQPDay {
    struct Result {
        var messages: Int
        var meanBytes: Int
        /// Messages/s published into a queue with confirms, nothing consuming.
        var rawPublishRate: Double
        var amqp: Run
        var tcp: Run
    }

    struct Run {
        var seconds: Double
        var cpuSeconds: Double
        var peakRSSMegabytes: Double
        var messagesPerSecond = 0.0
    }

    static func run(_ environment: BenchEnvironment, flights: Int, stateQoS: Int) throws -> Result {
        let day = AirportDay(airport: "BEN", flights: flights, seed: 11, dayStart: BenchDay.start)
        var writer = SimulatedFeedWriter(format: .aidx)
        let framed = day.messages().compactMap { writer.frame(for: $0) }
        // A queue message is the AIDX document alone, without STX and ETX.
        let messages = framed.map { Array($0.dropFirst().dropLast()) }
        let password = try AMQPFeedQueue.password()
        var endpoint = try AMQPEndpoint(url: try AMQPFeedQueue.url())
        endpoint.password = password
        let passwordFile = environment.scratch.appendingPathComponent("bench").appendingPathComponent("aqf-bridge.password")
        try FileManager.default.createDirectory(at: passwordFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (password + "\n").write(to: passwordFile, atomically: true, encoding: .utf8)

        // The raw limit: the same messages into a queue nobody reads.
        let raw = AMQPFeedQueue.names()
        let rawSeconds = try publish(messages, to: endpoint, queue: raw.queue, routingKey: raw.routingKey)
        _ = try withConnection(endpoint) { try $0.deleteQueue(raw.queue) }

        let names = AMQPFeedQueue.names()
        _ = try withConnection(endpoint) { connection in
            try connection.declareQueue(names.queue, quorum: false)
            try connection.bindQueue(names.queue, exchange: "amq.topic", routingKey: names.routingKey)
        }
        defer { _ = try? withConnection(endpoint) { try $0.deleteQueue(names.queue) } }
        let amqpFeed = """

            [[feeds]]
            name = "aodb-queue"
            format = "aidx"
            transport = "amqp"
            url = "\(try AMQPFeedQueue.url())"
            password_file = "\(passwordFile.path)"
            queue = "\(names.queue)"
            """
        var amqp = try measure(environment, name: "amqp", feed: amqpFeed, stateQoS: stateQoS, messages: messages.count) {
            _ = try publish(messages, to: endpoint, queue: names.queue, routingKey: names.routingKey, declare: false)
        }
        let port = try Loopback.freePort()
        let tcpFeed = """

            [[feeds]]
            name = "aodb-tcp"
            format = "aidx"
            transport = "tcp-listen"
            address = "127.0.0.1:\(port)"
            framing = "stx-etx"
            allow = ["127.0.0.0/8"]
            """
        let stream = Array(framed.joined())
        var tcp = try measure(environment, name: "aidx-tcp", feed: tcpFeed, stateQoS: stateQoS, messages: messages.count) {
            let socket = try Loopback.connect(port: port, noDelay: true)
            try Loopback.writeAll(socket, stream)
            close(socket)
        }
        amqp.messagesPerSecond = Double(messages.count) / amqp.seconds
        tcp.messagesPerSecond = Double(messages.count) / tcp.seconds
        return Result(
            messages: messages.count, meanBytes: messages.reduce(0) { $0 + $1.count } / max(1, messages.count),
            rawPublishRate: Double(messages.count) / rawSeconds, amqp: amqp, tcp: tcp)
    }

    /// A fresh daemon with `feed`; `send` feeds it; from the send to the last PUBACK.
    private static func measure(
        _ environment: BenchEnvironment, name: String, feed: String, stateQoS: Int, messages: Int, send: () throws -> Void
    ) throws -> Run {
        let daemon = try DaemonProcess(
            databaseURL: try environment.freshDatabase("fe_bench_\(name.replacingOccurrences(of: "-", with: "_"))"), extraFeeds: feed,
            stateQoS: stateQoS, airport: "BEN", clientID: "fe-bench-\(name)-\(getpid())",
            folder: environment.scratch.appendingPathComponent("bench").appendingPathComponent(name),
            binary: Repository.root.appendingPathComponent(".build/release/flightedge"), logLevel: "notice", systemdNotify: false)
        try daemon.start(waitingFor: .healthy)
        defer { daemon.stop() }
        let cpuBefore = daemon.cpuSeconds
        let started = now()
        try send()
        let finished = try daemon.waitUntilDone(frames: messages)
        return Run(seconds: finished - started, cpuSeconds: daemon.cpuSeconds - cpuBefore, peakRSSMegabytes: daemon.peakResidentMegabytes)
    }

    /// Publishes `messages` with confirms (2,000 in flight); returns the seconds it took.
    private static func publish(
        _ messages: [[UInt8]], to endpoint: AMQPEndpoint, queue: String, routingKey: String, declare: Bool = true
    ) throws -> Double {
        try withConnection(endpoint) { connection in
            if declare {
                try connection.declareQueue(queue, quorum: false)
                try connection.bindQueue(queue, exchange: "amq.topic", routingKey: routingKey)
            }
            try connection.enableConfirms()
            let started = now()
            for message in messages {
                try connection.publish(exchange: "amq.topic", routingKey: routingKey, body: message)
                if connection.unconfirmedCount >= 2_000 { try connection.waitForConfirms(atMost: 1_000, timeout: .seconds(60)) }
            }
            try connection.waitForConfirms(timeout: .seconds(60))
            return now() - started
        }
    }

    private static func withConnection<T>(_ endpoint: AMQPEndpoint, _ body: (AMQPConnection) throws -> T) throws -> T {
        let connection = try AMQPConnection(endpoint: endpoint)
        defer { connection.close() }
        return try body(connection)
    }
}

extension BenchCommand {
    /// `--only amqp` (needs `scripts/central start` and `eval "$(scripts/central env)"`).
    func amqpFigures(_ environment: BenchEnvironment, parts: Set<String>, into table: inout Table) throws {
        guard parts.contains("amqp") else { return }
        let result = try AMQPDay.run(environment, flights: formatFlights, stateQoS: stateQos)
        let name = "amqp day (\(formatFlights) flights): \(result.messages) AIDX messages of \(result.meanBytes) B"
        table.add("\(name): raw publish + confirm into a queue", result.rawPublishRate, "msgs/s")
        table.add(
            "  amqp: end to end from the queue (load \(String(format: "%.2f", FormatDay.loadAverage())))", result.amqp.messagesPerSecond,
            "msgs/s", ratio: result.amqp.messagesPerSecond / result.tcp.messagesPerSecond, ratioName: "of tcp-listen")
        table.add("  amqp: end to end over tcp-listen, stx-etx, same messages", result.tcp.messagesPerSecond, "msgs/s")
        table.add("  amqp: CPU per message: daemon, from the queue", 1e6 * result.amqp.cpuSeconds / Double(result.messages), "µs")
        table.add("  amqp: CPU per message: daemon, over tcp-listen", 1e6 * result.tcp.cpuSeconds / Double(result.messages), "µs")
        table.add("  amqp: daemon peak RSS, from the queue", result.amqp.peakRSSMegabytes, "MB")
    }
}
