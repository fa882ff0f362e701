import Channels
import Foundation
import JSON

/// The public page's subscribe form (`form[data-form="subscribe"]`, posted to `/subscribe`),
/// checked by the API's own ``SubscriptionRequest``: the form is turned into the API's JSON, so
/// both take exactly the same subscriptions. A problem names the form field at fault.
///
/// Fields: `flight`, `date`, `email`, `phone` (E.164), `kinds` (checkboxes, repeated),
/// `quiet_from` and `quiet_to` (`HH:mm`, both or neither), `time_zone` (IANA), `locale`.
struct SubscribeForm: Sendable {
    var lookup: FlightQuery
    var request: SubscriptionRequest
    /// Where the confirmation goes: e-mail when given, else SMS.
    var confirmTo: ChannelKind

    init(_ fields: [(name: String, value: String)], enabled: Set<ChannelKind>) throws(FlightQuery.Problem) {
        func value(_ name: String) -> String {
            (FormBody.value(name, in: fields) ?? "").trimmingCharacters(in: .whitespaces)
        }
        lookup = try FlightQuery(flight: value("flight"), date: value("date"))
        let email = value("email")
        let phone = value("phone").filter { $0 != " " && $0 != "-" }
        guard !email.isEmpty || !phone.isEmpty else {
            throw FlightQuery.Problem(field: "email", message: "Give an e-mail address or a mobile number to be told.")
        }
        if !email.isEmpty, !SubscriptionRequest.isEmail(email) {
            throw FlightQuery.Problem(field: "email", message: "This is not an e-mail address (name@example.org).")
        }
        if !phone.isEmpty, !SubscriptionRequest.isE164(phone) {
            throw FlightQuery.Problem(field: "phone", message: "Give the number with its country code, such as +41790000000.")
        }
        if !email.isEmpty, !enabled.contains(.email) {
            throw FlightQuery.Problem(field: "email", message: "This relay does not send e-mail.")
        }
        if !phone.isEmpty, !enabled.contains(.sms) {
            throw FlightQuery.Problem(field: "phone", message: "This relay does not send text messages.")
        }
        let quietFrom = value("quiet_from")
        let quietTo = value("quiet_to")
        if quietFrom.isEmpty != quietTo.isEmpty {
            throw FlightQuery.Problem(
                field: quietFrom.isEmpty ? "quiet_from" : "quiet_to", message: "Quiet hours need a start and an end.")
        }
        let kinds = fields.filter { $0.name == "kinds" }.map(\.value)
        guard !kinds.isEmpty else {
            throw FlightQuery.Problem(field: "kinds", message: "Choose at least one thing to be told about.")
        }
        var contactFields: [String] = []
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("flight")
        writer.beginObject()
        writer.field("airline", lookup.airline)
        writer.field("number", lookup.number)
        writer.field("date", lookup.date)
        writer.endObject()
        writer.key("kinds")
        writer.beginArray()
        for kind in kinds { writer.string(kind) }
        writer.endArray()
        writer.field("locale", value("locale").isEmpty ? "en" : value("locale"))
        let zone = value("time_zone")
        if !zone.isEmpty { writer.field("time_zone", zone) }
        if !quietFrom.isEmpty {
            writer.key("quiet_hours")
            writer.beginObject()
            writer.field("from", quietFrom)
            writer.field("to", quietTo)
            writer.endObject()
        }
        writer.key("contacts")
        writer.beginArray()
        if !email.isEmpty {
            contactFields.append("email")
            writer.beginObject()
            writer.field("channel", "email")
            writer.field("address", email)
            writer.endObject()
        }
        if !phone.isEmpty {
            contactFields.append("phone")
            writer.beginObject()
            writer.field("channel", "sms")
            writer.field("number", phone)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        do {
            request = try SubscriptionRequest(json: writer.bytes, enabled: enabled)
        } catch {
            throw Self.formProblem(error, contactFields: contactFields)
        }
        confirmTo = email.isEmpty ? .sms : .email
    }

    /// The API's problem in the form's terms: its field, and words for a person.
    private static func formProblem(_ problem: APIProblem, contactFields: [String]) -> FlightQuery.Problem {
        let field = problem.field ?? ""
        switch field {
        case "flight.date": return .init(field: "date", message: "The date is not valid.")
        case _ where field.hasPrefix("flight"): return .init(field: "flight", message: "The flight number is not valid.")
        case "kinds": return .init(field: "kinds", message: "Choose among the listed kinds of news.")
        case "locale": return .init(field: "locale", message: "Choose English or Deutsch.")
        case "time_zone":
            return .init(field: "time_zone", message: "Give a time zone such as Europe/Zurich (quiet hours are kept in it).")
        case "quiet_hours.from": return .init(field: "quiet_from", message: "Give the start of your quiet hours as HH:MM.")
        case "quiet_hours.to": return .init(field: "quiet_to", message: "Give the end of your quiet hours as HH:MM.")
        case _ where field.hasPrefix("contacts["):
            let index = Int(field.dropFirst("contacts[".count).prefix { $0.isNumber }) ?? 0
            let name = index < contactFields.count ? contactFields[index] : "email"
            return .init(field: name, message: name == "phone" ? "The mobile number is not valid." : "The e-mail address is not valid.")
        default: return .init(field: "email", message: problem.message)
        }
    }
}
