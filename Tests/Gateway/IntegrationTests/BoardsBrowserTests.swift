import FlightEdgeTestSupport
import Foundation
import Testing

/// The departures board in a real browser (Debian's headless Chromium, driven through
/// chromedriver's W3C WebDriver API): changes fed to the gateway show in the open page without
/// a reload, a killed gateway turns the page offline with its banner, a restarted one brings it
/// back by itself. Screenshots at 1920×1080 go to docs/images/board-*.png.
@Suite(.serialized) struct BoardsBrowserTests {
    let flights = BoardsFlights()
    let images = Repository.root.appendingPathComponent("docs/images")

    /// A hall's worth of flights: codeshares, delays and every status colour.
    var hall: [String] {
        [
            flights.departure("LX", "1234", to: "LHR", at: 25, "\"gate\":\"A12\",\"status\":\"gate-open\",\"codeshares\":[\"AC6701\",\"UA9012\"]"),
            flights.departure("LH", "1187", to: "FRA", at: 35, "\"gate\":\"B34\",\"status\":\"boarding\""),
            flights.departure("BA", "715", to: "LHR", at: -5, "\"gate\":\"A3\",\"status\":\"departed\",\"actual\":\"\(flights.time(-3))\""),
            flights.departure("AF", "1015", to: "CDG", at: 10, "\"gate\":\"A5\",\"status\":\"final-call\",\"codeshares\":[\"KL2005\"]"),
            flights.departure("KL", "1958", to: "AMS", at: 15, "\"gate\":\"B31\",\"status\":\"gate-closed\""),
            flights.departure("TK", "1912", to: "IST", at: 40, "\"gate\":\"D4\",\"estimated\":\"\(flights.time(85))\""),
            flights.departure("EK", "86", to: "DXB", at: 50, "\"gate\":\"E52\""),
            flights.departure("U2", "1474", to: "BCN", at: 55, "\"gate\":\"D7\",\"status\":\"check-in\""),
            flights.departure("SK", "612", to: "CPH", at: 70, "\"gate\":\"A9\""),
            flights.departure("OS", "568", to: "VIE", at: 80, "\"gate\":\"A15\",\"status\":\"cancelled\""),
            flights.arrival("BA", "710", from: "LHR", at: 5, "\"gate\":\"A2\",\"belt\":\"7\",\"status\":\"landed\""),
            flights.arrival("LH", "1186", from: "FRA", at: 20, "\"gate\":\"B33\",\"belt\":\"4\",\"estimated\":\"\(flights.time(45))\""),
            flights.arrival("EK", "87", from: "DXB", at: -10, "\"gate\":\"E53\",\"belt\":\"7\",\"status\":\"arrived\""),
            flights.arrival("IB", "3470", from: "MAD", at: 30, "\"belt\":\"5\""),
        ]
    }

    @Test func theDeparturesBoardFollowsTheGatewayLiveAndThroughARestart() async throws {
        try await withDaemon(start: false) { daemon in
            try start(daemon)
            try daemon.send(lines: hall)
            let browser = try WebDriverSession(width: 1920, height: 1080)
            defer { browser.quit() }
            let base = "http://127.0.0.1:\(daemon.httpPort)/board"
            let lx = flights.flightID("LX", "1234")
            let lh = flights.flightID("LH", "1187")
            try #require(try waitForRow(lx, daemon: daemon))

            try browser.navigate("\(base)/departures")
            let live = try browser.waitUntil("return String(document.body.dataset.stream === 'live')", timeout: 10)
            #expect(live != nil, "the page never went live")
            try browser.run("window.notReloaded = true; return ''")

            // A gate change and a cancellation, fed to the gateway: in the DOM within 2 s.
            try daemon.send(lines: [
                flights.departure("LX", "1234", to: "LHR", at: 25, "\"gate\":\"B36\""),
                flights.departure("LH", "1187", to: "FRA", at: 35, "\"status\":\"cancelled\""),
            ])
            let shown = try browser.waitUntil(
                """
                var lx = document.querySelector('[data-flight-id="\(lx)"] [data-field="gate"]');
                var lh = document.querySelector('[data-flight-id="\(lh)"] [data-field="status"]');
                return String(!!lx && lx.textContent === 'B36' && !!lh && lh.dataset.status === 'cancelled');
                """, timeout: 2)
            #expect(shown != nil, "gate change and cancellation not in the DOM within 2 s")
            if let shown { print("boards: gate change and cancellation in the DOM after \(Int(shown * 1000)) ms") }
            #expect(try browser.run("return String(window.notReloaded === true)") == "true")
            #expect(try browser.run("return document.querySelector('[data-flight-id=\"\(lh)\"] [data-field=\"status\"] [lang=en]').textContent") == "Cancelled")
            // The row the script built from the event's values is the row the server renders.
            let rows = try browser.run(
                """
                var request = new XMLHttpRequest();
                request.open('GET', '/board/departures', false);
                request.send();
                var served = new DOMParser().parseFromString(request.responseText, 'text/html');
                var selector = '[data-flight-id="\(lh)"]';
                return JSON.stringify([served.querySelector(selector).outerHTML, document.querySelector(selector).outerHTML]);
                """)
            let pair = try JSONDecoder().decode([String].self, from: Data(rows.utf8))
            #expect(pair.count == 2 && pair[0] == pair[1], "server row / script row:\n\(pair.joined(separator: "\n"))")
            #expect(try browser.run("return String(document.getElementById('banner').hidden)") == "true")
            let size = try browser.screenshot(to: images.appendingPathComponent("board-departures.png"))
            #expect(size.width == 1920 && size.height == 1080)

            // The gateway dies: offline, with the banner, without a reload.
            daemon.crash()
            let offline = try browser.waitUntil(
                "return String(document.body.dataset.stream === 'offline' && !document.getElementById('banner').hidden)",
                timeout: 5)
            #expect(offline != nil, "no offline state and banner after the gateway died")
            #expect(try browser.run("return document.getElementById('banner').innerText").hasPrefix("Offline: "))
            try browser.screenshot(to: images.appendingPathComponent("board-offline.png"))

            // It comes back: the page is live again by itself, with the state it missed.
            try daemon.start()
            let back = try browser.waitUntil(
                "return String(document.body.dataset.stream === 'live' && document.getElementById('banner').hidden)", timeout: 20)
            #expect(back != nil, "the page did not recover after the restart")
            #expect(try browser.run("return String(window.notReloaded === true)") == "true")
            #expect(try browser.run("return document.querySelector('[data-flight-id=\"\(lx)\"] [data-field=\"gate\"]').textContent") == "B36")
            // And it is the new gateway's stream it follows: a change fed now shows within 2 s.
            try daemon.send(lines: [flights.departure("LX", "1234", to: "LHR", at: 25, "\"gate\":\"C7\"")])
            let followed = try browser.waitUntil(
                "return String(document.querySelector('[data-flight-id=\"\(lx)\"] [data-field=\"gate\"]').textContent === 'C7')",
                timeout: 2)
            #expect(followed != nil, "a change after the restart did not reach the page within 2 s")
        }
    }

    @Test func everyBoardRendersAtHallSizeAndInPortrait() async throws {
        try await withDaemon(start: false) { daemon in
            try start(daemon)
            try daemon.send(lines: hall)
            try #require(try waitForRow(flights.flightID("IB", "3470", "A"), daemon: daemon, board: "arrivals"))
            let browser = try WebDriverSession(width: 1920, height: 1080)
            defer { browser.quit() }
            let base = "http://127.0.0.1:\(daemon.httpPort)/board"
            for (path, name) in [("arrivals", "arrivals"), ("gates/A12", "gate"), ("belts/7", "belt")] {
                try browser.navigate("\(base)/\(path)")
                #expect(try browser.waitUntil("return String(document.body.dataset.stream === 'live')", timeout: 10) != nil)
                let rows = try browser.run("return String(document.querySelectorAll('tr[data-flight-id]').length)")
                #expect(Int(rows) ?? 0 > 0, "\(path) shows no flight")
                let size = try browser.screenshot(to: images.appendingPathComponent("board-\(name).png"))
                #expect(size.width == 1920 && size.height == 1080)
            }
            // Languages alternate: German after 8 s (the configuration's second language).
            try browser.navigate("\(base)/departures")
            try browser.setViewport(width: 1080, height: 1920)
            #expect(try browser.waitUntil("return String(document.body.dataset.lang === 'de')", timeout: 12) != nil)
            // German's long status words ("Gate geschlossen") still fit their column in portrait.
            let clipped = try browser.run(
                """
                return Array.prototype.filter.call(document.querySelectorAll('#rows td, thead th'), function (td) {
                  return !td.classList.contains('place') && td.offsetParent !== null && td.scrollWidth > td.clientWidth + 1;
                }).map(function (td) { return td.textContent; }).join(', ');
                """)
            #expect(clipped.isEmpty, "cut off in portrait: \(clipped)")
            try browser.screenshot(to: images.appendingPathComponent("board-departures-portrait.png"))
            try browser.navigate("\(base)/gates/Q9")
            #expect(try browser.run("return document.querySelector('h1').textContent") == "No such board")
        }
    }

    /// Starts the daemon with boards in English and German (its spool feed left out).
    private func start(_ daemon: DaemonProcess) throws {
        try daemon.rewriteConfig(feeds: "\n[boards]\nlanguages = [\"en\", \"de\"]\n")
        try daemon.start()
    }

    /// Waits until the gateway committed `flightID` (its board page shows it).
    private func waitForRow(_ flightID: String, daemon: DaemonProcess, board: String = "departures") throws -> Bool {
        for _ in 0..<200 {
            if try daemon.http("/board/\(board)").body.contains(flightID) { return true }
            usleep(25_000)
        }
        return false
    }
}
