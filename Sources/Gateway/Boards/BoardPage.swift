import FlightModel

/// Whole HTML pages: a board, the index of boards, and the page for a board that does not
/// exist. Plain HTML; the stylesheet and the script are the package's own (``BoardAssets``).
public enum BoardPage {
    /// A board as it is at `state`'s current event: the rows, and the hooks the script
    /// needs to go live (`data-seq` to resume the stream from, the airport's time zone).
    ///
    /// `body` carries `data-stream="offline"` until the script has the stream open.
    public static func board(_ kind: BoardKind, state: BoardState, settings: BoardSettings, now: Int64) -> String {
        let rows = kind.rows(of: state.flights.values, now: now)
        let title: String
        let heading: String
        switch kind {
        case .departures:
            title = "Departures"
            heading = settings.words(.departures)
        case .arrivals:
            title = "Arrivals"
            heading = settings.words(.arrivals)
        case .gate(let gate):
            title = "Gate \(gate)"
            heading = "\(settings.words(.gate)) <b>\(HTMLText.escape(gate))</b>"
        case .belt(let belt):
            title = "Baggage belt \(belt)"
            heading = "\(settings.words(.belt)) <b>\(HTMLText.escape(belt))</b>"
        }
        var html = head(title: "\(settings.airport) \(title)", settings: settings)
        html += "<body class=\"board-page\" data-board=\"\(kind.name)\" data-resource=\"\(HTMLText.escape(kind.resource ?? ""))\""
        html += " data-stream=\"offline\" data-lang=\"\(settings.languages[0].rawValue)\""
        html += " data-languages=\"\(settings.languages.map(\.rawValue).joined(separator: " "))\""
        html += " data-time-zone=\"\(HTMLText.escape(settings.timeZoneName))\" data-seq=\"\(HTMLText.escape(state.eventID.description))\""
        html += " data-as-of=\"\(now)\">"
        html += "<header><h1>\(heading)</h1><div class=\"airport\">\(HTMLText.escape(settings.airport))</div>"
        html += "<time id=\"clock\" class=\"clock\">\(settings.localTime(.init(millisecondsSinceEpoch: now)))</time></header>"
        // Offline or a feed late: which of the two the body's `data-stream` tells the stylesheet.
        html += "<div id=\"banner\" class=\"banner\" role=\"status\" hidden>"
        html += "<span class=\"offline\">\(settings.words(.offline))</span>"
        html += "<span class=\"stale\">\(settings.words(.stale))</span>"
        html += " <time id=\"as-of\">\(settings.localTime(.init(millisecondsSinceEpoch: now)))</time></div>"
        html += "<main><table class=\"board \(kind.showsDepartures ? "departures" : "arrivals")\"><thead><tr>"
        html += "<th class=\"time\">\(settings.words(.time))</th><th class=\"expected\">\(settings.words(.expected))</th>"
        html += "<th class=\"flight-no\">\(settings.words(.flight))</th>"
        html += "<th class=\"place\">\(settings.words(kind.showsDepartures ? .destination : .origin))</th>"
        html += "<th class=\"gate\">\(settings.words(.gate))</th>"
        if !kind.showsDepartures { html += "<th class=\"belt\">\(settings.words(.belt))</th>" }
        html += "<th class=\"status\">\(settings.words(.remarks))</th></tr></thead><tbody id=\"rows\">"
        for flight in rows { html += BoardRow.html(flight, settings: settings, until: kind.leavesAt(flight)) }
        html += "</tbody></table><p id=\"empty\" class=\"empty\"\(rows.isEmpty ? "" : " hidden")>\(settings.words(.noFlights))</p></main>"
        html += "<footer><span id=\"page\" class=\"page\"></span></footer>"
        // The status words in every language, for the rows the script builds from update events.
        html += "<template id=\"status-words\">"
        for status in BoardStatus.allCases {
            html += "<span data-status=\"\(status.rawValue)\">\(settings.words(.status(status)))</span>"
        }
        html += "</template>"
        html += "<script src=\"/board/assets/board.js\"></script></body></html>\n"
        return html
    }

    /// `/board`: links to every board, gates and belts among them.
    public static func index(gates: [String], belts: [String], settings: BoardSettings) -> String {
        var html = head(title: "\(settings.airport) boards", settings: settings)
        html += "<body class=\"index-page\"><h1>\(HTMLText.escape(settings.airport)) boards</h1><ul>"
        html += "<li><a href=\"/board/departures\">Departures</a></li><li><a href=\"/board/arrivals\">Arrivals</a></li></ul>"
        html += "<h2>Gates</h2><ul class=\"names\">"
        for gate in gates { html += "<li><a href=\"/board/gates/\(HTMLText.escape(gate))\">\(HTMLText.escape(gate))</a></li>" }
        html += "</ul><h2>Baggage belts</h2><ul class=\"names\">"
        for belt in belts { html += "<li><a href=\"/board/belts/\(HTMLText.escape(belt))\">\(HTMLText.escape(belt))</a></li>" }
        html += "</ul></body></html>\n"
        return html
    }

    /// A clear page instead of a board: what was asked for, why it is not here, where to go.
    /// It reloads itself every minute, so a screen set up before its gate is in use recovers.
    public static func notFound(_ what: String, reason: String, settings: BoardSettings) -> String {
        var html = head(title: "Not found", settings: settings, refreshSeconds: 60)
        html += "<body class=\"not-found-page\"><h1>No such board</h1><p>\(HTMLText.escape(what))</p>"
        html += "<p class=\"reason\">\(HTMLText.escape(reason))</p>"
        html += "<p><a href=\"/board\">All boards</a></p></body></html>\n"
        return html
    }

    private static func head(title: String, settings: BoardSettings, refreshSeconds: Int? = nil) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"\(settings.languages[0].rawValue)\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        if let refreshSeconds { html += "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">" }
        html += "<title>\(HTMLText.escape(title))</title><link rel=\"stylesheet\" href=\"/board/assets/board.css\"></head>"
        return html
    }
}
