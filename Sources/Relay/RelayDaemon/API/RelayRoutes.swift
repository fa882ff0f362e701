import Channels
import Foundation
import HTTPTypes
import Hummingbird
import JSON
import NIOCore
import RelayStore
import SMSChannel
import Telemetry

/// The relay's HTTP API (RELAY.md; docs/relay-openapi.yaml): subscriptions for airline apps and
/// websites (bearer API keys), provider status callbacks, `/healthz` and `/metrics`; the
/// passenger pages (public page, personal page, one-click unsubscribe) are ``PassengerRoutes``.
struct RelayRoutes: Sendable {
    let store: RelayStore
    let links: LinkSigner
    let enabled: Set<ChannelKind>
    let health: @Sendable () async -> RelayHealth
    let metrics: RelayMetrics
    /// Twilio's auth token, to check status callbacks' signatures; nil when SMS is off.
    let twilioAuthToken: String?
    /// The passenger pages: `/`, `/subscribe`, `/manage/…`, `/unsubscribe/…`, their streams and files.
    let passenger: PassengerRoutes

    /// Bodies larger than this are refused with 413.
    static let maximumBody = 64 * 1024

    func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/healthz") { _, _ in await healthPage() }
        router.get("/metrics") { _, _ in await metricsPage() }
        let v1 = router.group("/v1")
        v1.post("/subscriptions") { request, context in try await create(request, context) }
        v1.get("/subscriptions/{id}") { request, context in try await show(request, context) }
        v1.delete("/subscriptions/{id}") { request, context in try await delete(request, context) }
        v1.get("/subscriptions/{id}/deliveries") { request, context in try await deliveries(request, context) }
        v1.post("/callbacks/twilio") { request, context in try await twilioCallback(request, context) }
        v1.get("/airports") { _, _ in try await AirportRoutes.list(store) }
        passenger.add(to: router)
    }

    // MARK: API

    private func create<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let keyID = try await RelayAPIKeys.authenticate(request.headers[.authorization], store: store)
        let body = try await Self.body(of: request)
        let parsed = try SubscriptionRequest(json: body, enabled: enabled)
        let id = UUID().uuidString.lowercased()
        try await store.create(
            NewSubscription(
                id: id, airline: parsed.airline, number: parsed.number, flightDate: parsed.flightDate, kinds: parsed.kinds,
                locale: parsed.locale, timeZone: parsed.timeZone, quietFrom: parsed.quietFrom, quietTo: parsed.quietTo,
                active: true, createdBy: keyID, contacts: parsed.contacts))
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("id", id)
        writer.field("manage_url", links.manageURL(id))
        writer.endObject()
        return Self.json(.created, writer.bytes, location: "/v1/subscriptions/\(id)")
    }

    private func show<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let record = try await ownedSubscription(request, context)
        return Self.json(.ok, SubscriptionJSON.subscription(record, manageURL: links.manageURL(record.id)))
    }

    private func delete<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let record = try await ownedSubscription(request, context)
        _ = try await store.end(subscription: record.id)
        return Response(status: .noContent)
    }

    private func deliveries<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let record = try await ownedSubscription(request, context)
        return Self.json(.ok, SubscriptionJSON.deliveries(try await store.deliveries(subscription: record.id)))
    }

    /// The subscription in the path, if the caller's key made it (another key's is a 404 too:
    /// ids do not leak across airlines).
    private func ownedSubscription<Context: RequestContext>(_ request: Request, _ context: Context) async throws
        -> SubscriptionRecord
    {
        let keyID = try await RelayAPIKeys.authenticate(request.headers[.authorization], store: store)
        let id = try Self.subscriptionID(context)
        guard let record = try await store.subscription(id: id), record.createdBy == keyID else {
            throw APIProblem(.notFound, "no subscription \(id)", field: "id")
        }
        return record
    }

    /// Twilio's status callback: signed with the account's auth token over the URL and the form.
    private func twilioCallback<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        guard let token = twilioAuthToken else { throw APIProblem(.notFound, "SMS is not enabled on this relay") }
        let form = FormBody.parse(try await Self.body(of: request))
        let url = links.publicURL + request.uri.description
        guard let signature = request.headers[HTTPField.Name("X-Twilio-Signature")!],
            TwilioSignature(authToken: token).isValid(signature, url: url, parameters: form)
        else {
            throw APIProblem(.forbidden, "bad or missing X-Twilio-Signature")
        }
        if let sid = FormBody.value("MessageSid", in: form), FormBody.value("MessageStatus", in: form) == "delivered" {
            _ = try await store.markDelivered(providerID: sid, channel: .sms)
        }
        return Response(status: .noContent)
    }

    // MARK: Operations

    private func healthPage() async -> Response {
        let health = await health()
        return Self.json(health.isHealthy ? .ok : .serviceUnavailable, health.json)
    }

    private func metricsPage() async -> Response {
        var figures = RelayMetrics.Figures()
        let health = await health()
        figures.sourceConnected = health.sourceConnected
        figures.databaseUp = health.databaseUp
        if health.databaseUp, let counts = try? await store.deliveryCounts() {
            figures.deliveries = counts.byState
            figures.dueNow = counts.dueNow
        }
        return Response(
            status: .ok, headers: [.contentType: GatewayMetrics.contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition(of: figures))))
    }

    // MARK: Helpers

    static func body(of request: Request) async throws -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: maximumBody)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIProblem(.contentTooLarge, "request body over \(maximumBody / 1024) KiB")
        } catch is NIOTooManyBytesError {
            throw APIProblem(.contentTooLarge, "request body over \(maximumBody / 1024) KiB")
        }
    }

    static func subscriptionID<Context: RequestContext>(_ context: Context) throws(APIProblem) -> String {
        guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil else {
            throw APIProblem(.notFound, "no such subscription", field: "id")
        }
        return id.lowercased()
    }

    static func json(_ status: HTTPResponse.Status, _ body: [UInt8], location: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// `application/x-www-form-urlencoded`, as Twilio posts and the passenger page's forms send.
enum FormBody {
    /// The fields in the order sent.
    static func parse(_ bytes: [UInt8]) -> [(name: String, value: String)] {
        String(decoding: bytes, as: UTF8.self).split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The first value of a field.
    static func value(_ name: String, in fields: [(name: String, value: String)]) -> String? {
        fields.first { $0.name == name }?.value
    }
}
