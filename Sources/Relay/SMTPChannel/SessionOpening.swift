import Channels

/// The start of an SMTP session, from the server's greeting to the point where mail can be sent
/// (RFC 5321 §3.1-3.2, RFC 3207 STARTTLS, RFC 4954 AUTH): EHLO (HELO when the server refuses
/// EHLO), STARTTLS when wanted and offered, EHLO again over TLS, then AUTH PLAIN or LOGIN as the
/// server offers. Pure: the I/O feeds it replies and does what each ``Step`` says.
struct SessionOpening {
    /// What the I/O does next.
    enum Step: Hashable {
        /// Send this and feed the reply back.
        case send(SMTPCommand)
        /// Put TLS on the connection (the server said 220 to STARTTLS), then send this.
        case startTLS(then: SMTPCommand)
        /// The session is open: mail may be sent.
        case ready(SMTPExtensions)
        /// It ended: give the dispatcher this (and close the connection).
        case fail(ChannelFailure)
    }

    /// How the client treats STARTTLS, the `[smtp] starttls` key.
    enum TLSPolicy: Hashable {
        /// No mail without TLS: a server that does not offer STARTTLS is a configuration error.
        case required
        /// TLS when the server offers it, plain text otherwise.
        case opportunistic
        /// Never STARTTLS.
        case none
    }

    private enum State {
        case greeting, ehlo, helo, startTLS, authPlain, authLoginUser, authLoginPassword, authLoginDone, done
    }

    private let heloName: String
    private let tlsPolicy: TLSPolicy
    private let credentials: (user: String, password: String)?
    private var state = State.greeting
    private var secured = false
    private var extensions = SMTPExtensions()

    /// `heloName` goes in EHLO/HELO; with `credentials` the session logs in.
    init(heloName: String, tlsPolicy: TLSPolicy, credentials: (user: String, password: String)?) {
        self.heloName = heloName
        self.tlsPolicy = tlsPolicy
        self.credentials = credentials
    }

    /// Whether the session runs over TLS (after a successful STARTTLS).
    var isSecured: Bool { secured }

    /// The next step after the server's reply to the last command (first: the greeting).
    mutating func next(after reply: SMTPReply) -> Step {
        switch state {
        case .greeting:
            guard reply.code == 220 else { return finish(reply.failure(after: nil)) }
            state = .ehlo
            return .send(.ehlo(heloName))
        case .ehlo:
            if reply.code == 250 {
                extensions = SMTPExtensions(ehlo: reply)
                return afterHello()
            }
            // A server without ESMTP says 500/502 to EHLO: RFC 5321 §3.2 falls back to HELO.
            guard reply.isPermanent, reply.code != 530, !secured else {
                return finish(reply.failure(after: .ehlo(heloName)))
            }
            state = .helo
            return .send(.helo(heloName))
        case .helo:
            guard reply.code == 250 else { return finish(reply.failure(after: .helo(heloName))) }
            extensions = SMTPExtensions()
            return afterHello()
        case .startTLS:
            if reply.code == 220 {
                secured = true
                state = .ehlo
                return .startTLS(then: .ehlo(heloName))
            }
            // Opportunistic TLS goes on in plain text when the server cannot start it after all.
            guard tlsPolicy == .opportunistic else { return finish(reply.failure(after: .startTLS)) }
            return authenticate()
        case .authPlain, .authLoginDone:
            let command = state == .authPlain ? SMTPCommand.authPlain(initialResponse: "") : .authLogin
            guard reply.code == 235 else { return finish(reply.failure(after: command)) }
            state = .done
            return .ready(extensions)
        case .authLoginUser, .authLoginPassword:
            guard reply.code == 334, let credentials else { return finish(reply.failure(after: .authLogin)) }
            let answer = state == .authLoginUser ? credentials.user : credentials.password
            state = state == .authLoginUser ? .authLoginPassword : .authLoginDone
            return .send(.authResponse(MIMEEncoding.base64(Array(answer.utf8))))
        case .done:
            return finish(
                ChannelFailure(.retry(afterSeconds: nil), "unexpected reply after the session opened: \(reply)"))
        }
    }

    /// After a successful EHLO or HELO: STARTTLS, or on to the login.
    private mutating func afterHello() -> Step {
        guard !secured, tlsPolicy != .none else { return authenticate() }
        if extensions.has("STARTTLS") {
            state = .startTLS
            return .send(.startTLS)
        }
        guard tlsPolicy == .opportunistic else {
            return finish(
                ChannelFailure(
                    .misconfigured,
                    "the SMTP server does not offer STARTTLS and [smtp] starttls is \"required\" "
                        + "(set it to \"opportunistic\" or \"none\" only for a server on a trusted network)"))
        }
        return authenticate()
    }

    /// AUTH PLAIN when offered (one round trip), else AUTH LOGIN; none needed without credentials.
    /// The password goes only over TLS, or in plain text when the operator said `starttls = "none"`:
    /// with "opportunistic", whoever strips STARTTLS from the EHLO reply would otherwise read it.
    private mutating func authenticate() -> Step {
        guard let credentials else {
            state = .done
            return .ready(extensions)
        }
        guard secured || tlsPolicy == .none else {
            return finish(
                ChannelFailure(
                    .misconfigured,
                    "the SMTP session is not encrypted (the server did not start TLS), so the password is not sent "
                        + "(set [smtp] starttls to \"none\" to allow that on a trusted network)"))
        }
        let offered = extensions.authMechanisms
        if offered.contains("PLAIN") {
            state = .authPlain
            let response = MIMEEncoding.base64(Array("\0\(credentials.user)\0\(credentials.password)".utf8))
            return .send(.authPlain(initialResponse: response))
        }
        if offered.contains("LOGIN") {
            state = .authLoginUser
            return .send(.authLogin)
        }
        let what = offered.isEmpty ? "no AUTH" : "AUTH \(offered.sorted().joined(separator: " ")) only"
        let hint =
            secured || tlsPolicy == .none ? "" : " (servers often offer AUTH only over TLS: check [smtp] starttls)"
        return finish(
            ChannelFailure(
                .misconfigured, "the SMTP server offers \(what), not PLAIN or LOGIN, and [smtp] username is set\(hint)")
        )
    }

    private mutating func finish(_ failure: ChannelFailure) -> Step {
        state = .done
        return .fail(failure)
    }
}
