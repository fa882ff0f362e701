import FlightModel
import JSON
import Postgres

/// How far one feed got, as its last committed batch recorded it (`flightedge.feed_checkpoints`).
public struct FeedCheckpoint: Sendable, Equatable {
    public var feed: String
    /// spool-dir: the files whose last frame the recent batches committed.
    public var recentFiles: [String]
    /// The file being read (spool-dir, tail-file).
    public var fileName: String?
    /// tail-file: the file's inode.
    public var fileInode: UInt64?
    /// Where the last committed frame ended (file feeds) or began (streams).
    public var offset: Int64?
}

extension HistoryWriter {
    /// Every feed's checkpoint, read at start and again when a reload restarts a feed.
    public func feedCheckpoints() async throws -> [FeedCheckpoint] {
        let rows = try await read(
            #"SELECT feed, recent_files::text, file_inode, "offset", file_name FROM flightedge.feed_checkpoints"#
        ).rows
        return rows.compactMap { row in
            guard let feed = row[0] else { return nil }
            var recent: [String] = []
            if let text = row[1], case .array(let names)? = try? JSONParser.parse(Array(text.utf8)) {
                recent = names.compactMap(\.stringValue)
            }
            return FeedCheckpoint(
                feed: feed, recentFiles: recent, fileName: row[4],
                fileInode: row[2].flatMap { Int64($0) }.map { UInt64(bitPattern: $0) },
                offset: row[3].flatMap { Int64($0) })
        }
    }
}
