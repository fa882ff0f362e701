extension FCMChannel {
    /// How the FCM channel reaches Google: the relay's `[fcm]` table, with the service account file read.
    public struct Settings: Sendable {
        /// The service account key file's JSON text (`service_account_file`): `client_email`,
        /// `private_key`, `project_id`, `token_uri` (honoured; Google's when absent).
        public var serviceAccountJSON: String
        /// `base_url`, default `https://fcm.googleapis.com`; `messages:send` is
        /// `{base_url}/v1/projects/{project_id}/messages:send`.
        public var baseURL: String
        /// `ca_file`: a PEM file of CA certificates trusted besides the system's (tests use a local CA).
        public var trustedCAFile: String?
        /// Connections kept open to each host (FCM, the token endpoint), default 8.
        public var maxConcurrent: Int
        /// Limit of one request, connection to last byte, default 30 s.
        public var timeout: Duration

        public init(
            serviceAccountJSON: String, baseURL: String = "https://fcm.googleapis.com", trustedCAFile: String? = nil,
            maxConcurrent: Int = 8, timeout: Duration = .seconds(30)
        ) {
            self.serviceAccountJSON = serviceAccountJSON
            self.baseURL = baseURL
            self.trustedCAFile = trustedCAFile
            self.maxConcurrent = maxConcurrent
            self.timeout = timeout
        }
    }
}

extension FCMChannel.Settings: CustomStringConvertible {
    /// The settings without the service account's private key, for logs.
    public var description: String {
        let account = (try? ServiceAccount(json: serviceAccountJSON)).map { "\($0)" } ?? "unreadable service account"
        return "FCM \(baseURL) as \(account), ca_file \(trustedCAFile ?? "-"), \(maxConcurrent) connections, timeout \(timeout)"
    }
}
