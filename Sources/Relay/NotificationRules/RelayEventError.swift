/// Why an event message could not be read: which member is missing or wrong, in words an
/// operator can act on (the relay logs it with the event and drops the message).
public struct RelayEventError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String {
            case notJSON = "not JSON"
            case missingField = "missing field"
            case badField = "bad field"
        }
        fileprivate let base: Base
        /// The bytes are not JSON.
        public static let notJSON = Code(base: .notJSON)
        /// A required member is absent.
        public static let missingField = Code(base: .missingField)
        /// A member has the wrong type or an impossible value.
        public static let badField = Code(base: .badField)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The member's path (`flight.direction`, `seq`); nil when the whole document is wrong.
    public var field: String?
    /// What is wrong.
    public var message: String
    public var description: String { message }

    public init(_ code: Code, field: String?, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }
}
