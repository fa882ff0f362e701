import JSON

extension FlightField {
    /// The longest text a text field accepts, in UTF-8 bytes.
    public static let maximumTextBytes = 1024

    /// Reads this field's value from normalized JSON (DESIGN.md §3): nil for JSON `null`
    /// (cleared); throws ``FieldProblem`` when the value does not fit the field.
    ///
    /// Text at most ``maximumTextBytes`` bytes without NUL; times ISO 8601 within 2000–2099;
    /// status one of ``FlightStatus``; codeshares up to 64 non-empty strings; delays up to 16
    /// `{"code": text, "minutes": 0…10000}`.
    public func value(from json: JSONValue) throws(FieldProblem) -> FieldValue? {
        if json == .null { return nil }
        switch kind {
        case .text:
            guard case .string(let text) = json else { throw problem("expected a string, found \(json.kindName)") }
            return try checked(.text(text))
        case .time:
            guard case .string(let text) = json else { throw problem("expected a time string, found \(json.kindName)") }
            guard let time = Timestamp(iso8601: text) else {
                throw problem("\"\(text.prefix(40))\" is not an ISO 8601 time")
            }
            return try checked(.time(time))
        case .status:
            guard case .string(let text) = json else { throw problem("expected a string, found \(json.kindName)") }
            guard let status = FlightStatus(rawValue: text) else {
                throw problem("unknown status \"\(text.prefix(40))\"")
            }
            return .status(status)
        case .list:
            guard case .array(let elements) = json else { throw problem("expected an array, found \(json.kindName)") }
            guard elements.count <= 64 else { throw problem("more than 64 entries") }
            var values: [String] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let text) = element else { throw problem("entries must be strings") }
                values.append(text)
            }
            return try checked(.list(values))
        case .delays:
            guard case .array(let elements) = json else { throw problem("expected an array, found \(json.kindName)") }
            guard elements.count <= 16 else { throw problem("more than 16 delay codes") }
            var values: [DelayCode] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                guard case .object(let object) = element, case .string(let code)? = object["code"],
                    let minutes = object["minutes"]?.integerValue, (0...10_000).contains(minutes)
                else { throw problem("each delay needs a code string and minutes 0–10000") }
                values.append(DelayCode(code: code, minutes: Int(minutes)))
            }
            return try checked(.delays(values))
        }
    }

    /// ``value(from:)`` for a JSON string of plain ASCII given as its UTF-8 bytes (no escapes):
    /// a time or a status is read from the bytes without making a `String` of them.
    public func value(fromPlainText utf8: UnsafeBufferPointer<UInt8>) throws(FieldProblem) -> FieldValue? {
        if kind == .status, let status = FlightStatus(utf8: utf8) { return .status(status) }
        guard kind == .time else { return try value(from: .string(String(decoding: utf8, as: UTF8.self))) }
        guard let time = Timestamp(iso8601Bytes: utf8) else {
            throw problem("\"\(String(decoding: utf8, as: UTF8.self).prefix(40))\" is not an ISO 8601 time")
        }
        return try checked(.time(time))
    }

    private func problem(_ message: String) -> FieldProblem { FieldProblem(field: self, message) }

    /// The value, or the problem its ``FieldValue/limitProblem`` names.
    private func checked(_ value: FieldValue) throws(FieldProblem) -> FieldValue {
        if let message = value.limitProblem { throw problem(message) }
        return value
    }
}
