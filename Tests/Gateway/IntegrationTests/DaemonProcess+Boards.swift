import FlightEdgeTestSupport
import Foundation

extension DaemonProcess {
    /// Starts the daemon with boards in English and German (its spool feed left out); with
    /// `staleAfter`, the `aodb` feed is stale after that many silent seconds.
    func startForBoards(staleAfter: Int? = nil) throws {
        var base = baseConfig
        if let staleAfter {
            base = base.replacingOccurrences(of: "precedence = 10\n", with: "precedence = 10\nstale_after = \(staleAfter)\n")
        }
        try rewriteConfig(base: base, feeds: "\n[boards]\nlanguages = [\"en\", \"de\"]\n")
        try start()
    }

    /// Waits until the gateway committed `flightID` (its board page shows it).
    func waitForBoardRow(_ flightID: String, board: String = "departures") async throws -> Bool {
        for _ in 0..<200 {
            if try http("/board/\(board)").body.contains(flightID) { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }
}
