@preconcurrency import Crypto
import Foundation

/// Signs and checks the links a passenger gets (their personal page, one-click unsubscribe):
/// HMAC-SHA-256 under the relay's shared secret (kept in the database, so every instance
/// accepts every instance's links), truncated to 128 bits, base64url.
struct LinkSigner: Sendable {
    /// What a link allows: a token for one purpose does not open another.
    enum Purpose: String, Sendable {
        case manage
        case unsubscribe
    }

    private let key: SymmetricKey
    let publicURL: String

    init(secret: [UInt8], publicURL: String) {
        key = SymmetricKey(data: secret)
        self.publicURL = publicURL
    }

    func token(_ purpose: Purpose, subscription id: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(purpose.rawValue):\(id)".utf8), using: key)
        return Base64URL.encode(Array(mac.prefix(16)))
    }

    func isValid(_ token: String?, _ purpose: Purpose, subscription id: String) -> Bool {
        guard let token, let given = Base64URL.decode(token), given.count == 16 else { return false }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: Array("\(purpose.rawValue):\(id)".utf8), using: key).prefix(16))
        // Constant time: no early exit on the first differing byte.
        return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    func manageURL(_ id: String) -> String { "\(publicURL)/manage/\(id)?token=\(token(.manage, subscription: id))" }
    func unsubscribeURL(_ id: String) -> String {
        "\(publicURL)/unsubscribe/\(id)?token=\(token(.unsubscribe, subscription: id))"
    }
}

/// base64url without padding (RFC 4648 §5), as tokens and Web Push keys use it.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { Array($0) }
    }
}
