import Foundation
import Testing

@testable import SMSChannel

/// Twilio's Messages list as the lost-attempt lookup reads it.
struct TwilioMessagePageTests {
    @Test("RFC 2822 dates as Twilio writes them, with any offset; anything else is nil")
    func dates() {
        #expect(TwilioMessagePage.date("Sun, 06 Dec 2026 07:01:02 +0000") == 1_796_540_462)
        #expect(TwilioMessagePage.date("Sun, 06 Dec 2026 08:31:02 +0130") == 1_796_540_462)
        #expect(TwilioMessagePage.date("Sat, 05 Dec 2026 23:01:02 -0800") == 1_796_540_462)
        #expect(TwilioMessagePage.date("Thu, 01 Jan 1970 00:00:00 +0000") == 0)
        #expect(TwilioMessagePage.date("Tue, 29 Feb 2028 12:00:00 +0000") == 1_835_438_400)
        for bad in ["", "2026-12-06T07:01:02Z", "Sun, 06 Dez 2026 07:01:02 +0000", "Sun, 06 Dec 2026 25:01:02 +0000",
            "Sun, 06 Dec 2026 07:01 +0000", "Sun, 06 Dec 2026 07:01:02 0000"]
        {
            #expect(TwilioMessagePage.date(bad) == nil, "\(bad)")
        }
    }

    @Test("a page's messages newest first, the next page's path, and entries it cannot date left out")
    func page() throws {
        let json = """
            {"messages": [
                {"sid": "SM2", "body": "B", "date_created": "Sun, 06 Dec 2026 07:01:03 +0000"},
                {"sid": "SM1", "body": "A", "date_created": "Sun, 06 Dec 2026 07:01:02 +0000"},
                {"sid": "SM0", "body": "A", "date_created": null}],
             "next_page_uri": "/2010-04-01/Accounts/AC1/Messages.json?To=%2B41&Page=1"}
            """
        let page = try #require(TwilioMessagePage(json: Array(json.utf8)))
        #expect(page.messages.map(\.sid) == ["SM2", "SM1"])
        #expect(page.messages.map(\.created) == [1_796_540_463, 1_796_540_462])
        #expect(page.nextPageURI == "/2010-04-01/Accounts/AC1/Messages.json?To=%2B41&Page=1")
        #expect(TwilioMessagePage(json: Array(#"{"messages": [], "next_page_uri": null}"#.utf8))?.nextPageURI == nil)
        #expect(TwilioMessagePage(json: Array(#"{"code": 20003}"#.utf8)) == nil)
        #expect(TwilioMessagePage(json: Array("not json".utf8)) == nil)
    }
}
