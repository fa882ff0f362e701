import Channels
import Foundation

/// What a push service's HTTP answer means for the delivery (RFC 8030 §5 and §8, and what the big
/// push services answer in practice).
enum PushServiceAnswer {
    /// 201/202 → accepted (the message's id is its `Location`); 404/410 → the subscription is gone;
    /// 400/413 and other 4xx → the message is refused; 401/403 → our VAPID setup is wrong; 429 and
    /// 5xx → try again, after `Retry-After` when given.
    static func outcome(
        status: Int, location: String?, retryAfter: String?, body: String, now: Date = Date()
    ) -> Result<ProviderAcceptance, ChannelFailure> {
        let code = "HTTP \(status)"
        let detail = body.isEmpty ? "" : ": \(body.prefix(200))"
        switch status {
        case 200..<300:
            return .success(ProviderAcceptance(providerID: location))
        case 404, 410:
            return .failure(ChannelFailure(
                .contactGone, "the push subscription is gone (unsubscribed or expired)\(detail)", providerCode: code))
        case 401, 403:
            return .failure(ChannelFailure(
                .misconfigured, "the push service refused our VAPID authorization: check [webpush] vapid_private_key_file "
                    + "and subject, and that the subscription was made with this key's public key\(detail)",
                providerCode: code))
        case 413:
            return .failure(ChannelFailure(
                .final, "the push service refused the message as too large\(detail)", providerCode: code))
        case 429, 500...599:
            let seconds = retryAfter.flatMap { retryAfterSeconds($0, now: now) }
            let what = status == 429 ? "the push service asks us to slow down" : "the push service failed"
            return .failure(ChannelFailure(.retry(afterSeconds: seconds), "\(what)\(detail)", providerCode: code))
        case 400..<500:
            return .failure(ChannelFailure(.final, "the push service refused the message\(detail)", providerCode: code))
        default:
            return .failure(ChannelFailure(
                .retry(afterSeconds: nil), "unexpected answer from the push service\(detail)", providerCode: code))
        }
    }

    /// `Retry-After` as seconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
    static func retryAfterSeconds(_ value: String, now: Date) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
