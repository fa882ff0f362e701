import FlightEdgeTestSupport
import Foundation
import MQTTConnection
import MQTTWire
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One client's QoS 1 publishing: the rate and what it cost the client's process.
struct RawPublishFigures {
    var messagesPerSecond: Double
    /// User and system CPU of the whole benchmark process (every thread) per message.
    var cpuMicrosecondsPerMessage: Double
}

/// The process's user + system CPU time so far, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
}

extension RawLimits {
    /// The same publishes as ``qos1PublishesPerSecond(_:messages:inflight:)``, written by
    /// `MQTTWire` on one blocking socket: each refill of the window goes out in one `write`,
    /// and every PUBACK in a read is taken from it. What a batching client would cost.
    static func qos1PublishesBatched(
        _ environment: BenchEnvironment, messages: Int = 100_000, inflight: Int = 100
    ) throws -> RawPublishFigures {
        let socket = try Loopback.connect(port: environment.mqttPort, noDelay: true)
        defer { close(socket) }
        var out: [UInt8] = []
        let password = Array(try environment.mqttPassword("flightedge").utf8)
        try MQTTPacketWriter.connect(
            MQTTConnect(version: .v5, clientID: "fe-bench-wire-\(getpid())", username: "flightedge", password: password),
            into: &out)
        try Loopback.writeAll(socket, out)
        var reader = MQTTSocketReader(socket: socket, version: .v5)
        guard case .connack(let ack) = try reader.next(), ack.accepted else {
            throw BenchError("raw publish (MQTTWire): the broker did not accept the connection")
        }
        let payload = Array(String(repeating: "x", count: 600).utf8)
        let topics = (0..<1000).map { "flightedge/BENCH/raw/\($0)" }
        let startedCPU = processCPUSeconds()
        let started = now()
        var sent = 0
        var acknowledged = 0
        var nextID: UInt16 = 1
        while acknowledged < messages {
            out.removeAll(keepingCapacity: true)
            while sent < messages, sent - acknowledged < inflight {
                try MQTTPacketWriter.publish(
                    topic: topics[sent % 1000], payload: payload, qos: 1, retain: false, packetID: nextID,
                    version: .v5, into: &out)
                nextID = nextID == UInt16.max ? 1 : nextID + 1
                sent += 1
            }
            if !out.isEmpty { try Loopback.writeAll(socket, out) }
            // One blocking read, then every PUBACK it brought.
            try reader.receive()
            while let packet = try reader.buffered() {
                guard case .puback(_, let reason, _) = packet, reason < 0x80 else {
                    throw BenchError("raw publish (MQTTWire): \(packet) from the broker")
                }
                acknowledged += 1
            }
            guard now() - started < 120 else {
                throw BenchError("raw publish (MQTTWire): only \(acknowledged) of \(messages) acknowledged")
            }
        }
        let seconds = now() - started
        return RawPublishFigures(
            messagesPerSecond: Double(messages) / seconds,
            cpuMicrosecondsPerMessage: (processCPUSeconds() - startedCPU) / Double(messages) * 1_000_000)
    }

    /// The same publishes through ``MQTTConnection`` on one event loop, handed over
    /// 1,000 at a time as the pipeline's batches would be: what the batching client costs with
    /// swift-nio's own work included.
    static func qos1PublishesOverNIO(
        _ environment: BenchEnvironment, messages: Int = 100_000, inflight: Int = 100
    ) async throws -> RawPublishFigures {
        let group = MultiThreadedEventLoopGroup.singleton  // the connection keeps to one of its loops
        let password = Array(try environment.mqttPassword("flightedge").utf8)
        let connect = MQTTConnect(version: .v5, clientID: "fe-bench-nio-\(getpid())", username: "flightedge", password: password)
        let counts = Mutex((connected: false, acknowledged: 0, refused: 0))
        let connection = try await MQTTConnection.open(
            MQTTConnection.Configuration(host: environment.mqttHost, port: environment.mqttPort, connect: connect, maximumInFlight: inflight),
            on: group
        ) { event in
            switch event {
            case .connected: counts.withLock { $0.connected = true }
            case .acknowledged(let acknowledgements):
                let refused = acknowledgements.count { $0.reasonCode >= 0x80 }
                counts.withLock {
                    $0.acknowledged += acknowledgements.count
                    $0.refused += refused
                }
            default: break
            }
        }
        let deadline = now() + 120
        while !counts.withLock({ $0.connected }) {
            guard now() < deadline else { throw BenchError("raw publish (MQTTConnection): no CONNACK") }
            try await Task.sleep(for: .milliseconds(1))
        }
        let payload = Array(String(repeating: "x", count: 600).utf8)
        let batches = stride(from: 0, to: messages, by: 1000).map { start in
            (start..<min(start + 1000, messages)).map {
                MQTTConnection.Outgoing(
                    tag: UInt64($0), MQTTApplicationMessage(topic: "flightedge/BENCH/raw/\($0 % 1000)", payload: payload))
            }
        }
        let startedCPU = processCPUSeconds()
        let started = now()
        for batch in batches {
            // Like the pipeline: the next batch when the one before is mostly out.
            while counts.withLock({ $0.acknowledged }) + 1000 < Int(batch[0].tag) { try await Task.sleep(for: .microseconds(200)) }
            connection.publish(batch)
        }
        while counts.withLock({ $0.acknowledged }) < messages {
            guard now() < deadline else { throw BenchError("raw publish (MQTTConnection): only some acknowledged") }
            try await Task.sleep(for: .microseconds(200))
        }
        let seconds = now() - started
        let cpu = processCPUSeconds() - startedCPU
        await connection.close()
        guard counts.withLock({ $0.refused }) == 0 else { throw BenchError("raw publish (MQTTConnection): the broker refused messages") }
        return RawPublishFigures(
            messagesPerSecond: Double(messages) / seconds, cpuMicrosecondsPerMessage: cpu / Double(messages) * 1_000_000)
    }
}
