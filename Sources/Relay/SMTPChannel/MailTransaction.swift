import Channels

/// One message through an open session (RFC 5321 §3.3): MAIL FROM, RCPT TO, DATA, the data.
/// Pure: the I/O sends what ``start()`` and ``next(after:)`` say and feeds the replies back.
struct MailTransaction {
    /// What the I/O does next.
    enum Step: Hashable {
        /// Send this and feed the reply back.
        case send(SMTPCommand)
        /// The server took the message: its `250` reply (the queue id is in its text).
        case accepted(SMTPReply)
        /// The server refused: give the dispatcher this. The session may go on (RSET first).
        case fail(ChannelFailure)
    }

    private enum State { case mailFrom, rcptTo, data, content, done }

    private let sender: String
    private let recipient: String
    private let message: [UInt8]
    private var state = State.mailFrom

    /// A transaction of `message` (headers and body, CRLF lines) from `sender` to `recipient`
    /// (envelope addresses, `local@domain`).
    init(sender: String, recipient: String, message: [UInt8]) {
        self.sender = sender
        self.recipient = recipient
        self.message = message
    }

    /// The first command.
    func start() -> SMTPCommand { .mailFrom(sender) }

    /// The commands a server that offers PIPELINING (RFC 2920) takes in one go: MAIL, RCPT and
    /// DATA (last: its reply decides whether the message follows). Their replies go to
    /// ``next(after:)`` in order; a `.send` of the group's next command is then already done.
    func pipelined() -> [SMTPCommand] { [.mailFrom(sender), .rcptTo(recipient), .data] }

    /// The next step after the server's reply to the last command.
    mutating func next(after reply: SMTPReply) -> Step {
        switch state {
        case .mailFrom:
            guard reply.code == 250 else { return finish(reply.failure(after: .mailFrom(sender))) }
            state = .rcptTo
            return .send(.rcptTo(recipient))
        case .rcptTo:
            // 251: "not local, will forward" is a yes too.
            guard reply.code == 250 || reply.code == 251 else {
                return finish(reply.failure(after: .rcptTo(recipient)))
            }
            state = .data
            return .send(.data)
        case .data:
            guard reply.code == 354 else { return finish(reply.failure(after: .data)) }
            state = .content
            return .send(.content(message))
        case .content:
            state = .done
            guard reply.code == 250 else { return .fail(reply.failure(after: .content([]))) }
            return .accepted(reply)
        case .done:
            return .fail(
                ChannelFailure(.retry(afterSeconds: nil), "unexpected reply after the transaction ended: \(reply)"))
        }
    }

    private mutating func finish(_ failure: ChannelFailure) -> Step {
        state = .done
        return .fail(failure)
    }
}
