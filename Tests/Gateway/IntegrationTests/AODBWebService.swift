import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// An AODB web service for `http-poll` tests: HTTP/1.1 on 127.0.0.1, answering each request
/// with the next of its scripted answers (the last one again when they run out), one request
/// per connection, and recording every request with when it came and when its answer left.
final class AODBWebService: Sendable {
    /// What the service does with one request.
    enum Answer: Sendable {
        /// Waits `delay`, then answers.
        case respond(status: Int, headers: [(String, String)] = [], body: String = "", delay: Duration = .zero)
        /// Closes the connection without a word.
        case drop
    }

    /// A request as it arrived.
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header names in lower case.
        var headers: [String: String]
        var body: String
        var arrivedAt: ContinuousClock.Instant
        /// When the answer was written (or the connection dropped).
        var answeredAt: ContinuousClock.Instant?
    }

    private struct State {
        var answers: [Answer]
        var requests: [Request] = []
    }

    /// The script and the record, shared with the connections' tasks.
    private final class Script: Sendable {
        let state: Mutex<State>
        init(_ answers: [Answer]) { state = Mutex(State(answers: answers)) }
    }

    let port: Int
    private let script: Script
    private let task: Task<Void, Never>

    /// With `tls`, the service speaks HTTPS with that certificate and key (PEM files).
    init(answers: [Answer], tls: (certificate: String, key: String)? = nil) async throws {
        precondition(!answers.isEmpty)
        let context = try tls.map { tls in
            try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem))))
        }
        let script = Script(answers)
        self.script = script
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        port = server.channel.localAddress?.port ?? 0
        task = Task {
            try? await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await Self.serve(connection, script: script) }
                    }
                }
            }
        }
    }

    /// The requests so far, in arrival order.
    var requests: [Request] { script.state.withLock { $0.requests } }

    /// Appends answers to the script (the last one repeats once they run out).
    func append(_ answers: [Answer]) { script.state.withLock { $0.answers += answers } }

    func stop() { task.cancel() }

    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, script: Script) async {
        try? await connection.executeThenClose { inbound, outbound in
            var received: [UInt8] = []
            for try await chunk in inbound {
                received += chunk.readableBytesView
                guard var request = parse(received) else { continue }
                let (answer, index) = script.state.withLock { state in
                    state.requests.append(request)
                    let answer = state.answers.count > 1 ? state.answers.removeFirst() : state.answers[0]
                    return (answer, state.requests.count - 1)
                }
                switch answer {
                case .drop:
                    break
                case .respond(let status, let headers, let body, let delay):
                    if delay > .zero { try await Task.sleep(for: delay) }
                    var head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\n"
                    head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n"
                    for (name, value) in headers { head += "\(name): \(value)\r\n" }
                    try await outbound.write(ByteBuffer(string: head + "\r\n" + body))
                }
                request.answeredAt = .now
                script.state.withLock { $0.requests[index].answeredAt = request.answeredAt }
                return
            }
        }
    }

    /// A whole request (head and `Content-Length` body), or nil while bytes are missing.
    private static func parse(_ bytes: [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else {
            return nil
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + 4 + length else { return nil }
        return Request(
            method: requestLine.first.map(String.init) ?? "", path: requestLine.dropFirst().first.map(String.init) ?? "",
            headers: headers, body: String(decoding: bytes[(end + 4)..<(end + 4 + length)], as: UTF8.self),
            arrivedAt: .now)
    }
}

/// AIDX `FlightLegRS` bodies as an AODB web service answers them, SOAP-wrapped.
enum FlightLegRS {
    /// A response with one departure leg from `airport` per `(number, gate)`.
    static func body(airport: String, day: String, stamp: String, legs: [(number: Int, gate: String)]) -> String {
        let legs = legs.map { leg in
            """
            <FlightLeg><LegIdentifier><Airline>LX</Airline><FlightNumber>\(leg.number)</FlightNumber>\
            <DepartureAirport>\(airport)</DepartureAirport><ArrivalAirport>LHR</ArrivalAirport>\
            <OriginDate>\(day)</OriginDate></LegIdentifier><LegData><AirportResources Usage="Planned">\
            <Resource DepartureOrArrival="Departure"><PassengerGate>\(leg.gate)</PassengerGate></Resource>\
            </AirportResources></LegData></FlightLeg>
            """
        }
        return envelope(#"<Success/>"# + legs.joined(), stamp: stamp)
    }

    /// A response without legs whose warning asks for a wait.
    static func rateLimited(_ text: String, stamp: String) -> String {
        envelope(#"<Warnings><Warning Type="911" ShortText="\#(text)"/></Warnings>"#, stamp: stamp)
    }

    private static func envelope(_ content: String, stamp: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>\
        <IATA_AIDX_FlightLegRS xmlns="http://www.iata.org/IATA/2007/00" Version="22.1" TimeStamp="\(stamp)">\
        \(content)</IATA_AIDX_FlightLegRS></s:Body></s:Envelope>
        """
    }
}
