import Configuration
import Foundation
import Testing

/// Each kind of mistake, with the exact message an operator reads: file, line, key, what is wrong.
@Suite struct ConfigurationValidationTests {
    @Test func unknownTableIsNamedWithItsLine() {
        #expect(
            problems(minimal(plus: "[radar]\nrange = 3")) == [
                "test.toml:10: radar: unknown table [radar] (known: airport, database, mqtt, events, http, housekeeping, boards, feeds)"
            ])
    }

    @Test func unknownTableCloseToAKnownOneGetsASuggestion() {
        #expect(
            problems(minimal(plus: "[housekeep]\nretain_hours = 3")) == [
                "test.toml:10: housekeep: unknown table [housekeep]; did you mean `housekeeping`?"
            ])
        #expect(
            problems(minimal(plus: "[[feed]]\nname = \"a\"")) == [
                "test.toml:10: feed: unknown table [[feed]]; did you mean `feeds`?"
            ])
    }

    @Test func unknownKeySuggestsTheClosestOne() {
        #expect(
            problems(minimal(plus: "[events]\ndelay_treshold_minutes = 10")) == [
                "test.toml:11: events.delay_treshold_minutes: unknown key; did you mean `delay_threshold_minutes`?"
            ])
        #expect(
            problems(minimalConfiguration + "\nprot = 1883") == [
                "test.toml:10: mqtt.prot: unknown key; did you mean `port`?"
            ])
    }

    @Test func unknownKeyWithoutACloseMatchListsTheKnownKeys() {
        #expect(
            problems(minimal(plus: "[http]\nlisten = \"127.0.0.1:9187\"\nthreads = 4")) == [
                "test.toml:12: http.threads: unknown key (known: listen)"
            ])
    }

    @Test func keyBeforeTheFirstHeaderIsPointedToItsTable() {
        #expect(
            problems("retain_hours = 5\n" + minimalConfiguration) == [
                "test.toml:1: retain_hours: unknown key; `retain_hours` belongs in [housekeeping] (a key before the first table header is top-level)"
            ])
    }

    @Test func aPasswordWrittenIntoTheFileIsRefusedWithTheWayToDoIt() {
        #expect(
            problems(minimalConfiguration + "\npassword = \"hunter2\"") == [
                "test.toml:10: mqtt.password: unknown key; a password never goes in this file: write it to a file and name that file in `password_file`"
            ])
    }

    @Test func wrongTypeSaysWhatWasExpectedAndWhatWasFound() {
        #expect(
            problems(minimalConfiguration + "\nport = \"1883\"") == [
                "test.toml:10: mqtt.port: expected an integer, found a string"
            ])
        #expect(
            problems(minimalConfiguration + "\nkeepalive = 2.5") == [
                "test.toml:10: mqtt.keepalive: expected an integer, found a float"
            ])
        #expect(
            problems(minimalConfiguration.replacingOccurrences(of: "iata = \"ZRH\"", with: "iata = 123")) == [
                "test.toml:2: airport.iata: expected a string, found an integer"
            ])
        #expect(
            problems(minimal(plus: "[http]\nlisten = [\"127.0.0.1:9187\"]")) == [
                "test.toml:11: http.listen: expected a string, found an array"
            ])
        #expect(
            problems("events = 5\n" + minimalConfiguration) == [
                "test.toml:1: events: expected a table [events], found an integer"
            ])
    }

    @Test func missingRequiredKeysNameTheLineOfTheirTable() {
        #expect(
            problems("[airport]\niata = \"ZRH\"\n[database]\n[mqtt]\nport = 1883\n[http]\n") == [
                "test.toml:1: airport.timezone: required key is missing",
                "test.toml:3: database.url: required key is missing",
                "test.toml:4: mqtt.host: required key is missing",
                "test.toml:6: http.listen: required key is missing",
            ])
    }

    @Test func missingRequiredTablesHaveNoLine() {
        #expect(
            problems("[airport]\niata = \"ZRH\"\ntimezone = \"UTC\"\n") == [
                "test.toml: database: required table [database] is missing",
                "test.toml: mqtt: required table [mqtt] is missing",
            ])
        #expect(problems("").count == 3)
    }

    @Test func outOfRangeNumbersGiveTheRange() {
        let text =
            minimalConfiguration + """

                port = 65536
                state_qos = 2
                keepalive = 1
                max_inflight = 0
                [events]
                delay_threshold_minutes = 0
                delay_step_minutes = 1441
                [housekeeping]
                retain_hours = -1
                """
        #expect(
            problems(text) == [
                "test.toml:10: mqtt.port: 65536 is out of range (1 to 65535)",
                "test.toml:11: mqtt.state_qos: 2 is out of range (0 to 1)",
                "test.toml:12: mqtt.keepalive: 1 is out of range (5 to 3600)",
                "test.toml:13: mqtt.max_inflight: 0 is out of range (1 to 65535)",
                "test.toml:15: events.delay_threshold_minutes: 0 is out of range (1 to 1440)",
                "test.toml:16: events.delay_step_minutes: 1441 is out of range (1 to 1440)",
                "test.toml:18: housekeeping.retain_hours: -1 is out of range (1 to 720)",
            ])
    }

    @Test func badTimeZoneAndAirportCodeAreRefused() {
        let text =
            minimalConfiguration
            .replacingOccurrences(of: "Europe/Zurich", with: "Europe/Atlantis")
            .replacingOccurrences(of: "\"ZRH\"", with: "\"zrh\"")
        #expect(
            problems(text) == [
                "test.toml:2: airport.iata: \"zrh\" is not an IATA airport code (three capital letters, e.g. \"ZRH\")",
                "test.toml:3: airport.timezone: unknown time zone \"Europe/Atlantis\" (expected an IANA name such as \"Europe/Zurich\")",
            ])
    }

    @Test func badHTTPListenAddressIsRefused() {
        #expect(
            problems(minimal(plus: "[http]\nlisten = \"127.0.0.1:99999\"")) == [
                "test.toml:11: http.listen: port \"99999\" is not a number from 1 to 65535"
            ])
        #expect(
            problems(minimal(plus: "[http]\nlisten = \"9187\"")) == [
                "test.toml:11: http.listen: expected host:port, got \"9187\""
            ])
    }

    @Test func databaseURLMustBeALibpqConnectionString() {
        #expect(
            problems(minimalConfiguration.replacingOccurrences(of: "postgresql:///flightedge", with: "flightedge")) == [
                "test.toml:6: database.url: \"flightedge\" is not a libpq connection string (expected postgresql://… or key=value pairs)"
            ])
    }

    @Test func mqttSettingsThatOnlyWorkTogetherAreChecked() {
        let text = """
            [airport]
            iata = "ZRH"
            timezone = "Europe/Zurich"
            [database]
            url = "postgresql:///flightedge"
            [mqtt]
            host = "broker:1883"
            topic_prefix = "flightedge/"
            password_file = "/etc/flightedge/mqtt.password"
            cert_file = "/etc/flightedge/client.pem"
            """
        #expect(
            problems(text) == [
                "test.toml:7: mqtt.host: \"broker:1883\" is not a host name or address (the port goes in `port`)",
                "test.toml:8: mqtt.topic_prefix: \"flightedge/\" cannot start a topic (no '#', '+', leading '$' or '/', trailing '/')",
                "test.toml:9: mqtt.password_file: a password needs a user name: set username too",
                "test.toml:10: mqtt.cert_file: a client certificate needs its key: set key_file too",
                "test.toml:10: mqtt.cert_file: a client certificate needs TLS: set ca_file too",
            ])
    }

    @Test func syntaxErrorsAreAllReportedAndSettingsWaitUntilTheyAreFixed() {
        let text = """
            [airport]
            iata = ZRH
            timezone = "Europe/Atlantis"
            [database
            url = "x"
            """
        #expect(
            problems(text) == [
                "test.toml:2: invalid value 'ZRH' (strings need quotes)",
                "test.toml:4: expected ']' to close the table header",
            ])
    }

    @Test func everyProblemIsReportedAtOnceInLineOrder() {
        let text = """
            [airport]
            iata = "ZRH"
            timezone = "Europe/Zurich"
            colour = "blue"
            [mqtt]
            host = "127.0.0.1"
            port = 0
            [[feeds]]
            name = "a"
            format = "xml"
            transport = "tcp-connect"
            """
        #expect(
            problems(text) == [
                "test.toml: database: required table [database] is missing",
                "test.toml:4: airport.colour: unknown key (known: iata, timezone)",
                "test.toml:7: mqtt.port: 0 is out of range (1 to 65535)",
                "test.toml:8: feeds[0].address: required for transport \"tcp-connect\"",
                "test.toml:10: feeds[0].format: unknown format \"xml\" (expected one of: aidx, mvt, csv, jsonl, sql)",
            ])
    }

    @Test func errorsCarryTheirPartsAsData() throws {
        let error = try #require(
            #require(throws: ConfigurationErrors.self) {
                try GatewayConfig.parse(minimalConfiguration + "\nport = \"x\"", source: "conf/x.toml")
            }.errors.first)
        #expect(
            error
                == ConfigurationError(
                    source: "conf/x.toml", line: 10, key: "mqtt.port", message: "expected an integer, found a string"))
    }
}
