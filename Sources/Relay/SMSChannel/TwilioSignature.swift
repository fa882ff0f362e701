import Crypto
import Foundation

/// Twilio's `X-Twilio-Signature` on the requests it makes to us (status callbacks): base64 of
/// HMAC-SHA1, keyed with the account's auth token, over the full URL Twilio called followed by
/// each POST parameter's name and value, sorted by name. Pure: the relay's callback endpoint
/// hands it the URL it published (`{public_url}/v1/callbacks/twilio`) and the decoded form.
public struct TwilioSignature: Sendable {
    // The token's bytes, not a `SymmetricKey`: swift-crypto's key type is not `Sendable`.
    private let authToken: [UInt8]

    /// Signs and checks with the auth token of the account the callbacks are for.
    public init(authToken: String) {
        self.authToken = Array(authToken.utf8)
    }

    /// The signature Twilio sends for a POST of `parameters` to `url` (the URL exactly as given
    /// to Twilio, query included).
    public func compute(url: String, parameters: [(name: String, value: String)]) -> String {
        // Byte order of UTF-8 is code point order, as Twilio's own libraries sort; equal names by value.
        let sorted = parameters.sorted {
            $0.name == $1.name
                ? $0.value.utf8.lexicographicallyPrecedes($1.value.utf8)
                : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var data = Array(url.utf8)
        for parameter in sorted {
            data += parameter.name.utf8
            data += parameter.value.utf8
        }
        return Data(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: SymmetricKey(data: authToken))).base64EncodedString()
    }

    /// Whether `signature` (the `X-Twilio-Signature` header) is Twilio's for this request; compares
    /// in constant time, so a forger learns nothing from how long the answer took.
    public func isValid(_ signature: String, url: String, parameters: [(name: String, value: String)]) -> Bool {
        let expected = Array(compute(url: url, parameters: parameters).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }
}
