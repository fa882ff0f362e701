import HTTPTypes
import Hummingbird
import JSON
import Logging
import NIOCore

/// A refused request: the HTTP status and the JSON problem body RELAY.md fixes,
/// `{"error": "...", "field": "..."}`, naming the field when one is at fault.
struct APIProblem: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var message: String
    var field: String?

    init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    static func invalid(_ field: String, _ message: String) -> APIProblem {
        APIProblem(.unprocessableContent, message, field: field)
    }

    var response: Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("error", message)
        if let field { writer.field("field", field) }
        writer.endObject()
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"flightedge-relay\"" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}

/// Turns an ``APIProblem`` thrown by a route, and Hummingbird's own errors (a body over the
/// limit, no such route), into the JSON problem body; anything else is a 500 that says only
/// that, with the detail in the log.
struct APIProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as APIProblem {
            return problem.response
        } catch let error as HTTPError {
            let message =
                switch error.status {
                case .contentTooLarge: "request body too large"
                case .notFound: "no such resource: \(request.uri.path)"
                case .methodNotAllowed: "method not allowed"
                default: error.body ?? error.status.reasonPhrase
                }
            return APIProblem(error.status, message).response
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIProblem(.internalServerError, "internal error (logged)").response
        }
    }
}
