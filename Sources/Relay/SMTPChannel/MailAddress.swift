import Foundation

/// An e-mail address with an optional display name, as in `FlightEdge <alerts@example.org>`.
///
/// Only ASCII addresses with a dot-atom local part are taken (what the relay's subscribers and
/// operators give): international addresses would need SMTPUTF8, which this client does not speak.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The name a mail program shows (`FlightEdge`), any Unicode; nil for a bare address.
    public var displayName: String?
    /// `local@domain`.
    public let address: String

    /// Why a text is not an address this client can send from or to.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, naming the text.
        public var message: String
        public var description: String { message }
    }

    /// An address from its parts; throws when `address` is not `local@domain` in ASCII.
    public init(_ address: String, displayName: String? = nil) throws(Invalid) {
        guard Self.isValid(address) else {
            throw Invalid(message: "'\(address)' is not an e-mail address (local@domain, ASCII, no spaces)")
        }
        self.address = address
        let name = displayName?.trimmingCharacters(in: .whitespaces)
        self.displayName = name?.isEmpty == false ? name : nil
    }

    /// Parses `Display Name <local@domain>`, `"Quoted, Name" <local@domain>` or a bare `local@domain`
    /// (the `[smtp] from` key).
    public init(parsing text: String) throws(Invalid) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            try self.init(trimmed)
            return
        }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        try self.init(address, displayName: name)
    }

    /// The part after the `@` (the `Message-ID`'s right-hand side).
    public var domain: Substring { address[address.index(after: address.lastIndex(of: "@")!)...] }

    public var description: String { displayName.map { "\($0) <\(address)>" } ?? address }

    /// `local@domain` with a dot-atom local part (RFC 5322 §3.4.1) and a host name or an address literal.
    static func isValid(_ address: String) -> Bool {
        guard address.utf8.count <= 254, let at = address.lastIndex(of: "@") else { return false }
        let local = address.utf8[..<at]
        let domain = address.utf8[address.utf8.index(after: at)...]
        guard (1...64).contains(local.count), !domain.isEmpty else { return false }
        let dotAtom = local.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard dotAtom.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isAtext) }) else { return false }
        if domain.first == UInt8(ascii: "["), domain.last == UInt8(ascii: "]") {
            return domain.dropFirst().dropLast().allSatisfy { isAlphanumeric($0) || ".:".utf8.contains($0) }
        }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// RFC 5322 `atext`: what an unquoted local part may hold between its dots.
    static func isAtext(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
    }
}
