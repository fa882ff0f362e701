import FeedIngest
import FlightModel
import HistoryStore
import Logging
import Postgres

/// What the daemon restores from PostgreSQL before it takes a frame: the current flights
/// (state, provenance, seq) and the feeds' checkpoints.
struct StartupState {
    var flights: [(state: FlightState, payload: [UInt8])] = []
    /// Flights in the database that were not restored (ended long ago): an update to one of
    /// them loads it first. Any other unknown flight is new, and needs no query.
    var storedOnly: Set<String> = []
    var positions = FeedPositions()

    static func load(from writer: HistoryWriter, retainHours: Int, logger: Logger) async throws -> StartupState {
        var startup = StartupState()
        // Flights that have not ended long ago: the same rule as housekeeping.
        let (flights, skipped) = try await StoredFlights.load(
            from: writer,
            where: "(ends_at IS NULL OR ends_at > now() - make_interval(hours => $1)) AND updated_at > now() - interval '7 days'",
            [.int(retainHours)])
        startup.flights = flights
        let loaded = Set(flights.map(\.state.key.flightID))
        for row in try await writer.read("SELECT flight_id FROM flightedge.flights").rows {
            if let id = row[0], !loaded.contains(id) { startup.storedOnly.insert(id) }
        }
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
        let checkpoints = try await writer.read(
            #"SELECT feed, recent_files::text, file_inode, "offset", file_name FROM flightedge.feed_checkpoints"#
        ).rows
        for row in checkpoints {
            guard let feed = row[0] else { continue }
            if let text = row[1], case .array(let names)? = try? JSONParser.parse(Array(text.utf8)) {
                positions.committedFiles[feed] = Set(names.compactMap(\.stringValue))
            }
            if let inode = row[2].flatMap({ Int64($0) }), let offset = row[3].flatMap({ Int64($0) }) {
                positions.tailPositions[feed] = TailFileFeed.Position(inode: UInt64(bitPattern: inode), offset: offset)
            } else if let name = row[4], let offset = row[3].flatMap({ Int64($0) }) {
                positions.spoolPositions[feed] = SpoolDirectoryFeed.Position(file: name, offset: offset)
            }
        }
        return positions
    }
}
