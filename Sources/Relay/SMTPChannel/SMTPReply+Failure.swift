import Channels

extension SMTPReply {
    /// What the dispatcher should make of this reply when it is not the one `command` wanted
    /// (nil: the greeting). The rules, in order:
    ///
    /// - 421 (the server is closing the connection) and every other 4xx: `.retry`.
    /// - 530 (authentication or STARTTLS required) anywhere: `.misconfigured`.
    /// - a 5xx while opening the session (greeting, EHLO/HELO, STARTTLS, AUTH): `.misconfigured`,
    ///   no message gets through that server until its setup or ours changes.
    /// - MAIL FROM: 552 (too big) `.final`; other 5xx refuse our sender for every message: `.misconfigured`.
    /// - RCPT TO: 550/551/553 (no such mailbox) `.contactGone`, unless the enhanced code is 5.7.x
    ///   (relaying or policy: about us, not the mailbox) `.misconfigured`; 552 (mailbox full) is
    ///   transient per RFC 5321 §4.5.3.1.10, `.retry`; other 5xx `.final`.
    /// - DATA and the data: 5xx `.final` (this message is refused).
    /// - a reply of the wrong kind (say 250 where 354 belongs): `.retry`, the server is confused.
    func failure(after command: SMTPCommand?) -> ChannelFailure {
        let step = command.map { "\($0)" } ?? "the greeting"
        let said = "the SMTP server answered \(step) with \(self)"
        let code = "\(self.code)"
        guard isTransient || isPermanent else {
            return ChannelFailure(.retry(afterSeconds: nil), "unexpected reply: \(said)", providerCode: code)
        }
        if isTransient {
            return ChannelFailure(.retry(afterSeconds: nil), said, providerCode: code)
        }
        if self.code == 530 {
            return ChannelFailure(
                .misconfigured, "\(said) (check [smtp] starttls, username and password_file)", providerCode: code)
        }
        switch command {
        case nil, .ehlo, .helo, .startTLS:
            return ChannelFailure(.misconfigured, said, providerCode: code)
        case .authPlain, .authLogin, .authResponse:
            return ChannelFailure(
                .misconfigured, "\(said): the login was refused (check [smtp] username and password_file)",
                providerCode: code)
        case .mailFrom:
            if self.code == 552 { return ChannelFailure(.final, said, providerCode: code) }
            return ChannelFailure(
                .misconfigured, "\(said): the sender is refused (check [smtp] from)", providerCode: code)
        case .rcptTo:
            switch self.code {
            case 550, 551, 553:
                if enhancedCode?.hasPrefix("5.7.") == true {
                    return ChannelFailure(
                        .misconfigured, "\(said): refused by policy, not for the mailbox", providerCode: code)
                }
                return ChannelFailure(.contactGone, "\(said): the mailbox does not exist", providerCode: code)
            case 552:
                return ChannelFailure(.retry(afterSeconds: nil), "\(said): the mailbox is full", providerCode: code)
            default:
                return ChannelFailure(.final, said, providerCode: code)
            }
        case .data, .content, .reset, .quit:
            return ChannelFailure(.final, said, providerCode: code)
        }
    }
}
