extension SMSChannel {
    /// How the SMS channel reaches a Twilio-compatible REST API: the relay's `[sms]` table, with the
    /// auth token file read.
    public struct Settings: Sendable {
        /// `base_url`, default `https://api.twilio.com`; messages go to
        /// `{base_url}/2010-04-01/Accounts/{account_sid}/Messages.json`.
        public var baseURL: String
        /// `account_sid` (`AC…`), also the Basic auth user.
        public var accountSID: String
        /// The auth token (`auth_token_file`'s content): the Basic auth password and the key of
        /// ``TwilioSignature``.
        public var authToken: String
        /// `from`: the sender number (E.164) or alphanumeric sender id.
        public var from: String
        /// Where Twilio posts the message's status (`{public_url}/v1/callbacks/twilio`); nil asks for none.
        public var statusCallbackURL: String?
        /// `ca_file`: a PEM file of CA certificates trusted besides the system's (tests use a local CA).
        public var trustedCAFile: String?
        /// Connections kept open to the API, default 8.
        public var maxConcurrent: Int
        /// Limit of one request, connection to last byte, default 30 s.
        public var timeout: Duration

        public init(
            baseURL: String = "https://api.twilio.com", accountSID: String, authToken: String, from: String,
            statusCallbackURL: String? = nil, trustedCAFile: String? = nil, maxConcurrent: Int = 8,
            timeout: Duration = .seconds(30)
        ) {
            self.baseURL = baseURL
            self.accountSID = accountSID
            self.authToken = authToken
            self.from = from
            self.statusCallbackURL = statusCallbackURL
            self.trustedCAFile = trustedCAFile
            self.maxConcurrent = maxConcurrent
            self.timeout = timeout
        }
    }
}

extension SMSChannel.Settings: CustomStringConvertible {
    /// The settings without the auth token, for logs.
    public var description: String {
        "SMS \(baseURL) account \(accountSID) from \(from), status callback \(statusCallbackURL ?? "-"), "
            + "ca_file \(trustedCAFile ?? "-"), \(maxConcurrent) connections, timeout \(timeout)"
    }
}
