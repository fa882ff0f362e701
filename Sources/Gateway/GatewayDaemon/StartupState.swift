import FeedIngest
import FlightModel
import HistoryStore
import Logging

/// What the daemon restores from PostgreSQL before it takes a frame: the current flights
/// (state, provenance, seq) and the feeds' checkpoints.
struct StartupState: Sendable {
    var flights: [(state: FlightState, payload: [UInt8])] = []
    /// Flights in the database that were not restored (ended long ago): an update to one of
    /// them loads it first. Any other unknown flight is new, and needs no query.
    var storedOnly: Set<String> = []
    var positions = FeedPositions()

    static func load(from writer: HistoryWriter, retainHours: Int, logger: Logger) async throws -> StartupState {
        var startup = StartupState()
        // Flights that have not ended long ago: the same rule as housekeeping.
        let restored = try await writer.currentFlights(retainHours: retainHours)
        startup.flights = restored.flights
        let loaded = Set(restored.flights.map(\.state.key.flightID))
        startup.storedOnly = try await writer.allFlightIDs().subtracting(loaded)
        let skipped = restored.unreadable
        if skipped > 0 { logger.error("flights that could not be restored from the database", metadata: ["count": "\(skipped)"]) }
        startup.positions = try await FeedPositions.load(from: writer)
        return startup
    }
}

/// Where each file feed resumes: what the last committed batch of each feed says, read at start
/// and again when a reload restarts a feed.
struct FeedPositions: Sendable {
    /// spool-dir feeds: files the last batch committed (they may not have been moved yet).
    var committedFiles: [String: Set<String>] = [:]
    /// tail-file feeds: the file (by inode) and offset after the last committed frame.
    var tailPositions: [String: TailFileFeed.Position] = [:]
    /// spool-dir feeds: the file being read when the last batch committed, and the offset of
    /// its last committed frame.
    var spoolPositions: [String: SpoolDirectoryFeed.Position] = [:]

    static func load(from writer: HistoryWriter) async throws -> FeedPositions {
        var positions = FeedPositions()
        for checkpoint in try await writer.feedCheckpoints() {
            let feed = checkpoint.feed
            if !checkpoint.recentFiles.isEmpty { positions.committedFiles[feed] = Set(checkpoint.recentFiles) }
            if let inode = checkpoint.fileInode, let offset = checkpoint.offset {
                positions.tailPositions[feed] = TailFileFeed.Position(inode: inode, offset: offset)
            } else if let name = checkpoint.fileName, let offset = checkpoint.offset {
                positions.spoolPositions[feed] = SpoolDirectoryFeed.Position(file: name, offset: offset)
            }
        }
        return positions
    }
}
