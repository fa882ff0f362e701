import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// `transport = "http-poll"` against a local AODB web service, through the real daemon into the
/// real PostgreSQL (issue 19): conditional requests, rate limits and FlightLegRS warnings
/// honoured, errors backed off, oversize answers kept, and only real changes in the history.
@Suite("http-poll against an AODB web service")
struct HTTPPollFeedTests {
    static let interval = 0.2
    static let wait = 2.0

    @Test func aPolledAODBIsCommittedOnceAndItsWaitsAreHonoured() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("http-poll-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let request = #"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><IATA_AIDX_FlightLegRQ/></s:Body></s:Envelope>"#
        try request.write(to: folder.appendingPathComponent("flightlegrq.xml"), atomically: true, encoding: .utf8)
        try "s3cret\n".write(to: folder.appendingPathComponent("aodb.password"), atomically: true, encoding: .utf8)

        let airport = String((0..<3).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZ".randomElement()! })
        let day = Fixture.day
        let first = FlightLegRS.body(
            airport: airport, day: day, stamp: "\(day)T06:00:00Z", legs: [(1, "A1"), (2, "B2"), (3, "C3")])
        // LX 3 is no longer in the window: it must stay as it was.
        let second = FlightLegRS.body(airport: airport, day: day, stamp: "\(day)T06:05:00Z", legs: [(1, "A9"), (2, "B2")])
        let oversize = FlightLegRS.body(
            airport: airport, day: day, stamp: "\(day)T06:10:00Z", legs: (1...40).map { ($0, "Z\($0)") })
        let service = try await AODBWebService(answers: [
            .respond(status: 200, headers: [("ETag", #""v1""#)], body: first),  // 0
            .respond(status: 304, headers: [("ETag", #""v1""#)]),  // 1
            .respond(status: 304, headers: [("ETag", #""v1""#)]),  // 2
            .respond(status: 429, headers: [("Retry-After", "2")]),  // 3
            .respond(status: 200, headers: [("ETag", #""v2""#)], body: second),  // 4
            .respond(status: 200, headers: [("ETag", #""v2""#)], body: second, delay: .seconds(3)),  // 5: too slow
            .drop,  // 6
            .respond(status: 200, body: second),  // 7: the same body, no ETag
            .respond(status: 200, headers: [("ETag", #""v3""#)], body: FlightLegRS.rateLimited("Retry after 2 seconds", stamp: "\(day)T06:06:00Z")),  // 8
            .respond(status: 200, headers: [("ETag", #""v4""#)], body: oversize),  // 9
            .respond(status: 304, headers: [("ETag", #""v4""#)]),  // 10 and on
        ])
        defer { service.stop() }

        try await withDaemon(
            extraFeeds: """

                [[feeds]]
                name = "aodb-api"
                format = "aidx"
                transport = "http-poll"
                url = "http://127.0.0.1:\(service.port)/FlightLegService"
                interval = "200ms"
                timeout = "1s"
                max_frame_bytes = 4096
                method = "POST"
                body_file = "\(folder.path)/flightlegrq.xml"
                headers = { SOAPAction = "FlightLegRQ" }
                username = "fids"
                password_file = "\(folder.path)/aodb.password"
                """, airport: airport
        ) { daemon in
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("every scripted answer asked for", within: 40) { service.requests.count >= 13 }
            try await eventually("the oversize answer kept") {
                try connection.query("SELECT count(*) FROM flightedge.rejected_frames").rows == [["1"]]
            }
            let requests = service.requests

            // The request: a SOAP POST with Basic auth and the configured header.
            #expect(requests[0].method == "POST" && requests[0].path == "/FlightLegService")
            #expect(requests[0].body == request)
            #expect(requests[0].headers["soapaction"] == "FlightLegRQ")
            #expect(requests[0].headers["authorization"] == "Basic " + Data("fids:s3cret".utf8).base64EncodedString())
            // Conditional: the first asks for everything, the next ones for what changed since "v1".
            #expect(requests[0].headers["if-none-match"] == nil)
            #expect(requests[1].headers["if-none-match"] == #""v1""#)
            #expect(requests[4].headers["if-none-match"] == #""v1""#)
            #expect(requests[10].headers["if-none-match"] == #""v4""#)

            // Spacing: never faster than interval from the end of the last answer; the 429's
            // Retry-After and the FlightLegRS warning's two seconds; a timeout and a drop back off.
            func gap(after index: Int) -> Double {
                let answered = requests[index].answeredAt ?? requests[index].arrivedAt
                return seconds(requests[index + 1].arrivedAt - answered)
            }
            for index in 0..<(requests.count - 1) where index != 5 {
                #expect(gap(after: index) >= Self.interval - 0.02, "request \(index + 1) came \(gap(after: index)) s after answer \(index)")
            }
            #expect(gap(after: 3) >= Self.wait - 0.05, "Retry-After: 2 honoured")
            #expect(gap(after: 8) >= Self.wait - 0.05, "the FlightLegRS warning's wait honoured")
            #expect(seconds(requests[6].arrivedAt - requests[5].arrivedAt) >= 1.0 + 0.5 - 0.05, "timeout then backoff")
            #expect(gap(after: 6) >= 0.5 - 0.02, "a dropped connection backs off")

            // History: each gate once, none from the 304s, the repeated body or the rate limit.
            let gates = try connection.query(
                "SELECT flight_id, new_value::text FROM flightedge.flight_changes WHERE field = 'gate' ORDER BY flight_id, seq"
            ).rows
            let id = { (number: Int) in "LX\(String(format: "%04d", number))-\(Fixture.compact)-D" }
            #expect(
                gates == [[id(1), #""A1""#], [id(1), #""A9""#], [id(2), #""B2""#], [id(3), #""C3""#]])
            let changesOfTwo = try connection.query(
                "SELECT field FROM flightedge.flight_changes WHERE flight_id = '\(id(2))'").rows
            let changesOfOne = try connection.query(
                "SELECT field FROM flightedge.flight_changes WHERE flight_id = '\(id(1))'").rows
            #expect(changesOfOne.count == changesOfTwo.count + 1, "LX 2 never changed after its first answer: \(changesOfTwo)")
            // A flight missing from a later full answer is not deleted.
            #expect(
                try connection.query(
                    "SELECT state->>'gate', coalesce(state->>'status', '') IN ('deleted', 'cancelled') FROM flightedge.flights WHERE flight_id = '\(id(3))'"
                ).rows == [["C3", "f"]])
            let rejected = try connection.query("SELECT position, error FROM flightedge.rejected_frames").rows
            // Its position: the poll's time and the answer's ETag.
            #expect(rejected.first?[0]?.hasPrefix("poll 20") == true && rejected.first?[0]?.hasSuffix(#"Z "v4"@0"#) == true)
            #expect(rejected.first?[1]?.contains("exceeds max_frame_bytes (4096)") == true)

            let metrics = try daemon.metrics()
            let label = #"{feed="aodb-api"}"#
            #expect((metrics["flightedge_feed_polls_total" + label] ?? 0) >= 13)
            #expect(metrics["flightedge_feed_server_waits_total" + label] == 2)
            #expect(metrics["flightedge_feed_poll_failures_total" + label] == 2)
            #expect((metrics["flightedge_feed_polls_unchanged_total" + label] ?? 0) >= 5)
            #expect((metrics["flightedge_feed_server_waited_seconds" + label] ?? 0) >= 4)
            #expect((metrics["flightedge_feed_last_poll_success_timestamp_seconds" + label] ?? 0) > Date().timeIntervalSince1970 - 30)
            #expect(metrics["flightedge_feed_up" + label] == 1)
            #expect(daemon.stop() == 0)
        }
    }

    @Test func pollOnceFetchesOverTLSWithATokenAndPrintsWhatItWouldDecode() async throws {
        let certificates = try TestCertificates()
        let folder = certificates.folder
        try "t0ken\n".write(to: folder.appendingPathComponent("aodb.token"), atomically: true, encoding: .utf8)
        let day = Fixture.day
        let service = try await AODBWebService(
            answers: [
                .respond(
                    status: 200, headers: [("ETag", #""w1""#)],
                    body: FlightLegRS.body(airport: "ZRH", day: day, stamp: "\(day)T06:00:00Z", legs: [(7, "D4"), (8, "D5")]))
            ], tls: (certificates.serverCertificate, certificates.serverKey))
        defer { service.stop() }
        let config = folder.appendingPathComponent("flightedge.toml")
        func write(tokenFile: String) throws {
            try """
                [airport]
                iata = "ZRH"
                timezone = "Europe/Zurich"

                [database]
                url = "postgresql:///unused"

                [mqtt]
                host = "127.0.0.1"

                [[feeds]]
                name = "aodb-api"
                format = "aidx"
                transport = "http-poll"
                url = "https://127.0.0.1:\(service.port)/flights"
                token_file = "\(tokenFile)"
                ca_file = "\(certificates.caFile)"
                """.write(to: config, atomically: true, encoding: .utf8)
        }
        try write(tokenFile: folder.appendingPathComponent("aodb.token").path)
        let run = try await Self.command(["poll-once", "--config", config.path, "--feed", "aodb-api"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.contains(#"feed aodb-api: HTTP 200, tag "w1""#))
        #expect(run.errors.contains("1 frames, 2 updates, 0 rejected"))
        let lines = run.output.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains(#""gate":"D4""#) && lines[1].contains(#""gate":"D5""#))
        #expect(service.requests.first?.headers["authorization"] == "Bearer t0ken")
        #expect(service.requests.first?.headers["if-none-match"] == nil, "poll-once asks unconditionally")

        // check-config reads the files the feed will read, and names the key of the one missing.
        try write(tokenFile: folder.appendingPathComponent("missing.token").path)
        let check = try await Self.command(["check-config", "--config", config.path])
        #expect(check.status == 1)
        #expect(check.errors.contains("feed aodb-api: token_file: cannot read secret file \(folder.path)/missing.token: no such file"))
    }

    /// Runs `flightedge` off the cooperative pool, which the web service's tasks need meanwhile.
    private static func command(_ arguments: [String]) async throws -> CommandRun {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result(catching: { try CommandRun(arguments) })) }
        }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
