import Channels
import NIOCore
import NIOSSL

extension ChannelFailure {
    /// A failure of the connection itself (no reply to judge): a TLS handshake the client refused
    /// (an untrusted or mismatched certificate) is `.misconfigured`, nothing goes out until the
    /// operator fixes `ca_file` or the server's certificate; everything else (refused, reset,
    /// closed, timed out, garbled) is `.retry`.
    static func smtp(_ error: any Error, during step: String, server: String) -> ChannelFailure {
        switch error {
        case let error as NIOSSLError:
            if case .handshakeFailed = error {
                return ChannelFailure(
                    .misconfigured,
                    "TLS with the SMTP server \(server) failed, its certificate is not trusted or does not match "
                        + "(check [smtp] ca_file and host): \(error)", providerCode: "TLS")
            }
            return ChannelFailure(
                .retry(afterSeconds: nil), "TLS with the SMTP server \(server) broke during \(step): \(error)")
        case let error as NIOSSLExtraError:
            return ChannelFailure(
                .misconfigured, "TLS with the SMTP server \(server) failed (check [smtp] ca_file and host): \(error)",
                providerCode: "TLS")
        case is CancellationError:
            return ChannelFailure(.retry(afterSeconds: nil), "the send to \(server) was cancelled during \(step)")
        case is SMTPConnectionClosed:
            return ChannelFailure(
                .retry(afterSeconds: nil), "the SMTP server \(server) closed the connection during \(step)")
        case let error as SMTPTimeout:
            return ChannelFailure(.retry(afterSeconds: nil), "\(error) (\(server))")
        case let error as SMTPProtocolError:
            return ChannelFailure(.retry(afterSeconds: nil), "\(error.message) (\(server), during \(step))")
        default:
            return ChannelFailure(
                .retry(afterSeconds: nil), "cannot reach the SMTP server \(server) (\(step)): \(error)")
        }
    }
}
