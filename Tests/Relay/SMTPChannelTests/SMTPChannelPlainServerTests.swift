import Channels
import FlightEdgeTestSupport
import Foundation
import SMTPChannel
import Testing

/// The channel against a private stand-in that offers neither STARTTLS nor AUTH (an old or
/// internal relay), started and stopped by each test.
@Suite struct SMTPChannelPlainServerTests {
    func settings(port: Int, startTLS: SMTPChannel.Settings.StartTLS) throws -> SMTPChannel.Settings {
        SMTPChannel.Settings(
            host: "127.0.0.1", port: port, startTLS: startTLS,
            from: try MailAddress(parsing: "FlightEdge <alerts@example.org>"),
            heloName: "relay.test", connectTimeout: .seconds(5), commandTimeout: .seconds(10), maxConnections: 1)
    }

    func message() -> OutgoingMessage {
        OutgoingMessage(
            deliveryID: "plain-\(UUID().uuidString)", replaceKey: "k", subject: "Delay", text: "Delayed by 40 minutes.")
    }

    @Test func requiredTLSAgainstAServerWithoutSTARTTLSIsMisconfigured() async throws {
        let server = try SMTPStandin.startPlain()
        defer { server.stop() }
        let channel = try SMTPChannel(settings: settings(port: server.port, startTLS: .required))
        defer { Task { await channel.shutdown() } }
        do {
            _ = try await channel.send(message(), to: .email(address: "ana@example.org"))
            Issue.record("sent without TLS")
        } catch {
            #expect(error.disposition == .misconfigured)
            #expect(error.message.contains("STARTTLS"))
        }
        #expect(try server.received().isEmpty)
    }

    @Test func opportunisticAndNoTLSSendInPlainText() async throws {
        let server = try SMTPStandin.startPlain()
        defer { server.stop() }
        for mode in [SMTPChannel.Settings.StartTLS.opportunistic, .none] {
            let channel = try SMTPChannel(settings: settings(port: server.port, startTLS: mode))
            let acceptance = try await channel.send(message(), to: .email(address: "ana@example.org"))
            await channel.shutdown()
            #expect(acceptance.providerID?.hasPrefix("OK queued as ") == true)
        }
        let records = try server.received()
        #expect(records.count == 2)
        #expect(records.allSatisfy { !$0.tls && $0.authUser == nil })
        #expect(records.allSatisfy { $0.pipelined == false }, "one command at a time: the server did not offer PIPELINING")
        #expect(records.first?.text == "Delayed by 40 minutes.\n")
    }

    @Test(arguments: [false, true])
    func aServerThatClosedTheIdleConnectionIsReconnected(pipelining: Bool) async throws {
        let first = try SMTPStandin.startPlain(pipelining: pipelining)
        defer { first.stop() }
        let channel = try SMTPChannel(settings: settings(port: first.port, startTLS: .none))
        defer { Task { await channel.shutdown() } }
        _ = try await channel.send(message(), to: .email(address: "ana@example.org"))
        first.stop()  // the idle pooled connection is closed from the server's side
        let second = try SMTPStandin.startPlain(port: first.port, pipelining: pipelining)
        defer { second.stop() }
        // The reused connection's RSET fails (alone, or first of the pipelined group): a new one.
        _ = try await channel.send(message(), to: .email(address: "ana@example.org"))
        let records = try second.received()
        #expect(records.count == 1)
        #expect(records.first?.pipelined == pipelining, "\(records)")
    }

    @Test func aRefusedConnectionIsRetried() async throws {
        let server = try SMTPStandin.startPlain()
        server.stop()
        let channel = try SMTPChannel(settings: settings(port: server.port, startTLS: .none))
        defer { Task { await channel.shutdown() } }
        do {
            _ = try await channel.send(message(), to: .email(address: "ana@example.org"))
            Issue.record("sent to a closed port")
        } catch {
            #expect(error.disposition == .retry(afterSeconds: nil), "\(error)")
        }
    }
}
