/// A JSON value that does not fit its field (``FlightField/value(from:)``).
public struct FieldProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field whose value does not fit.
    public var field: FlightField
    /// What is wrong, for an operator: "expected a string, found a number".
    public var message: String

    /// A problem with `field`, described by `message`.
    public init(field: FlightField, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field.name): \(message)" }
}
