/// Who a notification is rendered for: their language and zone, and their links.
public struct RenderContext: Sendable, Hashable {
    /// BCP 47 locale; unknown languages read English.
    public var locale: String
    /// IANA zone for the times shown; nil: UTC (times say so).
    public var timeZone: String?
    /// The subscription's personal page (`manage_url`): the link of the message.
    public var manageURL: String?
    /// The signed one-click unsubscribe URL.
    public var unsubscribeURL: String?

    public init(locale: String = "en", timeZone: String? = nil, manageURL: String? = nil, unsubscribeURL: String? = nil)
    {
        self.locale = locale
        self.timeZone = timeZone
        self.manageURL = manageURL
        self.unsubscribeURL = unsubscribeURL
    }
}
