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
///
/// An attempt whose outcome was lost (``AcceptanceLookup``) is looked up in the Messages list
/// first: same `To`, `From` and body, made while the lost lease lasted.
public final class SMSChannel: AcceptanceLookup {
    /// Always ``ChannelKind/sms``.
    public let kind = ChannelKind.sms
    /// Twilio's limit of one message's body, in characters.
    public static let maximumBodyLength = 1600

    private let settings: Settings
    private let client: HTTPClient
    private let messagesURL: String
    /// Scheme and host of the API, for the list's `next_page_uri` paths.
    private let origin: String

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
        let afterScheme = base.firstIndex(of: ":").map { base.index($0, offsetBy: 3) } ?? base.startIndex
        self.origin = String(base[..<(base[afterScheme...].firstIndex(of: "/") ?? base.endIndex)])
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
        var request = apiRequest(messagesURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
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

    /// Pages through the messages to `contact` from the channel's sender, newest first, down to
    /// `since`: the sids of those made by `until` whose body is the one ``send(_:to:)`` would send
    /// now, oldest first.
    public func acceptedCopies(of message: OutgoingMessage, to contact: ContactPoint, since: Double, until: Double)
        async throws(ChannelFailure) -> [String]
    {
        guard case .sms(let number) = contact else { return [] }
        let body = Self.body(message.text)
        var url = messagesURL + "?" + FormURLEncoding.encode([("To", number), ("From", settings.from), ("PageSize", "100")])
        var found: [String] = []
        for _ in 0..<Self.maximumLookupPages {
            let request = apiRequest(url)
            let response: HTTPClientResponse
            let bytes: [UInt8]
            do {
                response = try await client.execute(request, timeout: TimeAmount(settings.timeout))
                bytes = try await response.bodyBytes(limit: 8 << 20)
            } catch {
                throw ChannelFailure(
                    .retry(afterSeconds: nil), "cannot reach the SMS API at \(settings.baseURL) to look up a lost attempt: \(error)")
            }
            guard (200..<300).contains(response.status.code) else {
                // Its errors read as a send's would (credentials, overload); a refusal of the list
                // itself is no answer either way: try again later, never send blind.
                let failure = TwilioReply.outcome(
                    httpStatus: Int(response.status.code), retryAfter: response.retryAfterSeconds, body: bytes)
                guard case .failure(let reason) = failure, reason.disposition == .misconfigured else {
                    throw ChannelFailure(
                        .retry(afterSeconds: response.retryAfterSeconds),
                        "Twilio did not list the messages to look up a lost attempt (HTTP \(response.status.code))")
                }
                throw reason
            }
            guard let page = TwilioMessagePage(json: bytes) else {
                throw ChannelFailure(.retry(afterSeconds: nil), "Twilio's message list is no JSON object with a messages array")
            }
            found += page.messages.filter { $0.body == body && $0.created >= since && $0.created <= until }.map(\.sid)
            guard let next = page.nextPageURI, let oldest = page.messages.last?.created, oldest >= since else {
                return found.reversed()
            }
            // A path on the same host only: the credentials go with every page.
            guard next.hasPrefix("/") else {
                throw ChannelFailure(.retry(afterSeconds: nil), "Twilio's message list points its next page elsewhere: \(next)")
            }
            url = origin + next
        }
        throw ChannelFailure(
            .retry(afterSeconds: nil),
            "more than \(Self.maximumLookupPages) pages of messages to \(number) since the lost attempt: cannot tell whether it went out")
    }

    /// A request to Twilio's API: the account's Basic auth, JSON answers.
    private func apiRequest(_ url: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.setBasicAuth(username: settings.accountSID, password: settings.authToken)
        request.headers.add(name: "Accept", value: "application/json")
        return request
    }

    /// How far back a lookup pages (of 100 messages) before it gives up.
    static let maximumLookupPages = 20

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
