import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// The daemon against a mosquitto that insists on TLS, a password file and an ACL, with
/// certificates made by openssl for the test: the right setup carries events; an untrusted CA
/// and an ACL denial each give one clear error and retries with backoff, never a crash or a
/// busy loop, and an ACL fixed on the broker lets every held event through.
@Suite("Fault suite: broker TLS and ACL")
struct BrokerSecurityFaultTests {
    private static func line(_ number: Int, gate: String) -> String {
        #"{"airline":"LX","number":"\#(number)","date":"\#(Fixture.day)","direction":"departure","gate":"\#(gate)"}"#
    }

    /// A broker with a TLS listener (client certificate required) and the usual plain one.
    private static func tlsBroker(_ pki: TestCertificates) throws -> (broker: PrivateBroker, tlsPort: Int) {
        let tlsPort = try Loopback.freePort()
        let broker = try PrivateBroker(extraConfiguration: """
            listener \(tlsPort) 127.0.0.1
            protocol mqtt
            cafile \(pki.caFile)
            certfile \(pki.serverCertificate)
            keyfile \(pki.serverKey)
            require_certificate true
            tls_version tlsv1.2
            allow_anonymous false
            password_file @BROKER_FOLDER@/passwd
            acl_file @BROKER_FOLDER@/flightedge.acl
            """)
        try broker.start()
        return (broker, tlsPort)
    }

    /// The daemon's configuration with TLS settings added to `[mqtt]`.
    private static func withTLS(_ daemon: DaemonProcess, caFile: String, pki: TestCertificates) throws {
        let mqtt = """
            state_qos = 1
            ca_file = "\(caFile)"
            cert_file = "\(pki.clientCertificate)"
            key_file = "\(pki.clientKey)"
            """
        try daemon.rewriteConfig(base: daemon.baseConfig.replacingOccurrences(of: "state_qos = 1", with: mqtt), feeds: "")
    }

    @Test func tlsWithAClientCertificateAndPasswordCarriesEvents() async throws {
        let pki = try TestCertificates()
        let (broker, tlsPort) = try Self.tlsBroker(pki)
        defer { broker.stop() }
        try await withDaemon(mqttPort: tlsPort, start: false) { daemon in
            try Self.withTLS(daemon, caFile: pki.caFile, pki: pki)
            try daemon.start()
            try daemon.send(lines: [Self.line(1, gate: "A1"), Self.line(1, gate: "A2")])
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("events published over TLS") {
                let rows = try connection.query("SELECT count(*), count(published_at) FROM flightedge.outbox").rows
                return rows.first?[0] == rows.first?[1] && Int((rows.first?[0] ?? nil) ?? "0") ?? 0 > 0
            }
            #expect(broker.log.contains("as \(daemon.clientID)"), "the broker saw the daemon on its TLS listener")
            let events = try connection.query("SELECT count(*) FROM flightedge.outbox").rows.first?.first ?? nil
            print("fault suite, broker TLS: CA + client certificate + password; \(events ?? "?") events PUBACKed over TLS")
            #expect(daemon.stop() == 0)
        }
    }

    @Test func anUntrustedCAIsOneClearErrorAndRetriedWithBackoff() async throws {
        let pki = try TestCertificates()
        let (broker, tlsPort) = try Self.tlsBroker(pki)
        defer { broker.stop() }
        try await withDaemon(mqttPort: tlsPort, start: false) { daemon in
            try Self.withTLS(daemon, caFile: pki.untrustedCAFile, pki: pki)
            try daemon.launch()
            try await Task.sleep(for: .seconds(8))
            #expect(daemon.isRunning, "a broker we cannot trust must not stop the daemon")
            let failures = daemon.log.components(separatedBy: "MQTT TLS handshake failed").count - 1
            #expect(failures == 1, "one clear error, not one per attempt (\(failures)):\n\(daemon.log)")
            #expect(daemon.log.contains("certificate verify failed"), "the log says why: \(daemon.log)")
            let attempts = broker.log.components(separatedBy: "on port \(tlsPort).").count - 1
            // libmosquitto's reconnect delay (1 s, doubling up to 30 s): a handful of attempts in
            // 8 s, at most one a second, never a busy loop.
            #expect(attempts >= 2 && attempts <= 9, "TLS connection attempts in 8 s: \(attempts)\n\(broker.log)")
            #expect(!daemon.notifications.contains { $0.contains("READY=1") }, "not ready without the broker")
            print("fault suite, broker TLS: an untrusted CA logged once ('certificate verify failed'), \(attempts) attempts in 8 s, daemon up")
            daemon.crash()
        }
    }

    @Test func anACLDenialIsLoggedOnceHeldAndDeliveredOnceTheACLIsFixed() async throws {
        let broker = try PrivateBroker()
        // The daemon may say it is online and publish state, but not events.
        let shipped = try String(contentsOf: broker.folder.appendingPathComponent("flightedge.acl"), encoding: .utf8)
        try broker.replaceACL("""
            user flightedge
            topic write flightedge/+/status
            topic write flightedge/+/flights/#
            topic write flightedge/+/feeds/#
            topic read flightedge/+/cmd/#
            """)
        try broker.start()
        defer { broker.stop() }
        try await withDaemon(mqttPort: broker.port) { daemon in
            try daemon.send(lines: (1...5).map { Self.line($0, gate: "A\($0)") } + (1...5).map { Self.line($0, gate: "B\($0)") })
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            func outbox() throws -> (rows: Int, published: Int) {
                let row = try connection.query("SELECT count(*), count(published_at) FROM flightedge.outbox").rows.first
                return (Int((row?[0] ?? nil) ?? "0") ?? 0, Int((row?[1] ?? nil) ?? "0") ?? 0)
            }
            try await eventually("events committed") { try outbox().rows >= 5 }
            try await Task.sleep(for: .seconds(7))
            let held = try outbox()
            #expect(held.published == 0, "a refused event is not marked published: \(held)")
            #expect(daemon.isRunning)
            let logged = daemon.log.components(separatedBy: "broker refused a publish").count - 1
            #expect(logged == 1, "one clear error, not one per event or retry (\(logged))")
            #expect(daemon.log.contains("Not authorized"), "the reason is named: \(daemon.log)")
            let refusals = Int(try daemon.metric("flightedge_mqtt_publish_refusals_total") ?? 0)
            // Retries back off from 1 s, doubling: a handful of attempts per event in 7 s (a busy
            // loop would make thousands).
            #expect(refusals >= held.rows * 2 && refusals <= held.rows * 10, "refusals \(refusals) for \(held.rows) events")

            // The ACL is fixed on the broker: the held events go out with the next retry.
            try broker.replaceACL(shipped)
            broker.reload()
            try await eventually("every held event published", within: 30) {
                let now = try outbox()
                return now.rows == now.published
            }
            #expect(daemon.log.contains("broker accepts our publishes again"))
            print("fault suite, broker ACL: \(held.rows) events refused (\(refusals) refusals in 7 s, logged once), all published once the ACL allowed them")
            #expect(daemon.stop() == 0)
        }
    }
}
