import ArgumentParser
import Configuration
import FeedFormats
import FeedFraming
import FeedIngest
import FlightModel
import Foundation
import GatewayDaemon
import Timing

/// `flightedge parse`: decodes feed messages as the daemon would and prints the normalized
/// updates, so an integrator can check a feed before wiring it.
struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Decode feed messages and print normalized updates as JSON lines; rejected frames go to stderr.",
        discussion: """
            Reads each FILE (standard input when none), cuts it into frames (aidx and mvt: one message per \
            file unless --framing says otherwise; csv and jsonl: one per line) and decodes them. With --config, \
            the airport and the options of the feed with this format (or --feed) are used, exactly as the \
            daemon would; without it, aidx and mvt take the legs of any airport (direction from the message). \
            Each rejected frame is shown on stderr as FILE@OFFSET: reason (the first 50; the summary counts \
            the rest), then a summary line: frames, updates, rejected. Exit 0 when every frame decoded, 1 when \
            any was rejected or an input held no frame at all.
            """
    )

    @Option(help: "Message format: aidx, mvt, csv or jsonl (default: the --feed's format).")
    var format: String?

    @Option(help: "Configuration file (our airport and the feed's options, as the daemon would use them), or a feed fragment such as conf/feeds/heathrow-arrivals.toml with --airport.")
    var config: String?

    @Option(help: "The feed in --config whose options to use (default: the first feed with --format).")
    var feed: String?

    @Option(help: "Our airport's IATA code, when there is no --config or it is a feed fragment.")
    var airport: String?

    @Option(help: "How frames are cut: lf, stx-etx, length-prefix or file (one frame per file).")
    var framing: String?

    @Option(help: "Receipt time for day-of-month formats, ISO 8601 (default: each file's modification time).")
    var receivedAt: String?

    @Argument(help: "Files to decode (standard input when none).")
    var files: [String] = []

    func run() async throws {
        let setup = try makeSetup()
        var output = LineOutput()
        var frames = 0
        var rejected = 0
        var decoded = 0
        var shown = 0
        var frameless = 0
        let inputs: [(name: String, read: () throws -> (bytes: [UInt8], modified: Date?))] =
            files.isEmpty
            ? [("-", { (Array(FileHandle.standardInput.readDataToEndOfFile()), nil) })]
            : files.map { path in
                (path, {
                    let data = try Data(contentsOf: URL(fileURLWithPath: path))
                    let modified = try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
                    return (Array(data), modified)
                })
            }
        for input in inputs {
            let bytes: [UInt8]
            let modified: Date?
            do {
                (bytes, modified) = try input.read()
            } catch {
                FileHandle.standardError.write(Data("\(input.name): cannot read: \(error.localizedDescription)\n".utf8))
                frameless += 1
                continue
            }
            let receivedAt = setup.receivedAt ?? modified.map(Timestamp.init) ?? .now
            // Framed and decoded as the daemon's feed would: the same frames, the same reasons.
            let outputs = WholeInputFraming.frames(of: bytes, framing: setup.framing, maxFrameBytes: setup.maxFrameBytes).outputs
            if outputs.isEmpty {
                let why = bytes.isEmpty ? "it is empty" : "\(setup.framing.rawValue) framing finds no frame in its \(bytes.count) bytes"
                FileHandle.standardError.write(Data("\(input.name): no frame: \(why)\n".utf8))
                frameless += 1
                continue
            }
            frames += outputs.count
            for framed in outputs {
                let frame = Frame(
                    framed, feed: setup.feedName, receivedAtMilliseconds: receivedAt.millisecondsSinceEpoch
                ) { offset, _ in .file(name: input.name, offset: offset) }
                switch FrameDecoding.updates(of: frame, decoder: setup.decoder) {
                case .success(let updates):
                    for update in updates {
                        output.write(update.normalizedJSON(derived: true))
                        decoded += 1
                    }
                case .failure(let error):
                    rejected += 1
                    // A file of garbage would print a line per frame: the first ones say enough.
                    guard shown < Self.shownRejections else { continue }
                    shown += 1
                    output.flush()
                    FileHandle.standardError.write(Data("\(frame.position): \(error)\n".utf8))
                }
            }
        }
        output.flush()
        var summary = "\(frames) frames, \(decoded) updates, \(rejected) rejected"
        if rejected > shown { summary += " (\(rejected - shown) not shown)" }
        if frameless > 0 { summary += ", \(frameless) input(s) without a frame" }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        if rejected > 0 || frameless > 0 { throw ExitCode(1) }
    }

    /// Rejected frames shown one per line; the rest are counted in the summary.
    static let shownRejections = 50

    /// The decoder, framing and names the options settle on.
    private struct Setup {
        var decoder: any FrameDecoder
        var framing: Framing
        var maxFrameBytes: Int
        var feedName: String
        var receivedAt: Timestamp?
    }

    /// A whole configuration, or a feed fragment such as conf/feeds/heathrow-arrivals.toml (only
    /// `[[feeds]]` tables): the fragment gets the airport of --airport (UTC for its own times) and
    /// placeholder [database] and [mqtt] tables, after its own lines so that errors keep their line numbers.
    private func loadConfig(path: String) throws -> GatewayConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return try ConfigOption.load(path: path)  // says why it cannot be read, exits 1
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let isFragment = lines.contains("[[feeds]]") && !lines.contains { $0.hasPrefix("[airport]") }
        guard isFragment else { return try ConfigOption.load(path: path) }
        guard let airport else {
            throw ValidationError("--config \(path) is a feed fragment (no [airport] table): give --airport, the IATA code of the airport it feeds")
        }
        let placeholders = """

            [airport]
            iata = "\(airport)"
            timezone = "UTC"
            [database]
            url = "postgresql:///unused-by-parse"
            [mqtt]
            host = "127.0.0.1"
            client_id = "flightedge-parse"
            """
        do {
            return try GatewayConfig.parse(text + placeholders, source: path)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func makeSetup() throws -> Setup {
        var receivedTime: Timestamp?
        if let receivedAt {
            guard let time = Timestamp(iso8601: receivedAt) else { throw ValidationError("--received-at: not an ISO 8601 time") }
            receivedTime = time
        }
        let chosenFraming = try framing.map { text in
            guard let framing = Framing(rawValue: text) else {
                throw ValidationError("--framing: one of \(Framing.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return framing
        }
        var chosenFormat = try format.map { text in
            guard let format = FeedFormat(rawValue: text) else {
                throw ValidationError("--format: one of \(FeedFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return format
        }
        if let configPath = config {
            let loaded = try loadConfig(path: configPath)
            let candidates = loaded.feeds.filter { feed in
                if let name = self.feed { return feed.name == name }
                // Neither --feed nor --format: a configuration (or fragment) of one feed means that one.
                return chosenFormat.map { feed.format == $0 } ?? (loaded.feeds.count == 1)
            }
            guard let feedConfig = candidates.first else {
                throw ValidationError(
                    self.feed.map { "--feed: no feed named \($0) in \(configPath)" }
                        ?? "--config: no feed with format \(chosenFormat?.rawValue ?? "?") in \(configPath)")
            }
            if let chosenFormat, chosenFormat != feedConfig.format {
                throw ValidationError("--format \(chosenFormat.rawValue) differs from feed \(feedConfig.name)'s format \(feedConfig.format.rawValue)")
            }
            chosenFormat = feedConfig.format
            let decoder = try DecoderCatalog.decoder(for: feedConfig, airport: loaded.airport)
            return Setup(
                decoder: decoder, framing: chosenFraming ?? feedConfig.framing, maxFrameBytes: feedConfig.maxFrameBytes,
                feedName: feedConfig.name, receivedAt: receivedTime)
        }
        guard let chosenFormat else { throw ValidationError("--format is required without --config") }
        let decoder: any FrameDecoder
        do {
            decoder = try DecoderCatalog.decoder(for: chosenFormat, airport: airport)
        } catch {
            throw ValidationError("\(error)")
        }
        let defaultFraming: Framing = chosenFormat == .aidx || chosenFormat == .mvt ? .file : .lf
        return Setup(
            decoder: decoder, framing: chosenFraming ?? defaultFraming, maxFrameBytes: 16 << 20, feedName: "parse",
            receivedAt: receivedTime)
    }
}

/// Standard output, buffered by lines.
private struct LineOutput {
    private var buffer: [UInt8] = []

    mutating func write(_ line: [UInt8]) {
        buffer += line
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 64 << 10 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
