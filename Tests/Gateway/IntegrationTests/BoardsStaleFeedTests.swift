import FlightEdgeTestSupport
import Foundation
import Testing

/// A feed that goes silent past its `stale_after` puts the "data as of HH:MM" banner on every
/// open board while the stream itself stays live, and data flowing again takes it away, both
/// without a reload, in a real browser.
@Suite(.serialized) struct BoardsStaleFeedTests {
    let flights = BoardsFlights()
    let images = Repository.root.appendingPathComponent("docs/images")
    let staleAfter = 3

    @Test func aSilentFeedShowsTheDataAsOfBannerUntilDataFlowsAgain() async throws {
        try await withDaemon(start: false) { daemon in
            try daemon.startForBoards(staleAfter: staleAfter)
            let id = flights.flightID("LX", "1234")
            let line = { (gate: String) in flights.departure("LX", "1234", to: "LHR", at: 30, "\"gate\":\"\(gate)\"") }
            try daemon.send(lines: [line("A1"), flights.departure("LH", "1187", to: "FRA", at: 35, "\"status\":\"boarding\"")])
            try #require(try await daemon.waitForBoardRow(id))
            let browser = try WebDriverSession(width: 1920, height: 1080)
            defer { browser.quit() }
            try browser.navigate("http://127.0.0.1:\(daemon.httpPort)/board/departures")
            #expect(try browser.waitUntil("return String(document.body.dataset.stream === 'live')", timeout: 10) != nil)
            try browser.run("window.notReloaded = true; return ''")

            // Fresh data: no banner.
            try daemon.send(lines: [line("A2")])
            let fed = Date()
            let hidden = "return String(document.getElementById('banner').hidden)"
            let gate = "document.querySelector('[data-flight-id=\"\(id)\"] [data-field=\"gate\"]').textContent"
            #expect(try browser.waitUntil("return String(\(gate) === 'A2')", timeout: 2) != nil)
            #expect(try browser.waitUntil(hidden, timeout: 2) != nil, "banner shown while the feed is fresh")

            // Silent past the threshold: the banner, with the time of the data shown; still live.
            let shown = try browser.waitUntil(
                "return String(!document.getElementById('banner').hidden)", timeout: Double(staleAfter) + 6)
            let silent = Date().timeIntervalSince(fed)
            #expect(shown != nil, "no banner after \(Int(silent)) s of a silent feed")
            #expect(silent >= Double(staleAfter), "banner after \(silent) s, before the feed was \(staleAfter) s silent")
            let banner = try browser.run("return document.getElementById('banner').innerText")
            // In the language shown now (English and German alternate).
            #expect(banner.hasPrefix("Feed late: data as of") || banner.hasPrefix("Verzögert: Stand"), "banner: \(banner)")
            #expect(!banner.contains("Offline"), "banner: \(banner)")
            let asOf = try browser.run("return document.getElementById('as-of').textContent")
            #expect(asOf.wholeMatch(of: /[0-2]\d:[0-5]\d/) != nil, "as of \(asOf)")
            #expect(try browser.run("return document.body.dataset.stream") == "live")
            try browser.screenshot(to: images.appendingPathComponent("board-stale.png"))

            // Data again: the banner goes within a second or two, without a reload.
            try daemon.send(lines: [line("A3")])
            let gone = try browser.waitUntil(hidden, timeout: 3)
            #expect(gone != nil, "the banner stayed after data flowed again")
            #expect(try browser.run("return \(gate)") == "A3")
            #expect(try browser.run("return String(window.notReloaded === true)") == "true")
        }
    }
}
