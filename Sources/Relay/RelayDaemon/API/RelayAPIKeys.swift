import Crypto
import Foundation
import WebPushChannel
import HTTPTypes
import RelayStore

/// Airline apps' and websites' API keys: `fer_` + 32 random bytes base64url, shown once, stored
/// as their SHA-256 only (a stolen database does not give working keys).
public enum RelayAPIKeys {
    /// A new key.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return "fer_" + Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// What the store keeps of a key.
    public static func hash(_ key: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(key.utf8)))
    }

    /// The key id behind `Authorization: Bearer …`, or a 401 problem.
    static func authenticate(_ authorization: String?, store: RelayStore) async throws -> Int64 {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
            throw APIProblem(.unauthorized, "missing API key (Authorization: Bearer <key>)")
        }
        let key = authorization.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard key.hasPrefix("fer_"), key.count < 100, let id = try await store.apiKeyID(hash: hash(key)) else {
            throw APIProblem(.unauthorized, "unknown or revoked API key")
        }
        return id
    }
}
