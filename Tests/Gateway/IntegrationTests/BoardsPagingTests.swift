import FlightEdgeTestSupport
import Foundation
import Testing

/// Lists longer than the screen, in a real browser: pages rotate and together show every row
/// once, in order, each page within the screen; codeshares rotate through every designator;
/// the same board holds at 1920×1080, in portrait (1080×1920) and on 4K (3840×2160).
@Suite(.serialized) struct BoardsPagingTests {
    let flights = BoardsFlights()
    let images = Repository.root.appendingPathComponent("docs/images")

    /// `count` departures a minute apart; the first has two codeshares.
    func departures(_ count: Int) -> [String] {
        (0..<count).map { index in
            let extra = index == 0 ? ",\"codeshares\":[\"AC6701\",\"UA9012\"]" : ""
            return flights.departure("LX", String(2000 + index), to: "LHR", at: 20 + index, "\"gate\":\"A\(index)\"\(extra)")
        }
    }

    /// What the page shows now: its page label, the ids of the rows on screen in order, whether
    /// each of those ends inside `main`, and the designator the codeshare row shows.
    static let onScreen = """
        var main = document.querySelector('main').getBoundingClientRect();
        var shown = Array.prototype.filter.call(document.querySelectorAll('#rows tr'), function (r) {
          return getComputedStyle(r).display !== 'none';
        });
        var designators = document.querySelectorAll('#rows tr:first-child .designator.shown');
        return JSON.stringify({
          page: document.getElementById('page').textContent,
          ids: shown.map(function (r) { return r.dataset.flightId; }),
          fit: shown.every(function (r) { return r.getBoundingClientRect().bottom <= main.bottom + 1; }),
          designator: designators.length === 1 ? designators[0].textContent : 'shows ' + designators.length,
          all: document.querySelectorAll('#rows tr').length
        });
        """

    struct OnScreen: Decodable {
        var page: String
        var ids: [String]
        var fit: Bool
        var designator: String
        var all: Int
    }

    @Test func aLongListRotatesThroughPagesThatTogetherShowEveryRowOnce() async throws {
        try await withDaemon(start: false) { daemon in
            try daemon.startForBoards()
            let count = 24
            try daemon.send(lines: departures(count))
            let ids = (0..<count).map { flights.flightID("LX", String(2000 + $0)) }
            try #require(try await daemon.waitForBoardRow(ids[count - 1]))
            let browser = try WebDriverSession(width: 1920, height: 1080)
            defer { browser.quit() }
            try browser.navigate("http://127.0.0.1:\(daemon.httpPort)/board/departures")
            #expect(try browser.waitUntil("return String(document.body.dataset.stream === 'live')", timeout: 10) != nil)

            // Watch for up to 45 s: pages change every 10 s, codeshares every 3 s.
            var pages: [String: [String]] = [:]
            var designators: Set<String> = []
            var total = 0
            let deadline = Date().addingTimeInterval(45)
            while Date() < deadline {
                let now = try JSONDecoder().decode(OnScreen.self, from: Data(try browser.run(Self.onScreen).utf8))
                #expect(now.fit, "page \(now.page) has a row below the screen's edge")
                #expect(!now.designator.hasPrefix("shows "), "the codeshare cell \(now.designator) designators")
                designators.insert(now.designator)
                pages[now.page] = now.ids
                total = Int(now.page.split(separator: "/").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
                if total > 1, pages.count == total, designators.count == 3 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(total >= 2, "\(count) rows fit one page at 1920×1080: no rotation to test")
            #expect(pages.count == total, "pages seen: \(pages.keys.sorted()) of \(total)")
            // Every row on exactly one page, pages in order, the list in time order.
            let inOrder = (1...max(1, total)).flatMap { pages["\($0) / \(total)"] ?? [] }
            #expect(inOrder == ids, "pages \(pages)")
            #expect(designators == ["LX 2000", "AC 6701", "UA 9012"])
            try browser.screenshot(to: images.appendingPathComponent("board-departures-later-page.png"))
        }
    }

    @Test func theBoardHoldsInPortraitAndOn4K() async throws {
        try await withDaemon(start: false) { daemon in
            try daemon.startForBoards()
            try daemon.send(lines: departures(30))
            try #require(try await daemon.waitForBoardRow(flights.flightID("LX", "2029")))
            let browser = try WebDriverSession(width: 1920, height: 1080)
            defer { browser.quit() }
            try browser.navigate("http://127.0.0.1:\(daemon.httpPort)/board/departures")
            #expect(try browser.waitUntil("return String(document.body.dataset.stream === 'live')", timeout: 10) != nil)

            let hall = try measure(browser)
            try browser.setViewport(width: 3840, height: 2160)
            let uhd = try measure(browser, after: hall)
            try browser.screenshot(to: images.appendingPathComponent("board-departures-4k.png"))
            try browser.setViewport(width: 1080, height: 1920)
            let portrait = try measure(browser, after: uhd)
            print(
                "boards: text \(hall.font) px, \(hall.rows) rows a page at 1920×1080; \(uhd.font) px, \(uhd.rows) rows at 4K;"
                    + " \(portrait.font) px, \(portrait.rows) rows in portrait")

            for (name, layout) in [("1920×1080", hall), ("4K", uhd), ("portrait", portrait)] {
                #expect(layout.overflow == 0, "\(name): the page is \(layout.overflow) px wider than the screen")
                #expect(layout.clipped.isEmpty, "\(name): cut off: \(layout.clipped)")
            }
            // 4K is the hall layout at twice the size: the same rows a page, text twice as large.
            #expect(abs(uhd.rows - hall.rows) <= 1)
            #expect((1.8...2.2).contains(uhd.font / hall.font), "4K text \(uhd.font) px against \(hall.font) px")
            // Read from across a hall: rows at least 4 % of the screen's height in landscape.
            #expect(hall.font >= 40, "row text \(hall.font) px at 1920×1080")
            // Portrait shows more rows of the same list, in text not much smaller than landscape's.
            #expect(portrait.rows > hall.rows)
            #expect(portrait.font >= 30, "row text \(portrait.font) px in portrait")
        }
    }

    struct Layout: Decodable {
        var font: Double
        var rows: Int
        var overflow: Int
        var clipped: [String]
    }

    /// The row text's size, the rows on the current page, how far the page overflows the screen
    /// sideways, and the headings and the time, flight, gate and status cells whose text does not fit.
    private func measure(_ browser: WebDriverSession, after previous: Layout? = nil) throws -> Layout {
        // A new viewport lays out again on the resize event; wait for a different page size.
        if let previous {
            let size = "getComputedStyle(document.querySelector('#rows td')).fontSize"
            _ = try browser.waitUntil("return String(\(size) !== '\(previous.font)px')", timeout: 5)
            usleep(300_000)
        }
        let json = try browser.run(
            """
            var rows = Array.prototype.filter.call(document.querySelectorAll('#rows tr'), function (r) {
              return getComputedStyle(r).display !== 'none';
            });
            var clipped = Array.prototype.filter.call(document.querySelectorAll('thead th'), function (th) {
              return th.scrollWidth > th.clientWidth + 1;
            }).map(function (th) { return 'heading ' + th.textContent; });
            rows.forEach(function (r) {
              r.querySelectorAll('td.time, td.flight-no, td.gate, td.status').forEach(function (td) {
                if (td.scrollWidth > td.clientWidth + 1) { clipped.push(r.dataset.flightId + ' ' + td.className); }
              });
            });
            return JSON.stringify({
              font: parseFloat(getComputedStyle(document.querySelector('#rows td.gate')).fontSize),
              rows: rows.length,
              overflow: Math.max(0, document.documentElement.scrollWidth - window.innerWidth),
              clipped: clipped
            });
            """)
        return try JSONDecoder().decode(Layout.self, from: Data(json.utf8))
    }
}
