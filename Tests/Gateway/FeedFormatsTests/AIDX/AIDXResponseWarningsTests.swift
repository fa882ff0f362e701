import FeedFormats
import Testing

/// The wait an AIDX FlightLegRS asks of a poller, read from its warnings.
@Suite struct AIDXResponseWarningsTests {
    private func response(_ warnings: String, legs: String = "") -> [UInt8] {
        Array(
            """
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
            <a:IATA_AIDX_FlightLegRS xmlns:a="http://www.iata.org/IATA/2007/00" Version="22.1">\(warnings)\(legs)</a:IATA_AIDX_FlightLegRS>
            </s:Body></s:Envelope>
            """.utf8)
    }

    @Test func aWarningThatNamesATimeAsksForIt() {
        #expect(AIDXResponseWarnings.requestedWait(in: response(#"<a:Warnings><a:Warning Type="911" ShortText="Retry after 300 seconds"/></a:Warnings>"#)) == .seconds(300))
        #expect(AIDXResponseWarnings.requestedWait(in: response(#"<a:Warnings><a:Warning Type="3">Next full refresh in 5 min</a:Warning></a:Warnings>"#)) == .seconds(300))
        #expect(AIDXResponseWarnings.requestedWait(in: response(#"<a:Warnings><a:Warning ShortText="120"/></a:Warnings>"#)) == .seconds(120))
    }

    @Test func theLongestOfSeveralWinsAndA911WithoutATimeWaitsAMinute() {
        let two = #"<a:Warnings><a:Warning Type="911"/><a:Warning>retry in 2 hours</a:Warning></a:Warnings>"#
        #expect(AIDXResponseWarnings.requestedWait(in: response(two)) == .seconds(7200))
        #expect(AIDXResponseWarnings.requestedWait(in: response(#"<a:Warnings><a:Warning Type="911">Error 911: too many requests</a:Warning></a:Warnings>"#)) == .seconds(60))
    }

    @Test func warningsThatAskNothingAndOtherMessagesGiveNoWait() {
        #expect(AIDXResponseWarnings.requestedWait(in: response(#"<a:Warnings><a:Warning Type="3">Partial data</a:Warning></a:Warnings>"#)) == nil)
        #expect(AIDXResponseWarnings.requestedWait(in: response("<a:Success/>")) == nil)
        let notification = Array(#"<IATA_AIDX_FlightLegNotifRQ xmlns="http://www.iata.org/IATA/2007/00"><Warnings><Warning>60 s</Warning></Warnings></IATA_AIDX_FlightLegNotifRQ>"#.utf8)
        #expect(AIDXResponseWarnings.requestedWait(in: notification) == nil)
        #expect(AIDXResponseWarnings.requestedWait(in: Array("not xml Warning FlightLegRS".utf8)) == nil)
    }
}
