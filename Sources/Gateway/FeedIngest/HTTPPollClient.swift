import AsyncHTTPClient
import Configuration
import FeedFraming
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One `http-poll` feed's requests: the URL, method, body, headers and credentials of its
/// configuration, read once when the feed starts, over one HTTP client (connections kept alive).
public final class HTTPPollClient: Sendable {
    public let settings: HTTPPollSettings
    private let client: HTTPClient
    private let body: [UInt8]?
    private let authorization: String?
    /// The most of a body kept in memory: `max_frame_bytes` for a one-frame response, else 64 MiB.
    public let maxBodyBytes: Int

    /// Reads the body file, the password or token and the CA of `feed`'s settings.
    public init(feed: FeedConfig) throws(HTTPPollError) {
        let prepared = try Self.prepare(feed)
        settings = prepared.settings
        body = prepared.body
        authorization = prepared.authorization
        maxBodyBytes = feed.framing == .file ? feed.maxFrameBytes : 64 << 20
        let timeout = TimeAmount.nanoseconds(Int64(HTTPPollPolicy.milliseconds(settings.timeout)) * 1_000_000)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: prepared.tls, redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: min(timeout, .seconds(10)), read: timeout))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Reads what the feed will read when it starts (body file, password or token, CA), without
    /// a connection: what `check-config` and a reload ask before they accept a configuration.
    public static func check(_ feed: FeedConfig) throws(HTTPPollError) {
        _ = try prepare(feed)
    }

    private struct Prepared {
        var settings: HTTPPollSettings
        var body: [UInt8]?
        var authorization: String?
        var tls: TLSConfiguration
    }

    private static func prepare(_ feed: FeedConfig) throws(HTTPPollError) -> Prepared {
        guard let settings = feed.httpPoll else { throw HTTPPollError(feed: nil, "not an http-poll feed") }
        var body: [UInt8]?
        if let path = settings.bodyFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw HTTPPollError(feed: nil, "body_file: cannot read \(path)")
            }
            body = Array(data)
        }
        var authorization: String?
        do {
            switch settings.auth {
            case .none: break
            case .basic(let username, let passwordFile):
                let password = try SecretFile.read(path: passwordFile, credential: "\(feed.name).password") ?? ""
                authorization = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
            case .bearer(let tokenFile):
                authorization = "Bearer " + (try SecretFile.read(path: tokenFile, credential: "\(feed.name).token") ?? "")
            }
        } catch {
            let key = if case .bearer = settings.auth { "token_file" } else { "password_file" }
            throw HTTPPollError(feed: nil, "\(key): \(error.description)")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw HTTPPollError(feed: nil, "ca_file: cannot read a PEM certificate from \(caFile): \(error)")
            }
        }
        return Prepared(settings: settings, body: body, authorization: authorization, tls: tls)
    }

    /// One request with `conditional` headers; the body read up to ``maxBodyBytes`` (beyond it,
    /// the response is ``HTTPPollResponse/oversize``). Throws when no complete answer came within
    /// `timeout` (refused, dropped, TLS, too slow).
    public func fetch(conditional: [(name: String, value: String)] = []) async throws -> HTTPPollResponse {
        var request = HTTPClientRequest(url: settings.url)
        request.method = settings.method == .post ? .POST : .GET
        request.headers.add(name: "User-Agent", value: "FlightEdge")
        for (name, value) in settings.headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        for (name, value) in conditional { request.headers.add(name: name, value: value) }
        if let body {
            if !request.headers.contains(name: "Content-Type") {
                request.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
            }
            request.body = .bytes(body)
        }
        let deadline = NIODeadline.now() + .nanoseconds(Int64(HTTPPollPolicy.milliseconds(settings.timeout)) * 1_000_000)
        let limit = maxBodyBytes
        let prepared = request
        // The deadline covers the whole answer, its body included: a server that trickles is cut off.
        return try await withThrowingTaskGroup(of: HTTPPollResponse?.self) { group in
            group.addTask { [client] in
                let response = try await client.execute(prepared, deadline: deadline)
                var result = HTTPPollResponse(
                    status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) })
                for try await chunk in response.body {
                    result.size += chunk.readableBytes
                    if result.size > limit {
                        result.isOversize = true
                        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init) {
                            result.size = length
                        }
                        result.body = Array(result.body.prefix(keptPrefixBytes))
                        return result
                    }
                    result.body.append(contentsOf: chunk.readableBytesView)
                }
                return result
            }
            group.addTask {
                try await Task.sleep(until: .now + self.settings.timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw HTTPPollError(feed: nil, "no complete answer within \(self.settings.timeout)")
            }
            return response
        }
    }

    /// Closes the client's connections; call once, when the feed stops.
    public func shutdown() async {
        try? await client.shutdown()
    }
}

/// One answer of an `http-poll` request.
public struct HTTPPollResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The body, or its first bytes when ``isOversize``.
    public var body: [UInt8] = []
    /// The body's size (as read, or as `Content-Length` said when it was cut off).
    public var size = 0
    /// True when the body was larger than the client keeps: `body` holds its first bytes only.
    public var isOversize = false
}

/// Why an `http-poll` feed could not start or a request failed, for the operator.
public struct HTTPPollError: Error, Sendable, CustomStringConvertible {
    public var feed: String?
    public var message: String

    init(feed: String?, _ message: String) {
        self.feed = feed
        self.message = message
    }

    public var description: String { feed.map { "feed \($0): \(message)" } ?? message }
}
