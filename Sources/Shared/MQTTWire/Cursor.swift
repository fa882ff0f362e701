/// A property's value as read: numbers widened to `UInt32`, strings checked as UTF-8.
enum PropertyValue {
    case integer(UInt32)
    case text(String)
    case binary([UInt8])
    case pair(String, String)

    var integer: UInt32 { if case .integer(let value) = self { value } else { 0 } }
    var string: String? { if case .text(let value) = self { value } else { nil } }
}

/// Reads one packet's body, each read bounded by the packet's end; every error names the
/// packet and the field.
struct Cursor {
    private let bytes: UnsafeRawBufferPointer
    private var position: Int
    private let end: Int
    let packet: String

    init(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, packet: String) {
        self.bytes = bytes
        self.position = start
        self.end = end
        self.packet = packet
    }

    var remaining: Int { end - position }

    private func short(_ field: String, needs count: Int) -> MQTTWireError {
        MQTTWireError(.malformed, "\(packet) ends inside its \(field) (\(remaining) bytes left, \(count) needed)")
    }

    mutating func byte(_ field: String) throws(MQTTWireError) -> UInt8 {
        guard remaining >= 1 else { throw short(field, needs: 1) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func twoByte(_ field: String) throws(MQTTWireError) -> UInt16 {
        guard remaining >= 2 else { throw short(field, needs: 2) }
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func fourByte(_ field: String) throws(MQTTWireError) -> UInt32 {
        guard remaining >= 4 else { throw short(field, needs: 4) }
        defer { position += 4 }
        return UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16 | UInt32(bytes[position + 2]) << 8
            | UInt32(bytes[position + 3])
    }

    /// A packet identifier, which is never 0.
    mutating func packetID() throws(MQTTWireError) -> UInt16 {
        let id = try twoByte("packet identifier")
        guard id != 0 else { throw MQTTWireError(.malformed, "\(packet) packet identifier 0") }
        return id
    }

    mutating func variableByteInteger(_ field: String) throws(MQTTWireError) -> Int {
        switch VariableByteInteger.read(bytes, from: position, to: end) {
        case .value(let value, let next):
            position = next
            return value
        case .incomplete:
            position = end
            throw short(field, needs: 1)
        case .tooLong:
            throw MQTTWireError(.malformed, "\(packet) \(field) runs past four bytes")
        }
    }

    mutating func binary(_ field: String) throws(MQTTWireError) -> [UInt8] {
        let count = Int(try twoByte("\(field) length"))
        guard remaining >= count else { throw short(field, needs: count) }
        defer { position += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]))
    }

    /// A UTF-8 string; invalid UTF-8 or U+0000 is malformed (MQTT 5.0 §1.5.4).
    mutating func string(_ field: String) throws(MQTTWireError) -> String {
        let count = Int(try twoByte("\(field) length"))
        guard remaining >= count else { throw short(field, needs: count) }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
        position += count
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw MQTTWireError(.malformed, "\(packet) \(field) is not valid UTF-8")
        }
        guard !slice.contains(0) else { throw MQTTWireError(.malformed, "\(packet) \(field) contains U+0000") }
        return text
    }

    /// The rest of the packet (a PUBLISH's payload, a SUBACK's codes).
    mutating func rest() -> [UInt8] {
        defer { position = end }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[position..<end]))
    }

    mutating func expectEnd(_ context: String) throws(MQTTWireError) {
        guard remaining == 0 else {
            throw MQTTWireError(.malformed, "\(packet) has \(remaining) bytes too many (\(context))")
        }
    }

    /// An MQTT 5 property list, each property handed to `handle`; unknown identifiers are
    /// malformed.
    mutating func properties(
        _ handle: (MQTTProperty, PropertyValue) throws(MQTTWireError) -> Void
    ) throws(MQTTWireError) {
        let length = try variableByteInteger("property length")
        guard remaining >= length else { throw short("properties", needs: length) }
        let listEnd = position + length
        while position < listEnd {
            let identifier = try variableByteInteger("property identifier")
            guard identifier < 128, let property = MQTTProperty(rawValue: UInt8(identifier)) else {
                throw MQTTWireError(.malformed, "\(packet) has unknown property 0x\(String(identifier, radix: 16))")
            }
            let field = "property 0x\(hex(property.rawValue))"
            let value: PropertyValue
            switch property.form {
            case .byte: value = .integer(UInt32(try byte(field)))
            case .twoByte: value = .integer(UInt32(try twoByte(field)))
            case .fourByte: value = .integer(try fourByte(field))
            case .variableByteInteger: value = .integer(UInt32(try variableByteInteger(field)))
            case .string: value = .text(try string(field))
            case .binary: value = .binary(try binary(field))
            case .stringPair: value = .pair(try string("\(field) name"), try string("\(field) value"))
            }
            guard position <= listEnd else {
                throw MQTTWireError(.malformed, "\(packet) \(field) runs past the property length \(length)")
            }
            try handle(property, value)
        }
    }
}
