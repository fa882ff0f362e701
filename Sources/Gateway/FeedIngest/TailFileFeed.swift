import Configuration
import FeedFraming
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `transport = "tail-file"`: follows a file that a FIDS or a Type B gateway appends to, as
/// `tail -F` would, and never loses a frame.
///
/// * Appends are read as they come (the file is polled every 200 ms once at its end).
/// * Rotation by rename (`mv feed.log feed.log.1`, a new `feed.log`): the old file is read to
///   its end first, then the new one from its start.
/// * Truncation in place (`copytruncate`, `: > feed.log`): reading starts again at 0.
/// * Every frame carries the file's inode and the offset where the next frame starts; the
///   pipeline commits that position in the same transaction as the frame's effects, so a
///   restart resumes exactly after the last committed frame — in the rotated file, found by its
///   inode, when the rotation happened while the daemon was down.
/// * With no position committed yet, the file is read from its start: replaying what the
///   history already holds changes nothing.
public struct TailFileFeed: Sendable {
    /// Where a restart resumes: the file (by inode) and the offset of the next frame.
    public struct Position: Sendable, Equatable {
        public var inode: UInt64
        public var offset: Int64

        public init(inode: UInt64, offset: Int64) {
            self.inode = inode
            self.offset = offset
        }
    }

    public let config: FeedConfig
    public let sink: FrameSink
    public let logger: Logger
    public var pollInterval: Duration = .milliseconds(200)
    private let resume: Position?

    public init(config: FeedConfig, sink: FrameSink, logger: Logger, resumingAt resume: Position? = nil) {
        self.config = config
        self.sink = sink
        self.logger = logger
        self.resume = resume
    }

    private var path: String { config.path ?? "" }

    /// Follows the file until the task is cancelled or the pipeline stops taking frames.
    public func run() async throws {
        var file = try await openFirst()
        defer { file.close() }
        sink.counters.connectionOpened()
        defer { sink.counters.connectionClosed() }
        var outputs: [FramerOutput] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !Task.isCancelled {
            let count = try file.read(into: &buffer)
            if count > 0 {
                outputs.removeAll(keepingCapacity: true)
                file.framer.consume(buffer.prefix(count), into: &outputs)
                guard await deliver(outputs, of: file) else { return }
                continue
            }
            // At the end of the file: has it been rotated or truncated meanwhile?
            switch TailedFile.identity(of: path) {
            case .some(let now) where now.inode != file.inode:
                // Renamed away: whatever was written to it before the rename is read by now
                // (read once more in case it landed between our read and the check).
                guard try await drain(&file, buffer: &buffer) else { return }
                outputs.removeAll(keepingCapacity: true)
                file.framer.finish(into: &outputs)
                guard await deliver(outputs, of: file) else { return }
                logger.info("tailed file rotated; reading the new one", metadata: ["feed": "\(config.name)", "path": "\(path)"])
                file.close()
                file = try TailedFile(path: path, startingAt: 0, framing: config.framing, maxFrameBytes: config.maxFrameBytes)
            case .some(let now) where now.size < file.offset:
                logger.warning(
                    "tailed file truncated; reading it again from the start",
                    metadata: ["feed": "\(config.name)", "path": "\(path)", "was": "\(file.offset)", "now": "\(now.size)"])
                outputs.removeAll(keepingCapacity: true)
                file.framer.finish(into: &outputs)
                guard await deliver(outputs, of: file) else { return }
                file.restart()
            default:
                try await Task.sleep(for: pollInterval)
            }
        }
    }

    /// Opens the file where the committed position says, waiting for it to exist.
    private func openFirst() async throws -> TailedFile {
        let limits = (framing: config.framing, maxFrameBytes: config.maxFrameBytes)
        var warned = false
        while true {
            try Task.checkCancellation()
            if let identity = TailedFile.identity(of: path) {
                guard let resume else {
                    logger.info("feed tailing file from its start", metadata: ["feed": "\(config.name)", "path": "\(path)"])
                    return try TailedFile(path: path, startingAt: 0, framing: limits.framing, maxFrameBytes: limits.maxFrameBytes)
                }
                if identity.inode == resume.inode {
                    if identity.size < resume.offset {
                        logger.warning(
                            "tailed file is shorter than the committed position (truncated while stopped); reading it from the start",
                            metadata: ["feed": "\(config.name)", "path": "\(path)"])
                        return try TailedFile(path: path, startingAt: 0, framing: limits.framing, maxFrameBytes: limits.maxFrameBytes)
                    }
                    logger.info(
                        "feed tailing file from the committed position",
                        metadata: ["feed": "\(config.name)", "path": "\(path)", "offset": "\(resume.offset)"])
                    return try TailedFile(
                        path: path, startingAt: resume.offset, framing: limits.framing, maxFrameBytes: limits.maxFrameBytes)
                }
                if let rotated = TailedFile.find(inode: resume.inode, besides: path) {
                    logger.info(
                        "tailed file was rotated while stopped; finishing the old one first",
                        metadata: ["feed": "\(config.name)", "old": "\(rotated)", "offset": "\(resume.offset)"])
                    return try TailedFile(
                        path: rotated, startingAt: resume.offset, framing: limits.framing, maxFrameBytes: limits.maxFrameBytes,
                        reportedName: path)
                }
                logger.warning(
                    "tailed file was replaced while stopped and the old one is gone; reading the new one from its start",
                    metadata: ["feed": "\(config.name)", "path": "\(path)"])
                return try TailedFile(path: path, startingAt: 0, framing: limits.framing, maxFrameBytes: limits.maxFrameBytes)
            }
            if !warned {
                logger.warning("tailed file does not exist yet; waiting for it", metadata: ["feed": "\(config.name)", "path": "\(path)"])
                warned = true
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Reads what is left of a file that was renamed away; false when the pipeline stopped.
    private func drain(_ file: inout TailedFile, buffer: inout [UInt8]) async throws -> Bool {
        var outputs: [FramerOutput] = []
        while true {
            let count = try file.read(into: &buffer)
            if count == 0 { return true }
            outputs.removeAll(keepingCapacity: true)
            file.framer.consume(buffer.prefix(count), into: &outputs)
            guard await deliver(outputs, of: file) else { return false }
        }
    }

    private func deliver(_ outputs: [FramerOutput], of file: TailedFile) async -> Bool {
        if outputs.isEmpty { return true }
        let name = file.reportedName
        let inode = file.inode
        let base = file.base
        return await sink.deliver(outputs, feed: config.name) { offset, end in
            .tail(name: name, inode: inode, offset: base + offset, end: base + end)
        }
    }
}

/// One open file being tailed: its descriptor, identity, read offset and framer.
struct TailedFile {
    /// The path frames are reported under: the configured one, even for a rotated file.
    let reportedName: String
    let inode: UInt64
    private var descriptor: Int32
    /// Where the framer's offset 0 is in the file.
    private(set) var base: Int64
    /// The next byte to read.
    private(set) var offset: Int64
    var framer: any Framer
    private let framing: Framing
    private let maxFrameBytes: Int

    init(path: String, startingAt offset: Int64, framing: Framing, maxFrameBytes: Int, reportedName: String? = nil) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw TailFileError(path: path, operation: "open", code: errno) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw TailFileError(path: path, operation: "stat", code: code)
        }
        self.descriptor = descriptor
        self.inode = UInt64(status.st_ino)
        self.reportedName = reportedName ?? path
        self.base = offset
        self.offset = offset
        self.framing = framing
        self.maxFrameBytes = maxFrameBytes
        self.framer = makeFramer(framing, maxFrameBytes: maxFrameBytes)
    }

    /// Reads the next bytes into `buffer`; 0 at the end of the file.
    mutating func read(into buffer: inout [UInt8]) throws -> Int {
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard count >= 0 else { throw TailFileError(path: reportedName, operation: "read", code: errno) }
        offset += Int64(count)
        return count
    }

    /// Starts again at the file's first byte (it was truncated).
    mutating func restart() {
        base = 0
        offset = 0
        framer = makeFramer(framing, maxFrameBytes: maxFrameBytes)
    }

    mutating func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// The inode and size of the file at `path` now, or nil when there is none.
    static func identity(of path: String) -> (inode: UInt64, size: Int64)? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return (UInt64(status.st_ino), Int64(status.st_size))
    }

    /// A file in the same folder as `path` with this inode: where a rotation renamed it.
    static func find(inode: UInt64, besides path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        for name in names.sorted() {
            let candidate = (directory as NSString).appendingPathComponent(name)
            if let found = identity(of: candidate), found.inode == inode { return candidate }
        }
        return nil
    }
}

/// A tailed file could not be opened or read.
public struct TailFileError: Error, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
