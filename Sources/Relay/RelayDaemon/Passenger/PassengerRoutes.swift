import Channels
import Foundation
import HTTPTypes
import Hummingbird
import JSON
import NIOCore
import RelayStore

/// The passenger's side of the relay (RELAY.md "Boards and passenger page"): the public page
/// `GET /` (lookup, subscribe), `POST /subscribe`, the personal page behind its signed link
/// (`/manage/{id}`, confirm, browser notifications, unsubscribe), their live streams
/// (`/flights/stream`, `/manage/{id}/stream`), the service worker `/sw.js` and `/assets/…`.
/// Every form post needs its CSRF token; every page is HTML that works without JavaScript.
struct PassengerRoutes: Sendable {
    let store: RelayStore
    let links: LinkSigner
    let hub: PassengerHub
    let enabled: Set<ChannelKind>
    /// The VAPID public key (base64url), when Web Push is enabled.
    let applicationServerKey: String?
    let limits: PublicSubscriptionLimits
    /// Wakes the dispatcher: a confirmation message was queued.
    let queued: @Sendable () -> Void

    private var csrf: PassengerCSRF { PassengerCSRF(links: links, secure: links.publicURL.hasPrefix("https://")) }
    private static let lastEventID = HTTPField.Name("Last-Event-ID")!

    func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { request, _ in try await publicPage(request) }
        router.post("/subscribe") { request, context in try await subscribe(request, context) }
        router.get("/flights/stream") { request, _ in try await flightStream(request) }
        router.get("/manage/{id}") { request, context in try await managePage(request, context) }
        router.get("/manage/{id}/stream") { request, context in try await manageStream(request, context) }
        router.post("/manage/{id}/confirm") { request, context in try await confirm(request, context) }
        router.post("/manage/{id}/webpush") { request, context in try await addBrowser(request, context) }
        router.get("/unsubscribe/{id}") { request, context in try await unsubscribePage(request, context) }
        router.post("/unsubscribe/{id}") { request, context in try await unsubscribe(request, context) }
        router.get("/sw.js") { _, _ in
            // Scope `/`: the worker may serve notifications for every page of the relay.
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache",
                    HTTPField.Name("Service-Worker-Allowed")!: "/", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: PassengerAssets.serviceWorker)))
        }
        router.get("/assets/{name}") { _, context in
            guard let asset = PassengerAssets.asset(named: context.parameters.get("name") ?? "") else {
                return PassengerLayout.problem(.notFound, title: "No such file", message: "The page's files are passenger.css and passenger.js.")
            }
            return Response(
                status: .ok,
                headers: [.contentType: asset.contentType, .cacheControl: "no-cache", HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: asset.body)))
        }
    }

    // MARK: Public page

    private func publicPage(_ request: Request) async throws -> Response {
        let session = csrf.session(for: request)
        let token = csrf.token(for: session.value)
        let query = request.uri.queryParameters
        guard query["flight"] != nil || query["date"] != nil else {
            return PublicPage.render(.start, csrf: token, setCookie: session.setCookie, enabled: enabled)
        }
        // A GET form sends a space as `+`, which the query's percent-decoding leaves.
        let values = [
            "flight": String(query["flight"] ?? "").replacingOccurrences(of: "+", with: " "),
            "date": String(query["date"] ?? "").replacingOccurrences(of: "+", with: " "),
        ]
        var lookup: FlightQuery
        do {
            lookup = try FlightQuery(flight: values["flight"] ?? "", date: values["date"] ?? "")
        } catch {
            return PublicPage.render(
                .problem(error, status: .badRequest, lookup: nil), form: values, csrf: token, setCookie: session.setCookie, enabled: enabled)
        }
        var flights = try await store.flights(airline: lookup.airline, number: lookup.number, date: lookup.date)
        if flights.isEmpty, let padded = lookup.padded {
            let found = try await store.flights(airline: padded.airline, number: padded.number, date: padded.date)
            if !found.isEmpty { (lookup, flights) = (padded, found) }
        }
        let key = PassengerHub.FlightKey(airline: lookup.airline, number: lookup.number, date: lookup.date)
        let stateID = try await hub.stateID(key, subscription: nil)
        return PublicPage.render(
            .flights(lookup, flights, streamID: stateID), csrf: token, setCookie: session.setCookie, enabled: enabled)
    }

    private func subscribe<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let fields = FormBody.parse(try await RelayRoutes.body(of: request))
        guard csrf.accepts(request, form: fields) else { return PassengerPages.forgedForm() }
        let session = csrf.session(for: request)
        let token = csrf.token(for: session.value)
        var values = Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        values["kinds"] = fields.filter { $0.name == "kinds" }.map(\.value).joined(separator: ",")
        let form: SubscribeForm
        do {
            form = try SubscribeForm(fields, enabled: enabled)
        } catch {
            let lookup = try? FlightQuery(flight: values["flight"] ?? "", date: values["date"] ?? "")
            let status: HTTPResponse.Status = lookup == nil ? .badRequest : .unprocessableContent
            return PublicPage.render(
                .problem(error, status: status, lookup: lookup), form: values, csrf: token, setCookie: session.setCookie, enabled: enabled)
        }
        let parsed = form.request
        let id = UUID().uuidString.lowercased()
        let client = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress ?? "unknown"
        let confirmation = ConfirmationMessage.make(
            subscription: id, flight: form.lookup.display, date: form.lookup.date, locale: parsed.locale, links: links,
            channel: form.confirmTo)
        let outcome = try await store.createPublic(
            NewSubscription(
                id: id, airline: parsed.airline, number: parsed.number, flightDate: parsed.flightDate, kinds: parsed.kinds,
                locale: parsed.locale, timeZone: parsed.timeZone, quietFrom: parsed.quietFrom, quietTo: parsed.quietTo,
                active: false, createdBy: nil, contacts: parsed.contacts),
            client: client, confirmation: confirmation, confirmTo: form.confirmTo, limits: limits)
        switch outcome {
        case .created:
            queued()
            return Response(status: .seeOther, headers: [.location: links.manageURL(id), .cacheControl: "no-store"])
        case .tooManyFromClient, .tooManyForContact:
            let field: String =
                switch outcome {
                case .tooManyForContact(.sms): "phone"
                default: "email"
                }
            let problem = FlightQuery.Problem(
                field: field,
                message: "Too many alerts were asked for from here or for this address in the last hour. Please try again later.")
            let response = PublicPage.render(
                .problem(problem, status: .tooManyRequests, lookup: form.lookup), form: values, csrf: token,
                setCookie: session.setCookie, enabled: enabled)
            var limited = response
            limited.headers[.retryAfter] = "3600"
            return limited
        }
    }

    private func flightStream(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let lookup = try? FlightQuery(flight: String(query["flight"] ?? ""), date: String(query["date"] ?? "")) else {
            return PassengerLayout.problem(.badRequest, title: "No such stream", message: "A stream needs flight= and date=.")
        }
        let key = PassengerHub.FlightKey(airline: lookup.airline, number: lookup.number, date: lookup.date)
        let last = request.headers[Self.lastEventID] ?? query["last_event_id"].map(String.init)
        return eventStream(try await hub.open(key, subscription: nil, lastEventID: last))
    }

    // MARK: Personal page

    private func managePage<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        guard let record = try await linkedSubscription(request, context) else { return PassengerPages.notFound() }
        let confirm = request.uri.queryParameters["confirm"].map(String.init)
        let session = csrf.session(for: request)
        let key = PassengerHub.FlightKey(airline: record.airline, number: record.number, date: record.flightDate)
        let flights = try await store.flights(airline: record.airline, number: record.number, date: record.flightDate)
        let deliveries = try await store.deliveries(subscription: record.id)
        let stateID = try await hub.stateID(key, subscription: (record.id, record.timeZone))
        return PassengerPages.manage(
            record,
            PassengerPages.ManageContext(
                flights: flights, deliveries: deliveries, csrf: csrf.token(for: session.value), setCookie: session.setCookie,
                confirmToken: links.isValid(confirm, .confirm, subscription: record.id) ? confirm : nil,
                applicationServerKey: applicationServerKey, streamID: stateID),
            links: links)
    }

    private func manageStream<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        guard let record = try await linkedSubscription(request, context) else { return PassengerPages.notFound() }
        let key = PassengerHub.FlightKey(airline: record.airline, number: record.number, date: record.flightDate)
        let last = request.headers[Self.lastEventID] ?? request.uri.queryParameters["last_event_id"].map(String.init)
        return eventStream(try await hub.open(key, subscription: (record.id, record.timeZone), lastEventID: last))
    }

    private func confirm<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let id = try RelayRoutes.subscriptionID(context)
        let query = request.uri.queryParameters
        guard links.isValid(query["token"].map(String.init), .manage, subscription: id),
            links.isValid(query["confirm"].map(String.init), .confirm, subscription: id)
        else { return PassengerPages.notFound() }
        guard csrf.accepts(request, form: FormBody.parse(try await RelayRoutes.body(of: request))) else {
            return PassengerPages.forgedForm()
        }
        _ = try await store.confirm(subscription: id)
        return Response(status: .seeOther, headers: [.location: links.manageURL(id), .cacheControl: "no-store"])
    }

    /// "Notify me in this browser": the page's script posts `{"channel": "webpush",
    /// "subscription": PushSubscription.toJSON()}` with the form token in `X-CSRF-Token`;
    /// checked as the API checks a contact, stored as the subscription's webpush contact.
    private func addBrowser<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let id = try RelayRoutes.subscriptionID(context)
        guard links.isValid(request.uri.queryParameters["token"].map(String.init), .manage, subscription: id) else {
            throw APIProblem(.notFound, "no such subscription", field: "id")
        }
        guard csrf.accepts(request, form: []) else {
            throw APIProblem(.forbidden, "missing or bad X-CSRF-Token (reload the page)", field: "csrf")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(try await RelayRoutes.body(of: request)) } catch let problem as APIProblem {
            throw problem
        } catch {
            throw APIProblem(.badRequest, "body is not JSON: \(error)")
        }
        let point = try SubscriptionRequest.contact(value, field: "contact", enabled: enabled)
        guard point.channel == .webpush else { throw APIProblem.invalid("contact.channel", "expected webpush") }
        guard try await store.setContact(point, subscription: id) else {
            throw APIProblem(.conflict, "this subscription has ended", field: "id")
        }
        return RelayRoutes.json(.created, Array(#"{"channel":"webpush"}"#.utf8))
    }

    private func unsubscribePage<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let id = try RelayRoutes.subscriptionID(context)
        let token = request.uri.queryParameters["token"].map(String.init)
        guard links.isValid(token, .unsubscribe, subscription: id) else { return PassengerPages.notFound() }
        let session = csrf.session(for: request)
        return PassengerPages.unsubscribeForm(id: id, token: token ?? "", csrf: csrf.token(for: session.value), setCookie: session.setCookie)
    }

    /// RFC 8058 one-click (`List-Unsubscribe=One-Click` posted by the mail client, no cookie:
    /// the signed link is the authority) and the pages' own button (a form: its CSRF token).
    private func unsubscribe<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let id = try RelayRoutes.subscriptionID(context)
        let token = request.uri.queryParameters["token"].map(String.init)
        guard links.isValid(token, .unsubscribe, subscription: id) else { return PassengerPages.notFound() }
        let form = FormBody.parse(try await RelayRoutes.body(of: request))
        guard FormBody.value("List-Unsubscribe", in: form) == "One-Click" || csrf.accepts(request, form: form) else {
            return PassengerPages.forgedForm()
        }
        _ = try await store.end(subscription: id)
        return PassengerPages.unsubscribed()
    }

    // MARK: Helpers

    /// The subscription of a personal page's link (`/manage/{id}?token=`), nil when the link is not valid.
    private func linkedSubscription<Context: RequestContext>(_ request: Request, _ context: Context) async throws
        -> SubscriptionRecord?
    {
        guard let id = try? RelayRoutes.subscriptionID(context),
            links.isValid(request.uri.queryParameters["token"].map(String.init), .manage, subscription: id)
        else { return nil }
        return try await store.subscription(id: id)
    }

    private func eventStream(_ events: AsyncStream<ByteBuffer>) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: ResponseBody(asyncSequence: events))
    }
}
