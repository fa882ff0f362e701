/// Why the FCM channel cannot start: its service account or its TLS setup is unusable. Raised by
/// ``FCMChannel/init(settings:)`` and ``ServiceAccount/init(json:)``, before anything is sent.
public struct FCMSetupError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, as a code to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case serviceAccount, privateKey, baseURL, trustedCA
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The service-account JSON is no JSON object or lacks a member.
        public static let serviceAccount = Code(.serviceAccount)
        /// The service account's `private_key` is no RSA private key in PEM.
        public static let privateKey = Code(.privateKey)
        /// `base_url` is no http(s) URL.
        public static let baseURL = Code(.baseURL)
        /// The trusted CA file cannot be read as PEM certificates.
        public static let trustedCA = Code(.trustedCA)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What an operator should fix. Never holds the private key.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
