import Channels
import Foundation
import WebPushChannel
import HTTPTypes
import JSON

/// `POST /v1/subscriptions`'s body (RELAY.md), checked field by field: nothing reaches the
/// database unvalidated, and the first problem found names its field.
struct SubscriptionRequest: Sendable, Equatable {
    var airline: String
    var number: String
    var flightDate: String
    var kinds: [String]
    var locale: String
    var timeZone: String?
    var quietFrom: Int?
    var quietTo: Int?
    var contacts: [ContactPoint]

    /// What a subscription gets when it names no kinds.
    static let defaultKinds = ["gate-change", "delay", "cancellation", "diversion", "reinstatement"]
    static let knownKinds: Set<String> = [
        "gate-change", "delay", "cancellation", "reinstatement", "diversion", "boarding", "gate-closed", "departure",
        "arrival", "belt-change", "terminal-change",
    ]
    static let locales: Set<String> = ["en", "de"]

    /// Reads and checks a body; `enabled` are the channels this relay has configured.
    init(json bytes: [UInt8], enabled: Set<ChannelKind>) throws(APIProblem) {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch {
            throw APIProblem(.badRequest, "body is not JSON: \(error)")
        }
        guard case .object(let body) = root else { throw APIProblem(.badRequest, "body must be a JSON object") }
        for member in body.members
        where !["flight", "kinds", "locale", "time_zone", "quiet_hours", "contacts"].contains(member.key) {
            throw APIProblem.invalid(member.key, "unknown member \"\(member.key)\"")
        }
        guard case .object(let flight)? = body["flight"] else {
            throw APIProblem.invalid("flight", "required: {\"airline\", \"number\", \"date\"}")
        }
        airline = try Self.string(flight["airline"], "flight.airline")
        guard (2...3).contains(airline.count), airline.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw APIProblem.invalid("flight.airline", "expected an IATA or ICAO airline code such as \"LX\"")
        }
        number = try Self.string(flight["number"], "flight.number")
        guard (1...5).contains(number.count), number.first?.isNumber == true,
            number.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) })
        else {
            throw APIProblem.invalid("flight.number", "expected a flight number such as \"1234\"")
        }
        flightDate = try Self.string(flight["date"], "flight.date")
        guard Self.isDate(flightDate) else {
            throw APIProblem.invalid("flight.date", "expected the flight's date as YYYY-MM-DD")
        }

        if let value = body["kinds"] {
            guard case .array(let items) = value, !items.isEmpty else {
                throw APIProblem.invalid("kinds", "expected a non-empty array of event kinds")
            }
            var kinds: [String] = []
            for item in items {
                guard let kind = item.stringValue, Self.knownKinds.contains(kind) else {
                    throw APIProblem.invalid(
                        "kinds", "unknown kind \(item.stringValue.map { "\"\($0)\"" } ?? item.kindName) (expected: \(Self.knownKinds.sorted().joined(separator: ", ")))")
                }
                if !kinds.contains(kind) { kinds.append(kind) }
            }
            self.kinds = kinds
        } else {
            kinds = Self.defaultKinds
        }

        locale = try Self.optionalString(body["locale"], "locale") ?? "en"
        guard Self.locales.contains(locale) else {
            throw APIProblem.invalid("locale", "unsupported locale \"\(locale)\" (supported: en, de)")
        }
        timeZone = try Self.optionalString(body["time_zone"], "time_zone")
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw APIProblem.invalid("time_zone", "unknown time zone \"\(timeZone)\" (expected an IANA name such as \"Europe/Zurich\")")
        }
        if let quiet = body["quiet_hours"], !quiet.isNull {
            guard case .object(let hours) = quiet else {
                throw APIProblem.invalid("quiet_hours", "expected {\"from\": \"22:00\", \"to\": \"07:00\"}")
            }
            quietFrom = try Self.minutes(hours["from"], "quiet_hours.from")
            quietTo = try Self.minutes(hours["to"], "quiet_hours.to")
            guard timeZone != nil else {
                throw APIProblem.invalid("time_zone", "quiet hours need the subscriber's time zone")
            }
        }

        guard case .array(let items)? = body["contacts"], !items.isEmpty else {
            throw APIProblem.invalid("contacts", "required: at least one contact point")
        }
        guard items.count <= 8 else { throw APIProblem.invalid("contacts", "at most 8 contact points") }
        var contacts: [ContactPoint] = []
        for (index, item) in items.enumerated() {
            let contact = try Self.contact(item, field: "contacts[\(index)]", enabled: enabled)
            guard !contacts.contains(where: { $0.channel == contact.channel }) else {
                throw APIProblem.invalid("contacts[\(index)].channel", "one contact point per channel")
            }
            contacts.append(contact)
        }
        self.contacts = contacts
    }

    /// One contact point of `contacts` (also what the personal page's browser button posts).
    static func contact(_ value: JSONValue, field: String, enabled: Set<ChannelKind>) throws(APIProblem) -> ContactPoint {
        guard case .object(let object) = value else { throw APIProblem.invalid(field, "expected an object") }
        let name = try string(object["channel"], "\(field).channel")
        guard let channel = ChannelKind(rawValue: name) else {
            throw APIProblem.invalid("\(field).channel", "unknown channel \"\(name)\" (expected email, sms, fcm or webpush)")
        }
        guard enabled.contains(channel) else {
            throw APIProblem.invalid("\(field).channel", "channel \(name) is not enabled on this relay")
        }
        switch channel {
        case .email:
            let address = try string(object["address"], "\(field).address")
            guard isEmail(address) else { throw APIProblem.invalid("\(field).address", "not an e-mail address") }
            return .email(address: address)
        case .sms:
            let number = try string(object["number"], "\(field).number")
            guard isE164(number) else {
                throw APIProblem.invalid("\(field).number", "expected an E.164 phone number such as \"+41790000000\"")
            }
            return .sms(number: number)
        case .fcm:
            let token = try string(object["token"], "\(field).token")
            guard (1...4096).contains(token.utf8.count), token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw APIProblem.invalid("\(field).token", "not an FCM registration token")
            }
            return .fcm(token: token)
        case .webpush:
            guard case .object(let subscription)? = object["subscription"] else {
                throw APIProblem.invalid("\(field).subscription", "required: {\"endpoint\", \"keys\": {\"p256dh\", \"auth\"}}")
            }
            let endpoint = try string(subscription["endpoint"], "\(field).subscription.endpoint")
            guard endpoint.hasPrefix("https://"), endpoint.utf8.count <= 2048, URL(string: endpoint)?.host != nil else {
                throw APIProblem.invalid("\(field).subscription.endpoint", "expected the push service's https URL")
            }
            guard case .object(let keys)? = subscription["keys"] else {
                throw APIProblem.invalid("\(field).subscription.keys", "required: {\"p256dh\", \"auth\"}")
            }
            let p256dh = try string(keys["p256dh"], "\(field).subscription.keys.p256dh")
            guard let point = Base64URL.decode(p256dh), point.count == 65, point.first == 4 else {
                throw APIProblem.invalid(
                    "\(field).subscription.keys.p256dh", "expected a P-256 public key (65 bytes, base64url)")
            }
            let auth = try string(keys["auth"], "\(field).subscription.keys.auth")
            guard Base64URL.decode(auth)?.count == 16 else {
                throw APIProblem.invalid("\(field).subscription.keys.auth", "expected a 16-byte secret, base64url")
            }
            return .webpush(WebPushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth))
        }
    }

    private static func string(_ value: JSONValue?, _ field: String) throws(APIProblem) -> String {
        guard let value else { throw APIProblem.invalid(field, "required") }
        guard let text = value.stringValue else { throw APIProblem.invalid(field, "expected a string, found \(value.kindName)") }
        guard !text.isEmpty, text.utf8.count <= 4096 else { throw APIProblem.invalid(field, "empty or too long") }
        return text
    }

    private static func optionalString(_ value: JSONValue?, _ field: String) throws(APIProblem) -> String? {
        guard let value, !value.isNull else { return nil }
        return try string(value, field)
    }

    private static func minutes(_ value: JSONValue?, _ field: String) throws(APIProblem) -> Int {
        let text = try string(value, field)
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
            (0...23).contains(hours), (0...59).contains(minutes)
        else { throw APIProblem.invalid(field, "expected a time of day as HH:mm") }
        return hours * 60 + minutes
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (2000...2100).contains(year), (1...12).contains(month), day >= 1
        else { return false }
        var components = DateComponents()
        components.year = year
        components.month = month
        let calendar = Calendar(identifier: .gregorian)
        guard let date = calendar.date(from: components), let days = calendar.range(of: .day, in: .month, for: date) else {
            return false
        }
        return days.contains(day)
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard text.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return false }
        return text.allSatisfy { !$0.isWhitespace && $0 != "<" && $0 != ">" && $0 != "\"" && $0 != "," && $0.asciiValue != nil }
    }

    static func isE164(_ text: String) -> Bool {
        text.hasPrefix("+") && (8...16).contains(text.count) && text.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
            && !text.dropFirst().hasPrefix("0")
    }
}
