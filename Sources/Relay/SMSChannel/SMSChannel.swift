import ProviderHTTP
import AsyncHTTPClient
import Channels
import NIOCore
import NIOHTTP1

/// SMS through a Twilio-compatible REST API: one `POST …/Messages.json` per attempt (To, From, Body,
/// StatusCallback; HTTP Basic auth with the account SID and auth token).
///
/// Outcomes: 201 → the message's `sid` as provider id; 21610 (STOP) and 21614 (no mobile) →
/// `.contactGone`; 21211 (invalid number) → `.final`; 401 / 20003 and sender errors →
/// `.misconfigured`; 429 / 5xx → `.retry` after `Retry-After`; other 4xx → `.final`; no answer → `.retry`.
public final class SMSChannel: NotificationChannel {
    /// Always ``ChannelKind/sms``.
    public let kind = ChannelKind.sms
    /// Twilio's limit of one message's body, in characters.
    public static let maximumBodyLength = 1600

    private let settings: Settings
    private let client: HTTPClient
    private let messagesURL: String

    /// Opens the HTTP client; nothing is sent yet. Throws ``SMSSetupError`` for an empty or
    /// malformed setting or an unreadable CA file.
    public init(settings: Settings) throws(SMSSetupError) {
        let base = settings.baseURL.hasSuffix("/") ? String(settings.baseURL.dropLast()) : settings.baseURL
        guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
            throw SMSSetupError(.setting, "the SMS base_url \"\(settings.baseURL)\" is no http(s) URL")
        }
        guard !settings.accountSID.isEmpty, settings.accountSID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") })
        else {
            throw SMSSetupError(
                .setting, "the SMS account_sid \"\(settings.accountSID)\" is empty or holds characters an account SID has not")
        }
        guard !settings.authToken.isEmpty else { throw SMSSetupError(.setting, "the SMS auth token (auth_token_file) is empty") }
        guard !settings.from.isEmpty else { throw SMSSetupError(.setting, "the SMS sender (from) is empty") }
        do {
            client = try HTTPClient.provider(
                trustedCAFile: settings.trustedCAFile, maxConcurrent: settings.maxConcurrent, timeout: settings.timeout)
        } catch {
            throw SMSSetupError(
                .trustedCA, "cannot read the trusted CA file \(settings.trustedCAFile ?? "-") as PEM certificates: \(error)")
        }
        self.settings = settings
        self.messagesURL = "\(base)/2010-04-01/Accounts/\(settings.accountSID)/Messages.json"
    }

    /// Sends `message.text` (cut to ``maximumBodyLength``) to an `.sms` contact point, once.
    public func send(_ message: OutgoingMessage, to contact: ContactPoint) async throws(ChannelFailure) -> ProviderAcceptance {
        guard case .sms(let number) = contact else {
            throw ChannelFailure(.final, "the SMS channel cannot send to a contact point of channel \(contact.channel.rawValue)")
        }
        var form: [(name: String, value: String)] = [
            ("To", number), ("From", settings.from), ("Body", Self.body(message.text)),
        ]
        if let callback = settings.statusCallbackURL { form.append(("StatusCallback", callback)) }
        var request = HTTPClientRequest(url: messagesURL)
        request.method = .POST
        request.setBasicAuth(username: settings.accountSID, password: settings.authToken)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(Array(FormURLEncoding.encode(form).utf8))

        let response: HTTPClientResponse
        let body: [UInt8]
        do {
            response = try await client.execute(request, timeout: TimeAmount(settings.timeout))
            body = try await response.bodyBytes()
        } catch {
            throw ChannelFailure(.retry(afterSeconds: nil), "cannot reach the SMS API at \(settings.baseURL): \(error)")
        }
        return try TwilioReply.outcome(
            httpStatus: Int(response.status.code), retryAfter: response.retryAfterSeconds, body: body
        ).get()
    }

    /// Closes the HTTP client's connections; no `send` may run after it.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// `text` when it fits Twilio's limit, else its start and "…" (counted in UTF-16 units, as
    /// the strictest reading of Twilio's "characters").
    static func body(_ text: String) -> String {
        guard text.utf16.count > maximumBodyLength else { return text }
        var cut = Substring(text)
        while cut.utf16.count > maximumBodyLength - 1 { cut.removeLast() }
        return cut + "…"
    }
}
