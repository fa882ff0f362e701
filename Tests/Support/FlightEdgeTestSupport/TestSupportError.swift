/// Why a piece of test support could not do its job: a service that is not configured, a
/// daemon that did not become ready, a loopback connection that failed. The `message` says
/// what to check; a test or the benchmark that gets one fails with it.
public struct TestSupportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a code to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case serviceNotConfigured, connectionFailed, daemonNotReady, commandFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// An environment variable of `scripts/services` is not set.
        public static let serviceNotConfigured = Code(.serviceNotConfigured)
        /// A loopback connection could not be made or broke off.
        public static let connectionFailed = Code(.connectionFailed)
        /// The daemon exited or did not become ready in time.
        public static let daemonNotReady = Code(.daemonNotReady)
        /// A `flightedge` command exited with a failure.
        public static let commandFailed = Code(.commandFailed)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What happened and what to check.
    public var message: String
    /// The system error number behind it, when there is one.
    public var errno: Int32?

    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String {
        errno.map { "\(message) (errno \($0))" } ?? message
    }
}
