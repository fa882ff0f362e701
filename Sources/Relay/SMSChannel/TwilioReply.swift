import Channels
import Foundation

/// What an answer of Twilio's Messages API means for the delivery: `201 {"sid", "status", …}` when
/// it took the message, else `{"code": 21211, "message": "…", "status": 400}`.
enum TwilioReply {
    /// The recipient replied STOP: Twilio refuses every message to them until they send START.
    static let unsubscribedRecipient = 21610
    /// The `To` number is no valid phone number.
    static let invalidToNumber = 21211
    /// The `To` number cannot receive SMS (a landline).
    static let notMobileNumber = 21614
    /// Authentication failed: wrong account SID or auth token.
    static let authenticationFailed = 20003
    /// The `From` number is invalid, not SMS-capable, or not the account's: the channel's setting.
    static let senderProblems: Set = [21212, 21606, 21659]

    static func outcome(httpStatus: Int, retryAfter: Double?, body: [UInt8]) -> Result<ProviderAcceptance, ChannelFailure> {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        if (200..<300).contains(httpStatus) {
            return .success(ProviderAcceptance(providerID: object?["sid"] as? String))
        }
        let code = (object?["code"] as? NSNumber)?.intValue
        let text = (object?["message"] as? String).map { ": \($0)" } ?? ""

        func failure(_ disposition: ChannelFailure.Disposition, _ what: String) -> Result<ProviderAcceptance, ChannelFailure> {
            let providerCode = code.map(String.init) ?? "HTTP \(httpStatus)"
            return .failure(ChannelFailure(disposition, "\(what) (HTTP \(httpStatus)\(text))", providerCode: providerCode))
        }
        switch code {
        case unsubscribedRecipient?:
            return failure(.contactGone, "the recipient replied STOP to this sender: Twilio refuses messages to them")
        case notMobileNumber?:
            return failure(.contactGone, "the number cannot receive SMS (not a mobile number)")
        case invalidToNumber?:
            return failure(.final, "Twilio says the number is no valid phone number")
        case authenticationFailed?:
            return failure(.misconfigured, "Twilio refused the account SID or auth token")
        case let code? where senderProblems.contains(code):
            return failure(.misconfigured, "Twilio refused the sender number (sms.from)")
        default:
            break
        }
        switch httpStatus {
        case 401:
            return failure(.misconfigured, "Twilio refused the account's credentials")
        case 429, 500...599:
            return failure(.retry(afterSeconds: retryAfter), "Twilio is overloaded or unavailable")
        default:
            return failure(.final, "Twilio refused the message")
        }
    }
}
