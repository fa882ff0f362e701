/// One way out to passengers: e-mail, SMS, app push, browser push. Each implementation speaks its
/// provider's real protocol; the relay's dispatcher owns retries, backoff, concurrency limits and
/// the delivery's state, so a channel sends exactly one attempt per call and says how it ended.
public protocol NotificationChannel: Sendable {
    /// The channel this sends on.
    var kind: ChannelKind { get }

    /// Sends one message to one contact point, once. Returns when the provider accepted it
    /// (SMTP `250` after the data, HTTP 2xx); throws a ``ChannelFailure`` that says whether to retry.
    func send(_ message: OutgoingMessage, to contact: ContactPoint) async throws(ChannelFailure) -> ProviderAcceptance

    /// Closes connections and pools; no `send` runs after it.
    func shutdown() async
}

/// A channel whose provider lists the messages it took (Twilio's Messages list), so that an
/// attempt whose outcome was lost can be looked up instead of sent again.
///
/// The window it closes: an instance dies after the provider accepted a message and before the
/// commit that records it. Another instance takes the delivery over when the lease runs out;
/// for a channel like this it asks the provider first. E-mail, FCM and Web Push have no such
/// list (nor an idempotency key): there the message goes again, with the same `Message-ID`,
/// collapse key and tag (docs/RELAY-DESIGN.md, "Dispatch").
public protocol AcceptanceLookup: NotificationChannel {
    /// The provider's ids of messages it accepted with exactly `message`'s content for
    /// `contact`, made between `since` and `until` (seconds since 1970: the lost lease), oldest
    /// first. Throws when the provider cannot be asked: then nobody knows, and the caller must not send.
    func acceptedCopies(of message: OutgoingMessage, to contact: ContactPoint, since: Double, until: Double)
        async throws(ChannelFailure) -> [String]
}

/// What the provider said when it took a message.
public struct ProviderAcceptance: Sendable, Hashable {
    /// The provider's id for the message (Twilio `sid`, FCM `name`, Web Push `Location`, the SMTP
    /// server's queue id from its `250` reply), kept with the delivery; nil when it gave none.
    public var providerID: String?

    public init(providerID: String?) {
        self.providerID = providerID
    }
}

/// Why one attempt failed, and what the dispatcher should do about it.
public struct ChannelFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What follows from the failure.
    public enum Disposition: Sendable, Hashable {
        /// Transient (connection lost, 429, 5xx, SMTP 4xx): try again, not before `after` seconds
        /// when the provider said so (`Retry-After`), else on the dispatcher's backoff.
        case retry(afterSeconds: Double?)
        /// The message itself is refused (malformed, too big, SMTP 5xx on the data): trying again
        /// gives the same answer.
        case final
        /// The contact point is gone for good (FCM UNREGISTERED, Web Push 404/410, Twilio 21610
        /// STOP, 21614 not a mobile number, SMTP 550 no such mailbox): disable it, send nothing more to it.
        case contactGone
        /// The channel's own credentials or setup are wrong (401/403 from the provider, SMTP AUTH
        /// refused): nothing will go out until an operator fixes the configuration; retry slowly.
        case misconfigured
    }

    public var disposition: Disposition
    /// What an operator reads in the log and the delivery's `last_error`.
    public var message: String
    /// The provider's own code (`21610`, `UNREGISTERED`, `550`, `HTTP 429`), when it gave one.
    public var providerCode: String?

    public init(_ disposition: Disposition, _ message: String, providerCode: String? = nil) {
        self.disposition = disposition
        self.message = message
        self.providerCode = providerCode
    }

    public var description: String {
        providerCode.map { "\(message) (\($0))" } ?? message
    }
}
