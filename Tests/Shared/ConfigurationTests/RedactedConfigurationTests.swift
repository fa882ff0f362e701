import Configuration
import Foundation
import Testing

/// `check-config` prints the effective configuration; no secret may appear in it.
@Suite struct RedactedConfigurationTests {
    @Test func aPasswordInTheDatabaseURLIsMasked() throws {
        let text = minimalConfiguration.replacingOccurrences(
            of: "postgresql:///flightedge", with: "postgresql://fe:s3cret@db/flightedge?sslmode=require&password=other")
        let printed = try GatewayConfig.parse(text, source: "test.toml").redacted()
        #expect(!printed.contains("s3cret"))
        #expect(!printed.contains("other"))
        #expect(printed.contains("url = \"postgresql://fe:***@db/flightedge?sslmode=require&password=***\""))
    }

    @Test(arguments: [
        ("postgresql://fe:s3cret@db:5432/flightedge", "postgresql://fe:***@db:5432/flightedge"),
        ("postgres://fe:p@ss@db/flightedge", "postgres://fe:***@db/flightedge"),
        ("postgresql://fe@db/flightedge", "postgresql://fe@db/flightedge"),
        ("postgresql:///flightedge?host=/run/postgresql", "postgresql:///flightedge?host=/run/postgresql"),
        ("postgresql://db/flightedge?user=fe&PASSWORD=x", "postgresql://db/flightedge?user=fe&password=***"),
        ("host=db password=hunter2 dbname=x", "host=db password=*** dbname=x"),
        ("host=db password = 'two words \\' quoted' dbname=x", "host=db password = *** dbname=x"),
        ("host=db dbname=x", "host=db dbname=x"),
    ])
    func maskPasswordHidesEveryFormOfPassword(conninfo: String, masked: String) {
        #expect(GatewayConfig.maskPassword(in: conninfo) == masked)
    }

    @Test func secretLookingOptionsAreMasked() throws {
        let text = minimal(
            plus: """
                [[feeds]]
                name = "a"
                format = "csv"
                transport = "spool-dir"
                path = "/x"
                [feeds.options]
                api_token = "abc123"
                nested = { password = "zzz", delimiter = ";" }
                """)
        let printed = try GatewayConfig.parse(text, source: "test.toml").redacted()
        #expect(!printed.contains("abc123") && !printed.contains("zzz"))
        #expect(printed.contains("api_token = \"***\""))
        #expect(printed.contains("nested = { delimiter = \";\", password = \"***\" }"))
    }

    @Test func theOutputParsesBackToTheSameConfiguration() throws {
        let conf = ExampleConfigurationTests.conf
        for file in ["flightedge.toml", "flightedge.dev.toml"] {
            let config = try GatewayConfig.load(path: conf.appendingPathComponent(file).path)
            let reparsed = try GatewayConfig.parse(config.redacted(), source: "redacted \(file)")
            #expect(reparsed == config)
        }
        let withOptions = try GatewayConfig.parse(
            minimal(
                plus: """
                    [[feeds]]
                    name = "a"
                    format = "csv"
                    transport = "spool-dir"
                    path = "/x \\"quoted\\"\\ttab"
                    [feeds.options]
                    "odd key" = ["x", "y"]
                    map = { DX = "cancelled", inner = { n = 1, on = false } }
                    """), source: "test.toml")
        #expect(try GatewayConfig.parse(withOptions.redacted(), source: "redacted") == withOptions)
    }

    @Test func theOutputShowsDefaultsFilledIn() throws {
        let printed = try GatewayConfig.parse(minimalConfiguration, source: "test.toml").redacted()
        #expect(printed.contains("client_id = \"flightedge-zrh\""))
        #expect(printed.contains("delay_threshold_minutes = 15"))
        #expect(printed.contains("retain_hours = 12"))
    }
}
