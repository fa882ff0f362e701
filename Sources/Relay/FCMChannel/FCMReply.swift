import Channels
import JSON

/// What an FCM HTTP v1 answer means for the delivery: `{"name": ...}` on success, else Google's error
/// document `{"error": {"code", "status", "message", "details": [{"@type": "...FcmError", "errorCode"}]}}`.
enum FCMReply {
    /// The acceptance, or the failure with its disposition. A 401 is `.retry`: the caller drops its
    /// access token, and the next attempt fetches a new one.
    static func outcome(httpStatus: Int, retryAfter: Double?, body: [UInt8]) -> Result<ProviderAcceptance, ChannelFailure> {
        let object: JSONObject? = if case .object(let parsed)? = try? JSONParser.parse(body) { parsed } else { nil }
        if (200..<300).contains(httpStatus) {
            return .success(ProviderAcceptance(providerID: object?["name"]?.stringValue))
        }
        let error: JSONObject? = if case .object(let parsed)? = object?["error"] { parsed } else { nil }
        let errorCode = fcmErrorCode(error)
        let googleStatus = error?["status"]?.stringValue
        let code = errorCode ?? googleStatus ?? "HTTP \(httpStatus)"
        let text = error?["message"]?.stringValue.map { ": \($0)" } ?? ""

        func failure(_ disposition: ChannelFailure.Disposition, _ what: String) -> Result<ProviderAcceptance, ChannelFailure> {
            .failure(ChannelFailure(disposition, "\(what) (HTTP \(httpStatus)\(text))", providerCode: code))
        }
        if errorCode == "UNREGISTERED" || httpStatus == 404 {
            return failure(.contactGone, "FCM says the app installation is gone: its registration token is no longer valid")
        }
        if errorCode == "THIRD_PARTY_AUTH_ERROR" {
            return failure(
                .misconfigured, "FCM could not authenticate to APNs or the Web Push service: check the Firebase project's APNs key")
        }
        switch httpStatus {
        case 401:
            return failure(.retry(afterSeconds: nil), "FCM refused the access token; a new one is fetched for the next attempt")
        case 403:
            return failure(.misconfigured, "FCM refused the service account for this project or app (sender id, project, permissions)")
        case 429, 500...599:
            return failure(.retry(afterSeconds: retryAfter), "FCM is overloaded or unavailable")
        case 400:
            return failure(.final, "FCM refused the message as malformed")
        default:
            return failure(.final, "FCM refused the message")
        }
    }

    /// The `errorCode` of the `FcmError` detail (`UNREGISTERED`, `SENDER_ID_MISMATCH`, `QUOTA_EXCEEDED`…).
    private static func fcmErrorCode(_ error: JSONObject?) -> String? {
        guard case .array(let details)? = error?["details"] else { return nil }
        for case .object(let detail) in details where detail["@type"]?.stringValue?.hasSuffix("google.firebase.fcm.v1.FcmError") == true {
            if let code = detail["errorCode"]?.stringValue { return code }
        }
        return nil
    }
}
