import Configuration
import FeedFraming
import Foundation
import Logging
import Synchronization
import Timing

/// `transport = "spool-dir"`: files dropped into a folder are each read once, in name order,
/// and moved to `done/` (or `rejected/` when nothing in them could be used) after the commit
/// that covers them. The spool convention (``SpoolNaming``): files still being written — a
/// leading dot, a temporary suffix such as `.tmp` or `.part` — are left alone until renamed;
/// with `settle_time`, a file is also left alone until it has not changed for that long.
///
/// Only regular files are read, opened without following links (``SpoolFile``); anything
/// else in the folder (a symbolic link, a directory, a pipe), a file that cannot be opened or
/// read and a file without one frame becomes a rejected frame saying why and goes to
/// `rejected/`: visible in `rejected_frames` and the feed's rejected count, not only in the
/// log. Files are read in chunks: memory does not follow their size. The folder is polled
/// every 250 ms.
public struct SpoolDirectoryFeed: Sendable {
    public let config: FeedConfig
    public let sink: FrameSink
    public let logger: Logger
    public var pollInterval: Duration = .milliseconds(250)
    /// Bytes read from a file at a time.
    static let chunkBytes = 64 << 10

    /// Files the last committed batch finished before a restart: they were committed but may
    /// not have been moved yet (see `feed_checkpoints.recent_files`).
    private let alreadyCommitted: Set<String>
    /// The file a crash interrupted and the offset of its last committed frame: its frames up
    /// to there are not taken again. (Replaying them would be harmless for most updates, but
    /// two updates of one field with the same source time would swap back and forth.)
    private let resume: Position?

    /// Where the last committed frame of a spool file was.
    public struct Position: Sendable, Equatable {
        public var file: String
        public var offset: Int64

        public init(file: String, offset: Int64) {
            self.file = file
            self.offset = offset
        }
    }

    public init(
        config: FeedConfig, sink: FrameSink, logger: Logger, alreadyCommitted: Set<String> = [], resumingAt resume: Position? = nil
    ) {
        self.config = config
        self.sink = sink
        self.logger = logger
        self.alreadyCommitted = alreadyCommitted
        self.resume = resume
    }

    var folder: URL { URL(fileURLWithPath: config.path ?? ".") }

    /// Watches the folder until the task is cancelled.
    public func run() async throws {
        let manager = FileManager.default
        for sub in ["done", "rejected"] {
            try manager.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        logger.info("feed watching spool folder", metadata: ["feed": "\(config.name)", "path": "\(folder.path)"])
        let tracker = SpoolFileTracker()
        var leftovers = alreadyCommitted
        while !Task.isCancelled {
            for (name, kind) in try pendingFiles(excluding: tracker) {
                if leftovers.remove(name) != nil {
                    // Committed before a restart, not yet moved: move it, do not read it again.
                    move(name, to: "done")
                    continue
                }
                let delivered: Bool
                if case .other(let what) = kind {
                    delivered = await refuse(name, reason: "\(what): spool files must be regular files", tracker: tracker)
                } else {
                    delivered = try await read(name, tracker: tracker)
                }
                guard delivered else { return }
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Entries waiting in the folder under a final name, in name order, that are not already
    /// in flight, regular files only once settled.
    func pendingFiles(excluding tracker: SpoolFileTracker) throws -> [(name: String, kind: SpoolFile.Kind)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let now = WallClock.milliseconds * 1_000_000
        let settle = Int64(config.settleSeconds) * 1_000_000_000
        return names.filter { SpoolNaming.isFinal($0) && !tracker.isInFlight($0) }.sorted().compactMap { name in
            guard let kind = SpoolFile.kind(of: folder.appendingPathComponent(name).path) else { return nil }
            if case .regular(_, let modified) = kind, settle > 0, now - modified < settle { return nil }
            return (name, kind)
        }
    }

    /// Frames one file as it reads it and delivers its frames; the last frame's commit moves
    /// the file. A frame is held back until the next is found, so the last one is known.
    private func read(_ name: String, tracker: SpoolFileTracker) async throws -> Bool {
        let file: SpoolFile
        do {
            file = try SpoolFile(path: folder.appendingPathComponent(name).path)
        } catch {
            return await refuse(name, reason: error.reason, tracker: tracker)
        }
        tracker.start(name)
        let now = WallClock.milliseconds
        let wholeFile = config.framing == .file
        var framer = makeFramer(config.framing, maxFrameBytes: config.maxFrameBytes)
        var whole: [UInt8] = []
        var outputs: [FramerOutput] = []
        var buffer = [UInt8](repeating: 0, count: Self.chunkBytes)
        var held: Frame?
        var resumedPast = 0
        var skipped: Int64 = 0
        var total: Int64 = 0
        var readFailure: String?

        // Hands over the frame held back (not the file's last), then holds `output`'s.
        func take(_ output: FramerOutput) async -> Bool {
            if let resume, resume.file == name, Self.offset(of: output) <= resume.offset {
                resumedPast += 1
                return true
            }
            let frame = Frame(output, feed: config.name, receivedAtMilliseconds: now) { offset, _ in .file(name: name, offset: offset) }
            defer { held = frame }
            guard let previous = held else { return true }
            return await deliver(previous, of: name, isLast: false, tracker: tracker)
        }

        while true {
            let count: Int
            do {
                count = try file.read(into: &buffer)
            } catch {
                readFailure = error.reason
                break
            }
            if count == 0 { break }
            total += Int64(count)
            if !wholeFile {
                outputs.removeAll(keepingCapacity: true)
                framer.consume(buffer[0..<count], into: &outputs)
                for output in outputs { guard await take(output) else { return false } }
            } else if whole.count + count <= config.maxFrameBytes {
                whole.append(contentsOf: buffer[0..<count])
            } else if whole.count < keptPrefixBytes {
                whole.append(contentsOf: buffer[0..<min(count, keptPrefixBytes - whole.count)])
            }
        }
        if !wholeFile {
            outputs.removeAll(keepingCapacity: true)
            framer.finish(into: &outputs)
            skipped = framer.skippedBytes
            for output in outputs { guard await take(output) else { return false } }
        } else if total > Int64(config.maxFrameBytes) {
            guard await take(.oversize(prefix: Array(whole.prefix(keptPrefixBytes)), offset: 0, length: total, end: total)) else {
                return false
            }
        } else if !whole.isEmpty {
            guard await take(.frame(bytes: whole, offset: 0, end: total)) else { return false }
        }
        if skipped > 0 { sink.counters.bytesSkipped(skipped) }
        if let readFailure {
            // What was read is good; the reason why the rest is missing is the last frame.
            guard await take(.broken(bytes: [], offset: total, end: total, reason: readFailure)) else { return false }
        }
        if resumedPast > 0 {
            logger.info(
                "resuming a spool file after its last committed frame",
                metadata: ["feed": "\(config.name)", "file": "\(name)", "skipped": "\(resumedPast)"])
        }
        guard let last = held else {
            if resumedPast > 0 {
                _ = tracker.finish(name)
                move(name, to: "done")
                return true
            }
            _ = tracker.finish(name)
            return await refuse(name, reason: "spool file holds no frame (\(total) bytes)", tracker: tracker)
        }
        return await deliver(last, of: name, isLast: true, tracker: tracker)
    }

    /// Delivers one frame of the file `name`; the last one's commit moves the file.
    private func deliver(_ frame: Frame, of name: String, isLast: Bool, tracker: SpoolFileTracker) async -> Bool {
        var frame = frame
        frame.fileCompletion = FileCompletion(name: name, isLast: isLast) { [self] rejectedAll in
            if tracker.finish(name) { move(name, to: rejectedAll ? "rejected" : "done") }
        }
        return await sink.deliver(frame)
    }

    /// An entry that is not read: one rejected frame says why, and its commit moves the entry
    /// (a link itself, never what it points to) to `rejected/`.
    private func refuse(_ name: String, reason: String, tracker: SpoolFileTracker) async -> Bool {
        logger.warning("spool entry refused; moving it to rejected/", metadata: ["feed": "\(config.name)", "file": "\(name)", "reason": "\(reason)"])
        tracker.start(name)
        let frame = Frame(
            feed: config.name, position: .file(name: name, offset: 0), bytes: [], receivedAtMilliseconds: WallClock.milliseconds,
            framingError: reason)
        return await deliver(frame, of: name, isLast: true, tracker: tracker)
    }

    private static func offset(of output: FramerOutput) -> Int64 {
        switch output {
        case .frame(_, let offset, _), .oversize(_, let offset, _, _), .broken(_, let offset, _, _): offset
        }
    }

    private func move(_ name: String, to subfolder: String) {
        let source = folder.appendingPathComponent(name)
        var target = folder.appendingPathComponent(subfolder).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: target.path) {
            target = folder.appendingPathComponent(subfolder).appendingPathComponent("\(name).\(WallClock.milliseconds)")
        }
        do {
            try FileManager.default.moveItem(at: source, to: target)
        } catch {
            logger.error(
                "cannot move spool file", metadata: ["feed": "\(config.name)", "file": "\(name)", "to": "\(subfolder)", "error": "\(error)"])
        }
    }
}

/// Which spool files have frames waiting for a commit.
final class SpoolFileTracker: Sendable {
    private let inFlight = Mutex<Set<String>>([])

    func isInFlight(_ name: String) -> Bool { inFlight.withLock { $0.contains(name) } }
    func start(_ name: String) { _ = inFlight.withLock { $0.insert(name) } }
    /// True when the file was in flight (so the caller moves it exactly once).
    func finish(_ name: String) -> Bool { inFlight.withLock { $0.remove(name) != nil } }
}
