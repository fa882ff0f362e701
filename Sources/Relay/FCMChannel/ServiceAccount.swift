import JSON

/// A Google service account as the JSON key file of the Google Cloud console holds it: who signs
/// the OAuth assertion, with which key, where the token comes from, which Firebase project it sends for.
public struct ServiceAccount: Sendable, CustomStringConvertible {
    /// `client_email`: the assertion's issuer.
    public var clientEmail: String
    /// `private_key`: the RSA private key in PEM (PKCS#8 or PKCS#1).
    public var privateKeyPEM: String
    /// `private_key_id`: the assertion's `kid`, when the file has one.
    public var privateKeyID: String?
    /// `token_uri`: Google's OAuth 2.0 token endpoint (honoured, so a stand-in can take its place).
    public var tokenURI: String
    /// `project_id`: the Firebase project, part of the `messages:send` path.
    public var projectID: String

    /// Google's token endpoint, for a key file without `token_uri`.
    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Reads the key file's text. Throws ``FCMSetupError`` naming the member that is missing or wrong.
    public init(json: String) throws(FCMSetupError) {
        let object: JSONObject
        do {
            guard case .object(let parsed) = try JSONParser.parse(Array(json.utf8)) else {
                throw FCMSetupError(.serviceAccount, "the service account file is no JSON object")
            }
            object = parsed
        } catch let error as FCMSetupError {
            throw error
        } catch {
            throw FCMSetupError(.serviceAccount, "the service account file is no JSON: \(error)")
        }
        func member(_ name: String) throws(FCMSetupError) -> String {
            guard let value = object[name]?.stringValue, !value.isEmpty else {
                throw FCMSetupError(.serviceAccount, "the service account file has no \"\(name)\" (download a new JSON key)")
            }
            return value
        }
        if let type = object["type"]?.stringValue, type != "service_account" {
            throw FCMSetupError(.serviceAccount, "the service account file is of type \"\(type)\", not \"service_account\"")
        }
        clientEmail = try member("client_email")
        privateKeyPEM = try member("private_key")
        projectID = try member("project_id")
        privateKeyID = object["private_key_id"]?.stringValue
        tokenURI = object["token_uri"]?.stringValue ?? Self.defaultTokenURI
        guard tokenURI.hasPrefix("https://") || tokenURI.hasPrefix("http://") else {
            throw FCMSetupError(.serviceAccount, "the service account's token_uri \"\(tokenURI)\" is no http(s) URL")
        }
    }

    /// Names the account, never its key.
    public var description: String { "\(clientEmail) (project \(projectID))" }
}
