import Boards
import FlightModel
import Testing

@Suite struct BoardHTMLTests {
    @Test func markupInAnyValueIsEscaped() {
        #expect(HTMLText.escape("<b onclick='x'>\"A&B\"</b>") == "&lt;b onclick=&#39;x&#39;&gt;&quot;A&amp;B&quot;&lt;/b&gt;")
        #expect(HTMLText.escape("a\u{0}b\u{1B}c") == "abc")
    }

    @Test func aRowCarriesTheHooksAndEscapesFeedText() {
        let flight = BoardFixtures.flight([
            (.gate, .text("<img src=x onerror=alert(1)>")), (.destination, .text("\"LHR\"")),
            (.status, .status(.boarding)), (.scheduled, .time(BoardFixtures.time("06:30"))),
        ])
        let html = BoardRow.html(flight, settings: BoardFixtures.settings)
        #expect(html.contains("data-flight-id=\"LX1234-20261124-D\""))
        #expect(html.contains("data-field=\"gate\">&lt;img src=x onerror=alert(1)&gt;</td>"))
        #expect(html.contains("&quot;LHR&quot;"))
        #expect(!html.contains("<img"))
        #expect(html.contains("data-field=\"status\""))
        #expect(html.contains("<span class=\"t\" lang=\"en\">Boarding</span><span class=\"t\" lang=\"de\">Einsteigen</span>"))
        #expect(html.contains("class=\"flight st-boarding\""))
        #expect(html.contains(">07:30</td>"))
    }

    @Test func anArrivalRowHasItsBeltAndGate() {
        let flight = BoardFixtures.flight("BA", "117", direction: .arrival, [(.belt, .text("7")), (.origin, .text("LHR"))])
        let html = BoardRow.html(flight, settings: BoardFixtures.settings)
        #expect(html.contains("data-field=\"belt\">7</td>"))
        #expect(html.contains("data-field=\"gate\"></td>"))
        #expect(html.contains("London Heathrow<small>LHR</small>"))
    }

    @Test func theBoardPageStartsOfflineAndNamesItsResumePoint() {
        var state = BoardState(boot: "b")
        _ = state.apply([BoardFixtures.flight([(.scheduled, .time(BoardFixtures.time("06:30")))])])
        let page = BoardPage.board(
            .departures, state: state, settings: BoardFixtures.settings,
            now: BoardFixtures.time("06:00").millisecondsSinceEpoch)
        #expect(page.contains("data-stream=\"offline\""))
        #expect(page.contains("data-seq=\"b.1\""))
        #expect(page.contains("data-languages=\"en de\""))
        #expect(page.contains("data-time-zone=\"Europe/Zurich\""))
        #expect(page.contains("data-flight-id=\"LX1234-20261124-D\""))
        #expect(page.contains("<script src=\"/board/assets/board.js\"></script>"))
    }

    @Test func theBoardPageCarriesEveryStatusInEveryLanguageForTheScriptsRows() {
        let page = BoardPage.board(.arrivals, state: BoardState(boot: "b"), settings: BoardFixtures.settings, now: 0)
        #expect(page.contains("<template id=\"status-words\">"))
        for status in BoardStatus.allCases {
            let words = BoardLanguage.allCases.filter { ["en", "de"].contains($0.rawValue) }.map { language in
                "<span class=\"t\" lang=\"\(language.rawValue)\">\(HTMLText.escape(language.word(.status(status))))</span>"
            }
            #expect(page.contains("<span data-status=\"\(status.rawValue)\">\(words.joined())</span>"), "\(status)")
        }
        // The banner has both reasons; the stylesheet shows the one `data-stream` calls for.
        #expect(page.contains("<span class=\"offline\"><span class=\"t\" lang=\"en\">Offline: data as of</span>"))
        #expect(page.contains("<span class=\"stale\"><span class=\"t\" lang=\"en\">Feed late: data as of</span>"))
    }

    @Test func theNotFoundPageEscapesWhatWasAskedFor() {
        let page = BoardPage.notFound("gate <x>", reason: "no flight uses it", settings: BoardFixtures.settings)
        #expect(page.contains("gate &lt;x&gt;"))
        #expect(page.contains("http-equiv=\"refresh\""))
    }

    @Test func assetsAreServedByNameOnly() {
        #expect(BoardAssets.asset(named: "board.js")?.contentType.hasPrefix("text/javascript") == true)
        #expect(BoardAssets.asset(named: "board.css") != nil)
        #expect(BoardAssets.asset(named: "../board.js") == nil)
    }
}
