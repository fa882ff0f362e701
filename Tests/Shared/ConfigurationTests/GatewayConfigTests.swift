import Configuration
import FlightModel
import Foundation
import Testing

@Suite struct GatewayConfigTests {
    @Test func defaultsFillWhatIsLeftOut() throws {
        let config = try GatewayConfig.parse(minimalConfiguration, source: "test.toml")
        #expect(config.airport == AirportConfig(iata: "ZRH", timezone: "Europe/Zurich"))
        // The rules the loader read to validate the name, kept with the configuration.
        #expect(config.airport.zone.identifier == "Europe/Zurich")
        #expect(config.airport.zone.origin == .zoneinfo(path: "/usr/share/zoneinfo/Europe/Zurich"))
        #expect(config.database == DatabaseConfig(url: "postgresql:///flightedge", passwordFile: nil))
        #expect(config.mqtt == MQTTConfig(host: "127.0.0.1", clientID: "flightedge-zrh"))
        #expect(config.mqtt.port == 1883)
        #expect(config.mqtt.topicPrefix == "flightedge")
        #expect(config.mqtt.stateQoS == 1)
        #expect(config.mqtt.keepaliveSeconds == 30)
        #expect(config.mqtt.maxInflight == 100)
        #expect(!config.mqtt.usesTLS)
        #expect(config.events == EventsConfig(delayThresholdMinutes: 15, delayStepMinutes: 5))
        #expect(config.http == nil)
        #expect(config.feeds.isEmpty)
        #expect(config.housekeeping == HousekeepingConfig(retainHours: 12))
    }

    @Test func everyKeyIsReadIntoTheModel() throws {
        let config = try GatewayConfig.parse(
            """
            [airport]
            iata = "LHR"
            timezone = "Europe/London"
            [database]
            url = "host=/run/postgresql dbname=flightedge"
            password_file = "/etc/flightedge/db.password"
            [mqtt]
            host = "broker.lhr.example"
            port = 8883
            client_id = "fe-lhr-1"
            topic_prefix = "airports/fe"
            username = "gateway"
            password_file = "/etc/flightedge/mqtt.password"
            ca_file = "/etc/flightedge/ca.pem"
            cert_file = "/etc/flightedge/client.pem"
            key_file = "/etc/flightedge/client.key"
            state_qos = 0
            keepalive = 60
            max_inflight = 20
            [events]
            delay_threshold_minutes = 30
            delay_step_minutes = 10
            [http]
            listen = "[::1]:9187"
            [housekeeping]
            retain_hours = 48
            [[feeds]]
            name = "partner_1"
            format = "mvt"
            transport = "tcp-listen"
            address = "[::]:7003"
            framing = "length-prefix"
            max_frame_bytes = 64
            precedence = -5
            allow = ["192.0.2.0/24", "2001:db8::/32", "198.51.100.7"]
            stale_after = 900
            max_connections = 2
            idle_timeout = 30
            """, source: "test.toml")
        #expect(config.airport.zone.identifier == "Europe/London")
        #expect(
            config.database
                == DatabaseConfig(
                    url: "host=/run/postgresql dbname=flightedge", passwordFile: "/etc/flightedge/db.password"))
        #expect(
            config.mqtt
                == MQTTConfig(
                    host: "broker.lhr.example", port: 8883, clientID: "fe-lhr-1", topicPrefix: "airports/fe",
                    username: "gateway", passwordFile: "/etc/flightedge/mqtt.password",
                    caFile: "/etc/flightedge/ca.pem",
                    certFile: "/etc/flightedge/client.pem", keyFile: "/etc/flightedge/client.key", stateQoS: 0,
                    keepaliveSeconds: 60, maxInflight: 20))
        #expect(config.mqtt.usesTLS)
        #expect(config.events == EventsConfig(delayThresholdMinutes: 30, delayStepMinutes: 10))
        #expect(config.http == HTTPConfig(listen: HostPort(host: "::1", port: 9187)))
        #expect(config.housekeeping.retainHours == 48)
        let feed = try #require(config.feed(named: "partner_1"))
        #expect(
            feed
                == FeedConfig(
                    name: "partner_1", format: .mvt, transport: .tcpListen, address: HostPort(host: "::", port: 7003),
                    framing: .lengthPrefix, maxFrameBytes: 64, precedence: -5,
                    allow: [
                        try CIDR(parsing: "192.0.2.0/24"), try CIDR(parsing: "2001:db8::/32"),
                        try CIDR(parsing: "198.51.100.7/32"),
                    ],
                    staleAfterSeconds: 900, maxConnections: 2, idleTimeoutSeconds: 30))
        #expect(feed.allows(ipAddress: "2001:db8:5::9"))
        #expect(!feed.allows(ipAddress: "198.51.100.8"))
    }

    @Test func feedDefaultsDependOnTheTransport() throws {
        let config = try GatewayConfig.parse(
            minimal(
                plus: """
                    [[feeds]]
                    name = "listen"
                    format = "jsonl"
                    transport = "tcp-listen"
                    address = "127.0.0.1:7002"
                    [[feeds]]
                    name = "connect"
                    format = "aidx"
                    transport = "tcp-connect"
                    address = "aodb:7001"
                    [[feeds]]
                    name = "spool"
                    format = "csv"
                    transport = "spool-dir"
                    path = "/var/spool/fids"
                    [[feeds]]
                    name = "tail"
                    format = "mvt"
                    transport = "tail-file"
                    path = "/var/log/mvt.log"
                    """), source: "test.toml")
        #expect(config.feeds.map(\.framing) == [.lf, .lf, .lf, .lf])
        #expect(config.feeds[0].allow == FeedConfig.defaultAllow)
        #expect(config.feeds[0].allows(ipAddress: "127.0.0.1") && config.feeds[0].allows(ipAddress: "::1"))
        #expect(!config.feeds[0].allows(ipAddress: "10.0.0.1"))
        #expect(config.feeds[1...].allSatisfy { $0.allow.isEmpty })
        #expect(config.feeds.allSatisfy { $0.maxFrameBytes == 1_048_576 && $0.precedence == 0 })
        #expect(config.feeds.allSatisfy { $0.maxConnections == 64 && $0.idleTimeoutSeconds == 300 })
        #expect(config.feeds.allSatisfy { $0.staleAfterSeconds == nil && $0.options.isEmpty })
        #expect(
            config.feeds[2] == FeedConfig(name: "spool", format: .csv, transport: .spoolDir, path: "/var/spool/fids"))
    }

    @Test func feedOptionsAreKeptForTheDecoder() throws {
        let config = try GatewayConfig.parse(
            minimal(
                plus: """
                    [[feeds]]
                    name = "fids"
                    format = "csv"
                    transport = "spool-dir"
                    path = "/var/spool/fids"
                    [feeds.options]
                    delimiter = ";"
                    header = true
                    skip_rows = 2
                    columns = ["airline", "number", "gate"]
                    status_map = { DX = "cancelled", BO = "boarding" }
                    [feeds.options.time]
                    format = "dd.MM.yyyy HH:mm"
                    """), source: "test.toml")
        let options = config.feeds[0].options
        #expect(options["delimiter"]?.string == ";")
        #expect(options["header"]?.boolean == true)
        #expect(options["skip_rows"]?.integer == 2)
        #expect(options["columns"]?.strings == ["airline", "number", "gate"])
        #expect(options["status_map"]?.table == ["DX": .string("cancelled"), "BO": .string("boarding")])
        #expect(options["time"] == .table(["format": .string("dd.MM.yyyy HH:mm")]))
        #expect(options["delimiter"]?.integer == nil)
    }

    @Test func defaultPathHonoursTheEnvironment() {
        setenv("FLIGHTEDGE_CONFIG", "/tmp/other.toml", 1)
        #expect(GatewayConfig.defaultPath == "/tmp/other.toml")
        setenv("FLIGHTEDGE_CONFIG", "", 1)
        #expect(GatewayConfig.defaultPath == "/etc/flightedge/flightedge.toml")
        unsetenv("FLIGHTEDGE_CONFIG")
        #expect(GatewayConfig.defaultPath == "/etc/flightedge/flightedge.toml")
    }

    @Test func aMissingFileIsOneClearError() {
        #expect(
            throws: ConfigurationErrors([
                ConfigurationError(source: "/nonexistent/flightedge.toml", line: nil, key: "", message: "no such file")
            ])
        ) {
            try GatewayConfig.load(path: "/nonexistent/flightedge.toml")
        }
        #expect(
            throws: ConfigurationErrors([
                ConfigurationError(
                    source: "/tmp", line: nil, key: "", message: "is a directory, not a configuration file")
            ])
        ) {
            try GatewayConfig.load(path: "/tmp")
        }
    }

    @Test func aFileThatIsNotUTF8IsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fe-\(UUID().uuidString).toml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0x61, 0x20, 0x3D, 0x20, 0xFF, 0xFE])))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(
            throws: ConfigurationErrors([
                ConfigurationError(source: path, line: nil, key: "", message: "the file is not UTF-8 text")
            ])
        ) {
            try GatewayConfig.load(path: path)
        }
    }

    @Test func aFileIsLoadedWithItsPathAsTheSourceOfErrors() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fe-\(UUID().uuidString).toml").path
        try minimal(plus: "[events]\ndelay_step_minutes = 0\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(
            throws: ConfigurationErrors([
                ConfigurationError(
                    source: path, line: 11, key: "events.delay_step_minutes", message: "0 is out of range (1 to 1440)")
            ])
        ) {
            try GatewayConfig.load(path: path)
        }
    }
}
