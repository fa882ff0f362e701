import Configuration
import Foundation
import Testing

/// The relay's configuration (RELAY.md): defaults, channels off when their table is absent, and
/// every mistake reported with its key and line.
@Suite("Relay configuration")
struct RelayConfigTests {
    static let minimal = """
        [database]
        url = "postgresql://relay@127.0.0.1:5432/relay"

        [source]
        kind = "mqtt"
        url = "mqtt://127.0.0.1:1883"

        [http]
        listen = "127.0.0.1:8090"
        public_url = "https://alerts.example.org/"
        """

    @Test("a minimal file gives RELAY.md's defaults and no channel")
    func defaults() throws {
        let config = try RelayConfig.parse(Self.minimal, source: "relay.toml")
        #expect(config.source.topic == "flightedge/+/events/#")
        #expect(config.source.urls == ["mqtt://127.0.0.1:1883"])
        #expect(config.http.publicURL == "https://alerts.example.org", "the trailing slash goes")
        #expect(config.smtp == nil && config.sms == nil && config.fcm == nil && config.webpush == nil)
        #expect(config.rules == RelayRulesConfig())
        #expect(config.rules.gateHoldSeconds == 120 && config.rules.delayThresholdMinutes == 30)
        #expect(config.dispatch.maxAttempts == 8 && config.dispatch.leaseSeconds == 60)
    }

    @Test("amqp takes several comma-separated URLs; mqtt takes one")
    func sourceURLs() throws {
        let amqp = Self.minimal.replacingOccurrences(of: "kind = \"mqtt\"", with: "kind = \"amqp\"")
            .replacingOccurrences(of: "mqtt://127.0.0.1:1883", with: "amqp://relay:x@127.0.0.1:5672/, amqp://relay:x@127.0.0.1:5673/")
        #expect(try RelayConfig.parse(amqp, source: "r.toml").source.urls.count == 2)
        let twoBrokers = Self.minimal.replacingOccurrences(of: "mqtt://127.0.0.1:1883", with: "mqtt://a:1883,mqtt://b:1883")
        let error = try #require(throws: ConfigurationErrors.self) { try RelayConfig.parse(twoBrokers, source: "r.toml") }
        #expect(error.description.contains("r.toml:6: source.url"))
    }

    @Test("every mistake is named with its key and line, all at once")
    func mistakes() throws {
        let text = """
            [database]
            url = "nope"
            [source]
            kind = "mqt"
            url = "mqtt://127.0.0.1:1883"
            [http]
            listen = "127.0.0.1"
            public_url = "ftp://x"
            [smtp]
            host = "mail"
            from = "nobody"
            [sms]
            account_sid = "AC1"
            auth_token_file = "/t"
            from = "0790000000"
            [rules]
            gate_hold_seconds = -1
            [dispatch]
            max_attemps = 3
            """
        let error = try #require(throws: ConfigurationErrors.self) { try RelayConfig.parse(text, source: "r.toml") }
        let message = error.description
        for expected in [
            "r.toml:2: database.url", "r.toml:4: source.kind", "r.toml:7: http.listen", "r.toml:8: http.public_url",
            "r.toml:11: smtp.from", "r.toml:15: sms.from", "r.toml:17: rules.gate_hold_seconds", "r.toml:19: dispatch.max_attemps",
        ] {
            #expect(message.contains(expected), "\(expected) missing from:\n\(message)")
        }
    }

    @Test("a channel's table turns it on, with its defaults")
    func channels() throws {
        let text = Self.minimal + """

            [smtp]
            host = "127.0.0.1"
            from = "FlightEdge <alerts@example.org>"
            [webpush]
            vapid_private_key_file = "/etc/flightedge/vapid.pem"
            subject = "mailto:ops@example.org"
            """
        let config = try RelayConfig.parse(text, source: "r.toml")
        #expect(config.smtp?.port == 587)
        #expect(config.smtp?.starttls == .required)
        #expect(config.webpush?.subject == "mailto:ops@example.org")
    }
}
