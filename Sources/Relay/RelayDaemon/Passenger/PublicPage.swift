import Channels
import HTTPTypes
import Hummingbird
import RelayStore

/// `GET /`: the flight lookup (a plain GET form), the flight's cards (live through
/// `/flights/stream` once the script runs) and the subscribe form (a plain POST to `/subscribe`).
enum PublicPage {
    /// What the page shows besides the lookup form.
    enum Content {
        /// No lookup yet.
        case start
        /// The flight's cards (empty: the relay has no news of it: a 404 page that still lets
        /// the passenger subscribe).
        case flights(FlightQuery, [FlightRecord], streamID: String)
        /// The lookup or the subscribe form was refused: the field at fault and why.
        case problem(FlightQuery.Problem, status: HTTPResponse.Status, lookup: FlightQuery?)
    }

    /// The kinds of news the form offers, in order, with the ones checked by default.
    static let kinds: [(kind: String, label: String, checked: Bool)] = [
        ("delay", "Delays", true), ("gate-change", "Gate changes", true), ("cancellation", "Cancellation", true),
        ("diversion", "Diversion", true), ("reinstatement", "Reinstatement", true), ("boarding", "Boarding", false),
        ("gate-closed", "Gate closed", false), ("departure", "Departure", false), ("arrival", "Arrival", false),
        ("belt-change", "Baggage belt", false),
    ]

    static func render(
        _ content: Content, form values: [String: String] = [:], csrf: String, setCookie: String?, enabled: Set<ChannelKind>
    ) -> Response {
        let e = HTMLText.escape
        var flight = values["flight"] ?? ""
        var date = values["date"] ?? ""
        var status: HTTPResponse.Status = .ok
        var problem: FlightQuery.Problem?
        var results = ""
        var lookup: FlightQuery?
        var attributes = ""
        var title = "Flight status and alerts"
        switch content {
        case .start: break
        case .flights(let query, let flights, let streamID):
            lookup = query
            flight = "\(query.airline)\(query.number)"
            date = query.date
            title = "\(query.display) on \(query.date)"
            attributes = "data-stream-url=\"/flights/stream?\(e("flight=\(query.airline)\(query.number)&date=\(query.date)"))\" "
                + "data-last-event-id=\"\(e(streamID))\" data-stream=\"offline\""
            if flights.isEmpty {
                status = .notFound
                results = """
                    <section class="results" aria-labelledby="results-title">
                    <h2 id="results-title">No news of \(e(query.display)) on \(e(query.date)) yet</h2>
                    <p class="notice" data-state="unknown-flight">The airports have reported nothing about this flight so far. \
                    Check the number and the date; you can still ask to be told below, and hear as soon as they do.</p>
                    <div id="flights" class="flights"></div>
                    </section>\n
                    """
            } else {
                results = "<section class=\"results\" aria-label=\"\(e(query.display))\">\n<div id=\"flights\" class=\"flights\">\n"
                for record in flights { results += FlightCard.html(record) + "\n" }
                results += "</div>\n<p class=\"live-note\" id=\"live-note\">Updates appear here as they happen.</p>\n</section>\n"
            }
        case .problem(let refused, let refusedStatus, let query):
            problem = refused
            status = refusedStatus
            lookup = query
        }

        func invalid(_ name: String) -> String {
            problem?.field == name ? " aria-invalid=\"true\" aria-describedby=\"problem\"" : ""
        }
        var body = "<h1>\(e(title))</h1>\n"
        if let problem {
            body += "<p class=\"problem\" id=\"problem\" role=\"alert\" data-problem-field=\"\(e(problem.field))\">\(e(problem.message))</p>\n"
        }
        body += """
            <form method="get" action="/" class="lookup" data-form="lookup" role="search">
            <div class="field"><label for="flight">Flight number</label>
            <input id="flight" name="flight" value="\(e(flight))" placeholder="LX1234" autocomplete="off" autocapitalize="characters" required\(invalid("flight"))></div>
            <div class="field"><label for="date">Date</label>
            <input id="date" name="date" type="date" value="\(e(date))" required\(invalid("date"))></div>
            <button type="submit">Show flight</button>
            </form>\n
            """
        body += results
        if let lookup, problem?.field != "flight" || !(values["email"] ?? "").isEmpty || !(values["phone"] ?? "").isEmpty {
            body += subscribeForm(lookup, values: values, csrf: csrf, invalid: invalid, enabled: enabled)
        }
        return PassengerLayout.page(status, title: title, body: body, bodyAttributes: attributes, setCookie: setCookie)
    }

    private static func subscribeForm(
        _ lookup: FlightQuery, values: [String: String], csrf: String, invalid: (String) -> String, enabled: Set<ChannelKind>
    ) -> String {
        let e = HTMLText.escape
        let posted = !values.isEmpty && values["csrf"] != nil
        var html = """
            <section class="subscribe" aria-labelledby="subscribe-title">
            <h2 id="subscribe-title">Tell me about \(e(lookup.display))</h2>
            <form method="post" action="/subscribe" data-form="subscribe" novalidate>
            <input type="hidden" name="csrf" value="\(e(csrf))">
            <input type="hidden" name="flight" value="\(e(lookup.airline + lookup.number))">
            <input type="hidden" name="date" value="\(e(lookup.date))">\n
            """
        if enabled.contains(.email) {
            html += """
                <div class="field"><label for="email">E-mail</label>
                <input id="email" name="email" type="email" autocomplete="email" value="\(e(values["email"] ?? ""))"\(invalid("email"))></div>\n
                """
        }
        // Always there (RELAY.md names it); off, and saying so, when this relay sends no SMS.
        let sms = enabled.contains(.sms)
        html += """
            <div class="field"><label for="phone">Mobile number, with country code</label>
            <input id="phone" name="phone" type="tel" autocomplete="tel" placeholder="+41790000000" \
            value="\(e(values["phone"] ?? ""))"\(sms ? invalid("phone") : " disabled aria-describedby=\"phone-off\"")>\
            \(sms ? "" : "<span class=\"hint\" id=\"phone-off\">Text messages are not available on this service.</span>")</div>\n
            """
        html += "<fieldset class=\"kinds\"\(invalid("kinds"))><legend>Tell me about</legend>\n"
        for (kind, label, checked) in kinds {
            let on = posted ? values.keys.contains("kinds") && (valuesKinds(values).contains(kind)) : checked
            html += "<label><input type=\"checkbox\" name=\"kinds\" value=\"\(kind)\"\(on ? " checked" : "")> \(label)</label>\n"
        }
        html += """
            </fieldset>
            <fieldset class="quiet"><legend>Quiet hours (optional)</legend>
            <p class="hint">Nothing but a cancellation or diversion wakes you between these times.</p>
            <div class="field"><label for="quiet_from">From</label>
            <input id="quiet_from" name="quiet_from" type="time" value="\(e(values["quiet_from"] ?? ""))"\(invalid("quiet_from"))></div>
            <div class="field"><label for="quiet_to">To</label>
            <input id="quiet_to" name="quiet_to" type="time" value="\(e(values["quiet_to"] ?? ""))"\(invalid("quiet_to"))></div>
            <div class="field"><label for="time_zone">Your time zone</label>
            <input id="time_zone" name="time_zone" value="\(e(values["time_zone"] ?? "UTC"))" data-fill="time-zone"\(invalid("time_zone"))></div>
            </fieldset>
            <div class="field"><label for="locale">Language of the messages</label>
            <select id="locale" name="locale"\(invalid("locale"))>
            <option value="en"\(values["locale"] == "de" ? "" : " selected")>English</option>
            <option value="de" lang="de"\(values["locale"] == "de" ? " selected" : "")>Deutsch</option>
            </select></div>
            <button type="submit" data-action="subscribe">Notify me</button>
            <p class="hint">We send a link to confirm first: nothing else is sent until you open it. \
            Notifications in this browser can be turned on from your personal page.</p>
            </form>
            </section>\n
            """
        return html
    }

    /// The checked kinds of a refused post (the dictionary kept only the first).
    private static func valuesKinds(_ values: [String: String]) -> Set<String> {
        Set((values["kinds"] ?? "").split(separator: ",").map(String.init))
    }
}
