import Configuration
import Foundation
import Testing

@Suite struct ConfigurationLoaderTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let minimal = """
        [airport]
        iata = "ZRH"
        timezone = "Europe/Zurich"

        [database]
        url = "postgresql:///flightedge"

        [mqtt]
        host = "127.0.0.1"
        """

    private func errors(_ text: String) -> [ConfigurationError] {
        do {
            _ = try GatewayConfig.parse(text, source: "test.toml")
            return []
        } catch {
            return error.errors
        }
    }

    @Test func theProductionExampleLoadsWithItsThreeFeeds() throws {
        let config = try GatewayConfig.load(path: Self.repository.appendingPathComponent("conf/flightedge.toml").path)
        #expect(config.airport == AirportConfig(iata: "ZRH", timezone: "Europe/Zurich"))
        #expect(config.feeds.map(\.name) == ["aodb", "fids-drop", "integrations"])
        #expect(config.feeds[0].transport == .tcpConnect)
        #expect(config.feeds[0].framing == .stxEtx)
        #expect(config.feeds[0].precedence == 10)
        #expect(config.feeds[2].allow.map(\.description) == ["10.20.0.0/24"])
        #expect(config.http?.listen == HostPort(host: "127.0.0.1", port: 9187))
        #expect(config.mqtt.stateQoS == 1)
    }

    @Test func theDevelopmentConfigPointsAtTheLoopbackServices() throws {
        let config = try GatewayConfig.load(path: Self.repository.appendingPathComponent("conf/flightedge.dev.toml").path)
        #expect(config.database.url == "postgresql://flightedge@127.0.0.1:55432/flightedge")
        #expect(config.mqtt.port == 51883)
        #expect(config.feeds.map(\.transport) == [.tcpListen, .spoolDir])
    }

    @Test func defaultsFillWhatIsLeftOut() throws {
        let config = try GatewayConfig.parse(Self.minimal, source: "test.toml")
        #expect(config.mqtt.port == 1883)
        #expect(config.mqtt.clientID == "flightedge-zrh")
        #expect(config.mqtt.topicPrefix == "flightedge")
        #expect(config.events == EventsConfig(delayThresholdMinutes: 15, delayStepMinutes: 5))
        #expect(config.http == nil)
        #expect(config.feeds.isEmpty)
        #expect(config.housekeeping.retainHours == 12)
    }

    @Test func unknownTableIsNamedWithItsLine() {
        let found = errors(Self.minimal + "\n\n[radar]\nrange = 3\n")
        #expect(found.count == 1)
        #expect(found.first?.line == 11)
        #expect(found.first?.key == "radar")
        #expect(found.first?.message.hasPrefix("unknown table [radar]") == true)
    }

    @Test func unknownKeySuggestsTheClosestOne() {
        let found = errors(Self.minimal + "\n[events]\ndelay_treshold_minutes = 10\n")
        #expect(found.first?.description == "test.toml:11: events.delay_treshold_minutes: unknown key; did you mean `delay_threshold_minutes`?")
    }

    @Test func wrongTypeSaysWhatWasExpected() {
        let found = errors(Self.minimal.replacingOccurrences(of: "host = \"127.0.0.1\"", with: "host = \"h\"\nport = \"1883\""))
        #expect(found.map(\.description) == ["test.toml:10: mqtt.port: expected an integer, found a string"])
    }

    @Test func missingRequiredKeysAndTablesAreAllReported() {
        let found = errors("[airport]\niata = \"ZRH\"\n")
        #expect(found.map(\.description).sorted() == [
            "test.toml: database: required table [database] is missing",
            "test.toml: mqtt: required table [mqtt] is missing",
            "test.toml:1: airport.timezone: required key is missing",
        ])
    }

    @Test func badAddressesPortsAndNetworksAreRefused() {
        let text = Self.minimal + """

            [http]
            listen = "127.0.0.1:99999"

            [[feeds]]
            name = "a"
            format = "jsonl"
            transport = "tcp-listen"
            address = "nowhere"
            allow = ["10.0.0.0/33", "not-an-ip"]
            """
        let messages = errors(text).map(\.description)
        #expect(messages.contains("test.toml:11: http.listen: port \"99999\" is not a number from 1 to 65535"))
        #expect(messages.contains("test.toml:17: feeds[0].address: expected host:port, got \"nowhere\""))
        #expect(messages.contains("test.toml:18: feeds[0].allow[0]: prefix length in \"10.0.0.0/33\" must be 0 to 32"))
        #expect(messages.contains { $0.hasPrefix("test.toml:18: feeds[0].allow[1]: \"not-an-ip\" is not an address") })
    }

    @Test func unknownFormatTransportAndFramingListTheChoices() {
        let text = Self.minimal + """

            [[feeds]]
            name = "a"
            format = "xml"
            transport = "carrier-pigeon"
            framing = "morse"
            """
        let messages = errors(text).map(\.description)
        #expect(messages.contains("test.toml:12: feeds[0].format: unknown format \"xml\" (expected one of: aidx, mvt, csv, jsonl)"))
        #expect(messages.contains(
            "test.toml:13: feeds[0].transport: unknown transport \"carrier-pigeon\" (expected one of: tcp-connect, tcp-listen, spool-dir, tail-file)"))
        #expect(messages.contains(
            "test.toml:14: feeds[0].framing: unknown framing \"morse\" (expected one of: lf, stx-etx, length-prefix, file)"))
    }

    @Test func duplicateFeedNamesNameBothLines() {
        let feed = """

            [[feeds]]
            name = "aodb"
            format = "jsonl"
            transport = "spool-dir"
            path = "/tmp/x"
            """
        let found = errors(Self.minimal + feed + feed)
        #expect(found.map(\.description) == ["test.toml:16: feeds[1].name: duplicate feed name \"aodb\" (also on line 11)"])
    }

    @Test func transportRequirementsAreChecked() {
        let text = Self.minimal + """

            [[feeds]]
            name = "a"
            format = "jsonl"
            transport = "tcp-connect"
            allow = ["10.0.0.0/8"]
            """
        let messages = errors(text).map(\.description)
        #expect(messages.contains("test.toml:10: feeds[0].address: required for transport \"tcp-connect\""))
        #expect(messages.contains("test.toml:14: feeds[0].allow: only a tcp-listen feed accepts connections; remove allow"))
    }

    @Test func outOfRangeAndBadTimezoneAreRefused() {
        let text = Self.minimal.replacingOccurrences(of: "Europe/Zurich", with: "Europe/Atlantis") + """

            [events]
            delay_threshold_minutes = 0
            """
        let messages = errors(text).map(\.description)
        #expect(messages.contains {
            $0.hasPrefix("test.toml:3: airport.timezone: unknown time zone \"Europe/Atlantis\"")
        })
        #expect(messages.contains("test.toml:11: events.delay_threshold_minutes: 0 is out of range (1 to 1440)"))
    }

    @Test func syntaxErrorsNameTheLine() {
        #expect(errors("[airport]\niata = ZRH\n").map(\.description) == [
            "test.toml:2: invalid value 'ZRH' (strings need quotes)"
        ])
        #expect(errors("[airport\n").first?.line == 1)
        #expect(errors("a = 1\na = 2\n").first?.description == "test.toml:2: key 'a' is defined twice (first on line 1)")
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: ConfigurationErrors.self) { try GatewayConfig.load(path: "/nonexistent/flightedge.toml") }
    }

    @Test func redactedOutputMasksPasswordsInTheDatabaseURL() throws {
        let text = Self.minimal.replacingOccurrences(
            of: "postgresql:///flightedge", with: "postgresql://fe:s3cret@db/flightedge?sslmode=require&password=other")
        let config = try GatewayConfig.parse(text, source: "test.toml")
        let printed = config.redacted()
        #expect(!printed.contains("s3cret"))
        #expect(!printed.contains("other"))
        #expect(printed.contains("postgresql://fe:***@db/flightedge?sslmode=require&password=***"))
        #expect(GatewayConfig.maskPassword(in: "host=db password=hunter2 dbname=x") == "host=db password=*** dbname=x")
    }

    @Test func defaultPathHonoursTheEnvironment() {
        setenv("FLIGHTEDGE_CONFIG", "/tmp/other.toml", 1)
        #expect(GatewayConfig.defaultPath == "/tmp/other.toml")
        unsetenv("FLIGHTEDGE_CONFIG")
        #expect(GatewayConfig.defaultPath == "/etc/flightedge/flightedge.toml")
    }
}
