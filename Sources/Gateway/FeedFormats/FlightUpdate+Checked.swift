import FlightModel

extension FlightUpdate {
    /// Sets `field` once the value passes the limits every normalized update obeys
    /// (``FieldValue/limitProblem``); the error names where in the message the value was.
    mutating func set(_ field: FlightField, checked value: FieldValue, at location: String) throws(DecodeError) {
        if let problem = value.limitProblem { throw DecodeError("\(field.name): \(problem)", at: location) }
        set(field, value)
    }
}
