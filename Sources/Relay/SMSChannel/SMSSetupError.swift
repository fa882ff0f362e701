/// Why the SMS channel cannot start: a setting it cannot use. Raised by ``SMSChannel/init(settings:)``.
public struct SMSSetupError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, as a code to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case setting, trustedCA
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `base_url`, `account_sid`, `from` or the auth token is empty or malformed.
        public static let setting = Code(.setting)
        /// The trusted CA file cannot be read as PEM certificates.
        public static let trustedCA = Code(.trustedCA)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What an operator should fix. Never holds the auth token.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
