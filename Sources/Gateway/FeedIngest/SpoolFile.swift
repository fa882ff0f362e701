#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One spool folder entry, opened the safe way (issue 18): `O_NOFOLLOW`, so a symbolic link
/// is never followed to a file the daemon's user can read, and only a regular file is taken
/// (checked on the open descriptor, so nothing can be swapped in between). It is read in
/// chunks, never whole: a 300 MB file costs a 64 KB buffer, not 300 MB.
struct SpoolFile: ~Copyable {
    /// Why an entry is not taken; it becomes a rejected frame and the entry goes to `rejected/`.
    struct Refusal: Error, Sendable {
        var reason: String
    }

    /// What `lstat(2)` says an entry is, before opening it.
    enum Kind: Sendable, Equatable {
        /// A regular file, with its size and when it last changed (nanoseconds since 1970).
        case regular(size: Int64, modifiedNanoseconds: Int64)
        /// Anything else, named for the operator ("a symbolic link", "a directory").
        case other(String)
    }

    private let descriptor: Int32
    /// The size when opened.
    let size: Int64

    /// Opens `path` for reading, refusing anything but a regular file.
    init(path: String) throws(Refusal) {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP { throw Refusal(reason: "a symbolic link: spool files must be regular files") }
            throw Refusal(reason: "cannot open: \(String(cString: strerror(code)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw Refusal(reason: "cannot stat: \(String(cString: strerror(code)))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw Refusal(reason: "\(Self.describe(mode: status.st_mode)): spool files must be regular files")
        }
        self.descriptor = descriptor
        self.size = Int64(status.st_size)
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes into `buffer`; 0 at the end of the file.
    func read(into buffer: inout [UInt8]) throws(Refusal) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count >= 0 { return count }
            let code = errno
            if code == EINTR { continue }
            throw Refusal(reason: "cannot read: \(String(cString: strerror(code)))")
        }
    }

    /// What the entry `path` is, without following a link; nil when it is gone.
    static func kind(of path: String) -> Kind? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return .other(describe(mode: status.st_mode)) }
        let modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        return .regular(size: Int64(status.st_size), modifiedNanoseconds: modified)
    }

    private static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a named pipe"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        default: "not a regular file"
        }
    }
}
