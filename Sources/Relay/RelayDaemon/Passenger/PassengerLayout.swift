import HTTPTypes
import Hummingbird
import NIOCore

/// The shell of every passenger page: language, viewport, the stylesheet and script served by
/// the relay itself (no external asset, no inline script or style, so the CSP can forbid them),
/// and the headers: CSP, no caching, no referrer (links carry signed tokens), no framing.
enum PassengerLayout {
    /// Scripts, styles, the stream and the service worker only from the relay; forms post only to it.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "worker-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// - Parameters:
    ///   - bodyAttributes: extra attributes of `body` (already escaped), e.g. the stream's URL.
    ///   - setCookie: a `Set-Cookie` value (the form token's cookie), when one is to be set.
    static func page(
        _ status: HTTPResponse.Status, title: String, body: String, bodyAttributes: String = "", setCookie: String? = nil
    ) -> Response {
        let html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light">
            <title>\(HTMLText.escape(title)) · FlightEdge</title>
            <link rel="stylesheet" href="/assets/passenger.css">
            <script src="/assets/passenger.js" defer></script>
            </head>
            <body\(bodyAttributes.isEmpty ? "" : " " + bodyAttributes)>
            <a class="skip" href="#main">Skip to content</a>
            <header class="top"><a href="/" class="brand">FlightEdge</a> <span>flight status and alerts</span></header>
            <main id="main" tabindex="-1">
            \(body)
            </main>
            </body>
            </html>
            """
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: contentSecurityPolicy,
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("X-Frame-Options")!: "DENY",
        ]
        if let setCookie { headers[.setCookie] = setCookie }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page that says what went wrong and what to do (no stack trace, no internals).
    static func problem(_ status: HTTPResponse.Status, title: String, message: String, field: String? = nil) -> Response {
        let e = HTMLText.escape
        let hook = field.map { " data-problem-field=\"\(e($0))\"" } ?? ""
        return page(
            status, title: title,
            body: """
                <h1>\(e(title))</h1>
                <p class="problem" role="alert"\(hook)>\(e(message))</p>
                <p><a href="/">Look up a flight</a></p>
                """)
    }
}
