import Configuration
import FlightModel
import Foundation
import Testing

/// The files in `conf/` that people copy: they must load, and say what the documentation says.
@Suite struct ExampleConfigurationTests {
    static let conf = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("conf")

    @Test func theProductionExampleLoadsWithItsFourFeeds() throws {
        let config = try GatewayConfig.load(path: Self.conf.appendingPathComponent("flightedge.toml").path)
        #expect(config.airport == AirportConfig(iata: "ZRH", timezone: "Europe/Zurich"))
        #expect(config.database == DatabaseConfig(url: "postgresql:///flightedge?host=/run/postgresql"))
        #expect(
            config.mqtt
                == MQTTConfig(
                    host: "127.0.0.1", port: 1883, clientID: "flightedge-zrh", topicPrefix: "flightedge",
                    username: "flightedge", passwordFile: "/etc/flightedge/mqtt.password"))
        #expect(config.events == EventsConfig(delayThresholdMinutes: 15, delayStepMinutes: 5))
        #expect(config.http == HTTPConfig(listen: HostPort(host: "127.0.0.1", port: 9187)))
        #expect(config.housekeeping == HousekeepingConfig(retainHours: 12))
        #expect(config.feeds.map(\.name) == ["aodb", "fids-drop", "typeb", "integrations"])
        #expect(
            config.feeds[0]
                == FeedConfig(
                    name: "aodb", format: .aidx, transport: .tcpConnect,
                    address: HostPort(host: "10.20.0.5", port: 7001),
                    framing: .stxEtx, maxFrameBytes: 1_048_576, precedence: 10, staleAfterSeconds: 300,
                    idleTimeoutSeconds: 600))
        let fids = config.feeds[1]
        #expect(fids.format == .csv && fids.transport == .spoolDir && fids.framing == .lf && fids.precedence == 5)
        #expect(fids.options["delimiter"] == .string(";"))
        #expect(fids.options["columns"]?.table?["flight"] == .string("FLT"))
        #expect(fids.options["status_map"]?.table?["CX"] == .string("cancelled"))
        #expect(
            config.feeds[3]
                == FeedConfig(
                    name: "integrations", format: .jsonl, transport: .tcpListen,
                    address: HostPort(host: "10.20.0.10", port: 7002), framing: .lf,
                    allow: [try CIDR(parsing: "10.20.0.0/24")], maxConnections: 32, idleTimeoutSeconds: 300))
        #expect(
            config.feeds[2]
                == FeedConfig(
                    name: "typeb", format: .mvt, transport: .tailFile, path: "/var/log/sita/typeb.log", framing: .stxEtx,
                    precedence: 8))
    }

    @Test func theProductionExampleCommentsEveryKey() throws {
        let text = try String(contentsOf: Self.conf.appendingPathComponent("flightedge.toml"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where line.contains("=") && !line.hasPrefix("#") {
            let commentAbove = index > 0 && lines[index - 1].hasPrefix("#")
            #expect(commentAbove || line.contains(" # "), "line \(index + 1) has no comment: \(line)")
        }
    }

    @Test func theDevelopmentConfigPointsAtTheLoopbackServices() throws {
        let config = try GatewayConfig.load(path: Self.conf.appendingPathComponent("flightedge.dev.toml").path)
        #expect(config.airport.iata == "ZRH")
        #expect(config.database == DatabaseConfig(url: "postgresql://flightedge@127.0.0.1:25432/flightedge"))
        #expect(
            config.mqtt
                == MQTTConfig(
                    host: "127.0.0.1", port: 21883, clientID: "flightedge-zrh", username: "flightedge",
                    passwordFile: ".scratch/mosquitto/flightedge.password"))
        #expect(config.http?.listen == HostPort(host: "127.0.0.1", port: 29187))
        #expect(
            config.feeds == [
                FeedConfig(
                    name: "sim", format: .jsonl, transport: .tcpListen,
                    address: HostPort(host: "127.0.0.1", port: 27002),
                    framing: .lf, allow: [try CIDR(parsing: "127.0.0.0/8")]),
                FeedConfig(
                    name: "drop", format: .jsonl, transport: .spoolDir, path: ".scratch/spool/drop", framing: .lf),
            ])
    }
}
