import HTTPTypes
import Hummingbird
import HummingbirdCore

/// Plain-text answers where the router finds no route: 405 for another method on a path that
/// has routes, else 404.
struct PlainTextNotFound<Context: RequestContext>: RouterMiddleware {
    /// Paths with routes.
    let paths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if paths.contains(request.uri.path) {
                return OperationsRoutes.response(
                    .methodNotAllowed, contentType: "text/plain; charset=utf-8", body: Array("GET only\n".utf8))
            }
            return OperationsRoutes.response(
                .notFound, contentType: "text/plain; charset=utf-8", body: Array("not found: try /healthz or /metrics\n".utf8))
        }
    }
}
