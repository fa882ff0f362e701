import ArgumentParser
import Configuration
import FeedFormats
import FeedIngest
import FlightModel
import Foundation
import GatewayDaemon
import HistoryStore

/// `flightedge poll-once --feed NAME`: fetches once from a pull feed (http-poll, amqp, sql-poll)
/// and prints what the daemon would decode from it, for an integrator wiring an AODB. Nothing
/// is kept: no checkpoint moves, no message is acknowledged, nothing is written to the
/// database (a sql-poll feed's committed cursor is read from it, to bind what the daemon would).
struct PollOnceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll-once",
        abstract: "Fetch once from a pull feed and print the normalized updates it would give, as JSON lines.",
        discussion: """
            The answer is summarized on stderr (for http-poll: status, ETag, size, and the wait an AIDX \
            FlightLegRS asks for; for sql-poll: the cursor bound, the committed one from the gateway's \
            database when there is one, else cursor_start), then each frame is decoded with the feed's decoder: updates on stdout, \
            rejected frames on stderr. Exit 0 when every frame decoded, 1 when any was rejected or the \
            configuration is wrong, 2 when the source could not be reached.
            """
    )

    @OptionGroup var config: ConfigOption

    @Option(help: "The pull feed to fetch from (its name in the configuration).")
    var feed: String

    func run() async throws {
        let loaded = try config.load()
        guard let feedConfig = loaded.feeds.first(where: { $0.name == feed }) else {
            let pull = loaded.feeds.filter(\.transport.isPull).map(\.name)
            throw ValidationError(
                "no feed \"\(feed)\" in \(config.path)"
                    + (pull.isEmpty ? " (it has no pull feed)" : " (pull feeds: \(pull.joined(separator: ", ")))"))
        }
        let fetcher: any PullFetchOnce
        do {
            fetcher = try PullFeedCatalog.fetchOnce(feedConfig, sqlCursor: committedCursor(of: feedConfig, loaded))
        } catch {
            throw ValidationError("\(error)")
        }
        let pulled: PulledOnce
        do {
            pulled = try await fetcher.fetchOnce()
        } catch {
            FileHandle.standardError.write(Data("feed \(feed): \(error)\n".utf8))
            throw ExitCode(2)
        }
        var summary = "feed \(feed): \(pulled.summary)"
        if feedConfig.format == .aidx, let first = pulled.frames.first,
            let wait = AIDXResponseWarnings.requestedWait(in: first.bytes)
        {
            summary += "; the FlightLegRS asks to wait \(wait) before the next poll"
        }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        let decoder = try DecoderCatalog.decoder(for: feedConfig, airport: loaded.airport)
        var updates = 0
        var rejected = 0
        for frame in pulled.frames {
            switch FrameDecoding.updates(of: frame, decoder: decoder) {
            case .success(let decoded):
                for update in decoded {
                    FileHandle.standardOutput.write(Data(update.normalizedJSON(derived: true) + [UInt8(ascii: "\n")]))
                }
                updates += decoded.count
            case .failure(let error):
                rejected += 1
                FileHandle.standardError.write(Data("\(frame.position): \(error)\n".utf8))
            }
        }
        FileHandle.standardError.write(Data("\(pulled.frames.count) frames, \(updates) updates, \(rejected) rejected\n".utf8))
        if rejected > 0 { throw ExitCode(1) }
    }

    /// The cursor a sql-poll feed would bind now: its committed one, read (only read) from the
    /// gateway's database; `cursor_start` when it has none or the database cannot be read.
    private func committedCursor(of feed: FeedConfig, _ loaded: GatewayConfig) -> SQLPollOnce.Cursor {
        guard feed.transport == .sqlPoll else { return .start(reason: "not a sql-poll feed") }
        do {
            let password = try SecretFile.read(path: loaded.database.passwordFile, credential: "db-password")
            let value = try FeedCheckpointReader.resumeValue(of: feed.name, conninfo: loaded.database.url, password: password)
            return value.map(SQLPollOnce.Cursor.committed) ?? .start(reason: "no committed row yet")
        } catch {
            return .start(reason: "the gateway's database could not be read: \(error)")
        }
    }
}
