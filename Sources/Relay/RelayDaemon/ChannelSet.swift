import Channels
import Configuration
import FCMChannel
import SMSChannel
import SMTPChannel
import WebPushChannel

/// The channels this relay has configured (a table absent: that channel is off), built once
/// with their secrets read from files or systemd credentials.
struct ChannelSet: Sendable {
    let channels: [any NotificationChannel]
    /// Twilio's auth token, for the status callbacks' signatures.
    let twilioAuthToken: String?
    /// The VAPID public key the passenger page hands to `PushManager.subscribe()`.
    let applicationServerKey: String?

    var enabled: Set<ChannelKind> { Set(channels.map(\.kind)) }

    /// What went wrong building a channel: the table and what to fix.
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    init(config: RelayConfig) throws {
        var channels: [any NotificationChannel] = []
        var twilioAuthToken: String?
        var applicationServerKey: String?
        let concurrency = config.dispatch.concurrency
        if let smtp = config.smtp {
            let from: MailAddress
            do { from = try MailAddress(parsing: smtp.from) } catch {
                throw SetupError(description: "[smtp] from: \(error)")
            }
            let settings = SMTPChannel.Settings(
                host: smtp.host, port: smtp.port, startTLS: SMTPChannel.Settings.StartTLS(rawValue: smtp.starttls.rawValue) ?? .required,
                username: smtp.username, password: try SecretFile.read(path: smtp.passwordFile, credential: "smtp-password"),
                from: from, trustedCAFile: smtp.caFile, maxConnections: max(1, min(concurrency, 16)))
            do { channels.append(try SMTPChannel(settings: settings)) } catch {
                throw SetupError(description: "[smtp]: \(error)")
            }
        }
        if let sms = config.sms {
            guard let token = try SecretFile.read(path: sms.authTokenFile, credential: "twilio-auth-token") else {
                throw SetupError(description: "[sms] auth_token_file: nothing to read")
            }
            twilioAuthToken = token
            let settings = SMSChannel.Settings(
                baseURL: sms.baseURL, accountSID: sms.accountSID, authToken: token, from: sms.from,
                statusCallbackURL: "\(config.http.publicURL)/v1/callbacks/twilio", trustedCAFile: sms.caFile,
                maxConcurrent: concurrency)
            do { channels.append(try SMSChannel(settings: settings)) } catch {
                throw SetupError(description: "[sms]: \(error)")
            }
        }
        if let fcm = config.fcm {
            guard let account = try SecretFile.read(path: fcm.serviceAccountFile, credential: "fcm-service-account") else {
                throw SetupError(description: "[fcm] service_account_file: nothing to read")
            }
            let settings = FCMChannel.Settings(
                serviceAccountJSON: account, baseURL: fcm.baseURL, trustedCAFile: fcm.caFile, maxConcurrent: concurrency)
            do { channels.append(try FCMChannel(settings: settings)) } catch {
                throw SetupError(description: "[fcm]: \(error)")
            }
        }
        if let webpush = config.webpush {
            guard let key = try SecretFile.read(path: webpush.vapidPrivateKeyFile, credential: "vapid-private-key") else {
                throw SetupError(description: "[webpush] vapid_private_key_file: nothing to read")
            }
            let settings = WebPushChannel.Settings(
                vapidPrivateKey: key, subject: webpush.subject, trustedCAFile: webpush.caFile, maxConcurrent: concurrency)
            do {
                let channel = try WebPushChannel(settings: settings)
                applicationServerKey = channel.applicationServerKey
                channels.append(channel)
            } catch {
                throw SetupError(description: "[webpush]: \(error)")
            }
        }
        self.channels = channels
        self.twilioAuthToken = twilioAuthToken
        self.applicationServerKey = applicationServerKey
    }

    /// Closes every channel's connections.
    func shutdown() async {
        for channel in channels { await channel.shutdown() }
    }
}
