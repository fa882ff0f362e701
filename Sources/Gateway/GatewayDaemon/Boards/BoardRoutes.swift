import Boards
import FlightModel
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Timing

/// The airport boards on the `[http]` listener: `/board` (index), `/board/departures`,
/// `/board/arrivals`, `/board/gates/{gate}`, `/board/belts/{belt}` (HTML), `/board/stream`
/// (Server-Sent Events) and `/board/assets/{board.css,board.js}`. Any other path under
/// `/board`, and a gate or belt no flight uses, is a 404 page that says so.
struct BoardRoutes: Sendable {
    let hub: BoardHub

    private static let lastEventID = HTTPField.Name("Last-Event-ID")!
    private static let html = "text/html; charset=utf-8"

    func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/board") { _, _ in index() }
        router.get("/board/departures") { _, _ in page(.departures) }
        router.get("/board/arrivals") { _, _ in page(.arrivals) }
        router.get("/board/gates/{gate}") { _, context in
            page(.gate(context.parameters.get("gate") ?? ""))
        }
        router.get("/board/belts/{belt}") { _, context in
            page(.belt(context.parameters.get("belt") ?? ""))
        }
        router.get("/board/assets/{name}") { _, context in
            guard let asset = BoardAssets.asset(named: context.parameters.get("name") ?? "") else {
                return notFound("no such file", reason: "The boards' files are board.css and board.js.")
            }
            return Response(
                status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: asset.body)))
        }
        router.get("/board/stream") { request, _ in stream(request) }
        router.get("/board/**") { request, _ in
            notFound("no board at \(request.uri.path)", reason: "Boards: /board/departures, /board/arrivals, /board/gates/{gate}, /board/belts/{belt}.")
        }
    }

    private func index() -> Response {
        let flights = hub.state.flights.values
        let gates = Set(flights.compactMap { $0.direction == .departure ? $0.gate : nil }).sorted()
        let belts = Set(flights.compactMap { $0.direction == .arrival ? $0.belt : nil }).sorted()
        return htmlResponse(.ok, BoardPage.index(gates: gates, belts: belts, settings: hub.settings))
    }

    private func page(_ kind: BoardKind) -> Response {
        let state = hub.state
        if let name = kind.resource {
            let what = kind.showsDepartures ? "gate" : "baggage belt"
            guard BoardKind.isPlausibleName(name) else {
                return notFound("\"\(name)\" is not a \(what) name", reason: "Gate and belt names are letters, digits and dashes.")
            }
            let used = state.flights.values.contains { kind.showsDepartures ? $0.gate == name : $0.belt == name }
            guard used else {
                return notFound(
                    "No flight uses \(what) \(name).",
                    reason: "This page looks again every minute and shows the board once a flight is assigned to it.")
            }
        }
        let now = Timestamp.now.millisecondsSinceEpoch
        return htmlResponse(.ok, BoardPage.board(kind, state: state, settings: hub.settings, now: now))
    }

    private func stream(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        // The browser's own reconnection sends the header; a page's first connection, the query.
        let last = request.headers[Self.lastEventID] ?? query["last_event_id"].map(String.init)
        let resource = query["resource"].map(String.init) ?? ""
        let board: BoardKind? =
            switch query["board"].map(String.init) {
            case "departures": .departures
            case "arrivals": .arrivals
            case "gate": .gate(resource)
            case "belt": .belt(resource)
            default: nil
            }
        let events = hub.subscribe(after: last.flatMap { BoardEventID($0) }, board: board)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody(asyncSequence: events))
    }

    private func notFound(_ what: String, reason: String) -> Response {
        htmlResponse(.notFound, BoardPage.notFound(what, reason: reason, settings: hub.settings))
    }

    private func htmlResponse(_ status: HTTPResponse.Status, _ html: String) -> Response {
        Response(
            status: status, headers: [.contentType: Self.html, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
