/// Why the Web Push channel cannot be set up (or a request cannot be built): a key that is no
/// P-256 private key, a subject that is neither `mailto:` nor `https:`, an unreadable CA file, an
/// endpoint that is no https URL. The `message` names what to fix.
public struct WebPushSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a code to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidKey, invalidSubject, invalidCAFile, invalidEndpoint, invalidSettings
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `vapid_private_key_file` holds no usable P-256 private key.
        public static let invalidKey = Code(.invalidKey)
        /// `subject` is neither a `mailto:` address nor an `https:` URL.
        public static let invalidSubject = Code(.invalidSubject)
        /// `ca_file` cannot be read as PEM certificates.
        public static let invalidCAFile = Code(.invalidCAFile)
        /// A subscription's endpoint is no https URL.
        public static let invalidEndpoint = Code(.invalidEndpoint)
        /// A numeric setting is out of range.
        public static let invalidSettings = Code(.invalidSettings)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What happened and what to fix.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "webpush: \(message)" }
}
