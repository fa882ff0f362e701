import FlightModel
import JSON

/// Reads members of one JSON object, naming the member's path in every error.
struct JSONReader {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue, path: String) throws(RelayEventError) {
        guard case .object(let object) = value else {
            throw RelayEventError(
                .badField, field: path.isEmpty ? nil : path,
                "\(path.isEmpty ? "the document" : path) is \(value.kindName), expected an object")
        }
        self.object = object
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func required(_ key: String) throws(RelayEventError) -> JSONValue {
        guard let value = object[key], !value.isNull else {
            throw RelayEventError(.missingField, field: name(key), "\(name(key)) is missing")
        }
        return value
    }

    func wrongType(_ key: String, _ value: JSONValue, _ expected: String) -> RelayEventError {
        RelayEventError(.badField, field: name(key), "\(name(key)) is \(value.kindName), expected \(expected)")
    }

    func string(_ key: String) throws(RelayEventError) -> String {
        let value = try required(key)
        guard let text = value.stringValue else { throw wrongType(key, value, "a string") }
        return text
    }

    func optionalString(_ key: String) throws(RelayEventError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw wrongType(key, value, "a string") }
        return text
    }

    func integer(_ key: String) throws(RelayEventError) -> Int64 {
        let value = try required(key)
        guard let number = value.integerValue else { throw wrongType(key, value, "an integer") }
        return number
    }

    func optionalInteger(_ key: String) throws(RelayEventError) -> Int64? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.integerValue else { throw wrongType(key, value, "an integer") }
        return number
    }

    func bool(_ key: String) throws(RelayEventError) -> Bool {
        let value = try required(key)
        guard case .bool(let flag) = value else { throw wrongType(key, value, "true or false") }
        return flag
    }

    func time(_ key: String) throws(RelayEventError) -> Timestamp {
        let text = try string(key)
        guard let time = Timestamp(iso8601: text) else {
            throw RelayEventError(.badField, field: name(key), "\(name(key)) is \(text), expected an ISO 8601 time")
        }
        return time
    }

    func optionalTime(_ key: String) throws(RelayEventError) -> Timestamp? {
        guard let text = try optionalString(key) else { return nil }
        guard let time = Timestamp(iso8601: text) else {
            throw RelayEventError(.badField, field: name(key), "\(name(key)) is \(text), expected an ISO 8601 time")
        }
        return time
    }

    func object(_ key: String) throws(RelayEventError) -> JSONReader {
        try JSONReader(try required(key), path: name(key))
    }

    func optionalObject(_ key: String) throws(RelayEventError) -> JSONReader? {
        guard let value = object[key], !value.isNull else { return nil }
        return try JSONReader(value, path: name(key))
    }

    func array(_ key: String) throws(RelayEventError) -> [JSONValue] {
        let value = try required(key)
        guard case .array(let items) = value else { throw wrongType(key, value, "an array") }
        return items
    }

    /// The members as a dictionary (the first of repeated keys wins, as `JSONObject`'s subscript).
    var members: [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for member in object.members where result[member.key] == nil { result[member.key] = member.value }
        return result
    }
}
