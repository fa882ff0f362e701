import Crypto

/// RFC 8291 message encryption for Web Push: a one-off P-256 key pair of the sender agrees a secret
/// with the browser's `p256dh` key, HKDF-SHA-256 mixes in the browser's `auth` secret, and the
/// plaintext goes out as a single RFC 8188 `aes128gcm` record whose header carries the salt and
/// the sender's public key. Pure: no I/O; randomness only where the caller passes none.
public enum WebPushEncryption {
    /// The record size written in the header (RFC 8291 §4 suggests 4096).
    public static let recordSize = 4096
    /// Salt (16) + record size (4) + key id length (1) + the sender's public key (65).
    public static let headerLength = 86
    /// The most plaintext one push message carries (RFC 8291 §4): 4096 − header − tag (16) − delimiter (1).
    public static let maximumPlaintextLength = recordSize - headerLength - 16 - 1

    /// Why a message could not be encrypted for a subscription.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// What an operator reads.
        public var message: String
        /// True when the subscription's keys are at fault (not the message).
        public var subscriptionIsInvalid: Bool

        public var description: String { message }
    }

    /// Encrypts `plaintext` for the browser holding the private key of `p256dh`.
    ///
    /// - Parameters:
    ///   - p256dh: the subscription's public key, base64url (a 65-byte uncompressed P-256 point).
    ///   - auth: the subscription's 16-byte authentication secret, base64url.
    ///   - paddingLength: zero bytes added after the delimiter to hide the length (within the 4096 limit).
    ///   - ephemeralKey: the sender's key pair; a new one when nil (tests inject RFC 8291's).
    ///   - salt: 16 bytes; random when nil (tests inject RFC 8291's).
    /// - Returns: the request body: the `aes128gcm` header followed by the one record.
    public static func encrypt(
        _ plaintext: some Collection<UInt8>, p256dh: String, auth: String, paddingLength: Int = 0,
        ephemeralKey: P256.KeyAgreement.PrivateKey? = nil, salt: [UInt8]? = nil
    ) throws(Failure) -> [UInt8] {
        guard let uaPublicBytes = Base64URL.decode(p256dh), uaPublicBytes.count == 65,
            let uaPublic = try? P256.KeyAgreement.PublicKey(x963Representation: uaPublicBytes)
        else {
            throw Failure(
                message: "the subscription's p256dh is not a base64url uncompressed P-256 point", subscriptionIsInvalid: true)
        }
        guard let authSecret = Base64URL.decode(auth), authSecret.count == 16 else {
            throw Failure(message: "the subscription's auth is not a base64url 16-byte secret", subscriptionIsInvalid: true)
        }
        guard paddingLength >= 0, plaintext.count + paddingLength <= maximumPlaintextLength else {
            throw Failure(
                message: "the push message is \(plaintext.count) bytes (+\(paddingLength) padding); "
                    + "Web Push carries at most \(maximumPlaintextLength)",
                subscriptionIsInvalid: false)
        }
        let salt = salt ?? randomBytes(16)
        guard salt.count == 16 else { throw Failure(message: "the salt must be 16 bytes", subscriptionIsInvalid: false) }

        let asKey = ephemeralKey ?? P256.KeyAgreement.PrivateKey()
        let asPublicBytes = Array(asKey.publicKey.x963Representation)
        let shared: SharedSecret
        do {
            shared = try asKey.sharedSecretFromKeyAgreement(with: uaPublic)
        } catch {
            throw Failure(message: "key agreement with the subscription's p256dh failed: \(error)", subscriptionIsInvalid: true)
        }
        let ecdhSecret = shared.withUnsafeBytes { SymmetricKey(data: $0) }

        // RFC 8291 §3.4: IKM = HKDF(auth, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32).
        let keyInfo = Array("WebPush: info\0".utf8) + uaPublicBytes + asPublicBytes
        let ikm = HKDF<SHA256>.deriveKey(inputKeyMaterial: ecdhSecret, salt: authSecret, info: keyInfo, outputByteCount: 32)
        // RFC 8188 §2.2 and §2.3: the content key and the nonce from the salt.
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let cekInfo = Array("Content-Encoding: aes128gcm\0".utf8), nonceInfo = Array("Content-Encoding: nonce\0".utf8)
        let cek = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: cekInfo, outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: nonceInfo, outputByteCount: 12)

        // The only record is the last: plaintext, delimiter 0x02, zero padding.
        var record = Array(plaintext)
        record.append(0x02)
        record.append(contentsOf: repeatElement(0, count: paddingLength))
        let sealed: AES.GCM.SealedBox
        do {
            let nonceBytes = nonce.withUnsafeBytes { Array($0) }
            sealed = try AES.GCM.seal(record, using: cek, nonce: try AES.GCM.Nonce(data: nonceBytes))
        } catch {
            throw Failure(message: "AES-GCM failed: \(error)", subscriptionIsInvalid: false)
        }

        var body: [UInt8] = []
        body.reserveCapacity(headerLength + record.count + 16)
        body.append(contentsOf: salt)
        let rs = UInt32(recordSize)
        body.append(contentsOf: [UInt8(rs >> 24), UInt8((rs >> 16) & 0xFF), UInt8((rs >> 8) & 0xFF), UInt8(rs & 0xFF)])
        body.append(UInt8(asPublicBytes.count))
        body.append(contentsOf: asPublicBytes)
        body.append(contentsOf: sealed.ciphertext)
        body.append(contentsOf: sealed.tag)
        return body
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
