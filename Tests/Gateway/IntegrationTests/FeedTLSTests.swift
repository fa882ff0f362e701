import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// TLS on TCP feeds, with certificates made by openssl for each test: a `tcp-listen` feed that
/// requires client certificates takes frames only from a sender whose certificate its CA
/// signed, and a `tcp-connect` feed reads from a TLS sender it trusts and from no other.
@Suite("Feeds over TLS")
struct FeedTLSTests {
    private static func line(_ number: Int, gate: String) -> String {
        #"{"airline":"LX","number":"\#(number)","date":"\#(Fixture.day)","direction":"departure","gate":"\#(gate)"}"# + "\n"
    }

    @Test func aListenerWithClientCertificatesTakesOnlyTrustedSenders() async throws {
        let pki = try TestCertificates()
        let port = try Loopback.freePort()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "secure"
                format = "jsonl"
                transport = "tcp-listen"
                address = "127.0.0.1:\(port)"
                tls_cert_file = "\(pki.serverCertificate)"
                tls_key_file = "\(pki.serverKey)"
                tls_ca_file = "\(pki.caFile)"
                """) { daemon in
            #expect(daemon.log.contains("feed listening address=127.0.0.1:\(port) feed=secure tls=true"))
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            func gates() throws -> [[String?]] {
                try connection.query(
                    "SELECT new_value #>> '{}' FROM flightedge.flight_changes WHERE feed = 'secure' AND field = 'gate' ORDER BY received_at"
                ).rows
            }

            // Refused: plain TCP, TLS without a client certificate, a certificate from a CA
            // the feed does not trust (the server is trusted by the sender in each case).
            let plain = try Loopback.connect(port: port)
            defer { close(plain) }
            try TestSender.write(plain, Self.line(1, gate: "X1"))
            try await TLSFeedPeers.send(
                Self.line(2, gate: "X2"), port: port, trusting: pki.caFile, certificate: nil, expectRefusal: true)
            let stranger = try TestCertificates()
            try await TLSFeedPeers.send(
                Self.line(3, gate: "X3"), port: port, trusting: pki.caFile,
                certificate: (stranger.clientCertificate, stranger.clientKey), expectRefusal: true)
            // Accepted: a client certificate the feed's CA signed.
            try await TLSFeedPeers.send(
                Self.line(4, gate: "A4"), port: port, trusting: pki.caFile, certificate: (pki.clientCertificate, pki.clientKey))
            try await eventually("the trusted sender's frame committed") { try gates() == [["A4"]] }
            try await eventually("three refusals counted") {
                try daemon.metric(#"flightedge_feed_refused_connections_total{feed="secure"}"#) == 3
            }
            #expect(try gates() == [["A4"]], "nothing from the refused senders")
            try await eventually("each refusal logged with its reason") {
                daemon.log.components(separatedBy: "feed connection closed: TLS failed").count - 1 == 3
            }
            #expect(daemon.log.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") && daemon.log.contains("CERTIFICATE_VERIFY_FAILED"))
            print("feed TLS: tcp-listen with client certificates; 1 trusted sender committed, 3 refused (plain, no certificate, foreign CA)")
            #expect(daemon.stop() == 0)
        }
    }

    @Test func aConnectorReadsFromATrustedSenderOnly() async throws {
        let pki = try TestCertificates()
        let trusted = try await TLSFeedPeers.Server(
            text: Self.line(1, gate: "B1"), certificate: pki.serverCertificate, key: pki.serverKey, clientCA: pki.caFile)
        defer { trusted.stop() }
        let impostor = try TestCertificates()
        let foreign = try await TLSFeedPeers.Server(
            text: Self.line(2, gate: "Z2"), certificate: impostor.serverCertificate, key: impostor.serverKey)
        defer { foreign.stop() }
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "aodb-tls"
                format = "jsonl"
                transport = "tcp-connect"
                address = "127.0.0.1:\(trusted.port)"
                tls_ca_file = "\(pki.caFile)"
                tls_cert_file = "\(pki.clientCertificate)"
                tls_key_file = "\(pki.clientKey)"

                [[feeds]]
                name = "impostor"
                format = "jsonl"
                transport = "tcp-connect"
                address = "127.0.0.1:\(foreign.port)"
                tls_ca_file = "\(pki.caFile)"
                """) { daemon in
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("the trusted sender's frame committed") {
                try connection.query("SELECT feed, new_value #>> '{}' FROM flightedge.flight_changes WHERE field = 'gate'").rows
                    == [["aodb-tls", "B1"]]
            }
            try await eventually("the impostor refused") {
                daemon.log.contains("feed connection closed: TLS failed") && daemon.log.contains("feed=impostor")
            }
            try await Task.sleep(for: .seconds(1))
            #expect(
                try connection.query("SELECT count(*) FROM flightedge.flight_changes WHERE feed = 'impostor'").rows == [["0"]])
            print("feed TLS: tcp-connect with a client certificate read the trusted sender; a sender with a foreign certificate refused")
            #expect(daemon.stop() == 0)
        }
    }
}
