import FlightEdgeTestSupport
import Foundation
import Testing

/// The boards over HTTP on a real gateway: pages, 404s, and `/board/stream` carrying a gate
/// change as it is committed, resuming from `Last-Event-ID`, and a snapshot for a stranger.
@Suite(.serialized) struct BoardsStreamTests {
    let flights = BoardsFlights()

    @Test func aGateChangeArrivesOnTheStreamAndAReconnectingScreenCatchesUp() async throws {
        try await withDaemon { daemon in
            let id = flights.flightID("LX", "1234")
            try daemon.send(lines: [flights.departure("LX", "1234", to: "LHR", at: 30, "\"gate\":\"A12\"")])
            let stream = try EventStreamClient(port: daemon.httpPort, path: "/board/stream")
            defer { stream.close() }
            #expect(stream.status == 200)
            #expect(stream.headers.contains { $0.lowercased() == "content-type: text/event-stream" })
            let first = try #require(try stream.first(within: 10) { $0.data.contains("\"gate\":\"A12\"") })
            let seen = try #require(first.id)

            try daemon.send(lines: [flights.departure("LX", "1234", to: "LHR", at: 30, "\"gate\":\"B34\"")])
            let change = try #require(try stream.first(within: 5) { $0.name == "update" && $0.data.contains(id) })
            #expect(change.data.contains("\"gate\":\"B34\""))
            #expect(change.data.contains("\"des\":[\"LX 1234\"]"))  // values; the page builds the row
            let changeID = try #require(change.id)
            #expect(changeID != seen)

            // A screen that saw only the first state resumes: the flight as it is now, no snapshot.
            let resumed = try EventStreamClient(port: daemon.httpPort, path: "/board/stream", lastEventID: seen)
            defer { resumed.close() }
            let replay = try #require(try resumed.next(timeout: 5))
            #expect(replay.name == "update")
            #expect(replay.id == changeID)
            #expect(replay.data.contains("\"gate\":\"B34\""))

            // An id of another run (or none) gets a snapshot that names the flight.
            let stranger = try EventStreamClient(port: daemon.httpPort, path: "/board/stream", lastEventID: "other.5")
            defer { stranger.close() }
            let snapshot = try #require(try stranger.next(timeout: 5))
            #expect(snapshot.name == "snapshot")
            #expect(snapshot.data.contains(id))
        }
    }

    @Test func boardPagesShowTheFlightAndUnknownPlacesAreAClear404() async throws {
        try await withDaemon { daemon in
            try daemon.send(lines: [
                flights.departure("LX", "318", to: "<b>LHR</b>", at: 20, "\"gate\":\"A1\",\"status\":\"boarding\""),
                flights.arrival("BA", "117", from: "LHR", at: 10, "\"belt\":\"7\",\"status\":\"landed\""),
            ])
            let id = flights.flightID("LX", "318")
            var departures = (status: 0, body: "")
            for _ in 0..<100 {
                departures = try daemon.http("/board/departures")
                if departures.body.contains(id) { break }
                usleep(50_000)
            }
            #expect(departures.status == 200)
            #expect(departures.body.contains("data-flight-id=\"\(id)\""))
            #expect(departures.body.contains("&lt;b&gt;LHR&lt;/b&gt;"))
            #expect(!departures.body.contains("<b>LHR"))
            #expect(departures.body.contains("data-stream=\"offline\""))
            #expect(try daemon.http("/board/gates/A1").body.contains("data-flight-id=\"\(id)\""))
            #expect(try daemon.http("/board/belts/7").body.contains(flights.flightID("BA", "117", "A")))
            #expect(try daemon.http("/board/arrivals").status == 200)
            #expect(try daemon.http("/board").body.contains("href=\"/board/gates/A1\""))
            #expect(try daemon.http("/board/assets/board.js").body.contains("EventSource"))

            let unknownGate = try daemon.http("/board/gates/Z99")
            #expect(unknownGate.status == 404)
            #expect(unknownGate.body.contains("No flight uses gate Z99."))
            let badName = try daemon.http("/board/gates/%3Cscript%3E")
            #expect(badName.status == 404)
            #expect(!badName.body.contains("<script>"))
            let elsewhere = try daemon.http("/board/nowhere/at/all")
            #expect(elsewhere.status == 404)
            #expect(elsewhere.body.contains("<h1>No such board</h1>"))
            // The operations endpoint is unchanged beside them.
            #expect(try daemon.http("/healthz").status == 200)
        }
    }

    @Test func theStreamsEndWhenTheGatewayStops() async throws {
        try await withDaemon { daemon in
            // READY=1 can come a moment before the HTTP listener is bound.
            for _ in 0..<100 where (try? daemon.http("/healthz").status) != 200 {
                try await Task.sleep(for: .milliseconds(50))
            }
            let stream = try EventStreamClient(port: daemon.httpPort, path: "/board/stream")
            defer { stream.close() }
            #expect(try stream.next(timeout: 5)?.name == "snapshot")
            let started = Date()
            #expect(daemon.stop() == 0)
            #expect(try stream.ends(within: 5))
            // The open stream did not hold up the stop (the server waits 2 s for open requests).
            #expect(Date().timeIntervalSince(started) < 10)
        }
    }
}
