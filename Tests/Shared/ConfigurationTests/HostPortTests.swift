import Configuration
import Testing

@Suite struct HostPortTests {
    @Test(arguments: [
        ("localhost:7001", "localhost", 7001),
        ("10.20.0.5:7001", "10.20.0.5", 7001),
        ("0.0.0.0:7002", "0.0.0.0", 7002),
        ("aodb-1.ops.zrh.example:65535", "aodb-1.ops.zrh.example", 65535),
        ("[::1]:7002", "::1", 7002),
        ("[fd00::5]:1", "fd00::5", 1),
    ])
    func acceptsNamesIPv4AndBracketedIPv6(text: String, host: String, port: Int) throws {
        let parsed = try HostPort(parsing: text)
        #expect(parsed == HostPort(host: host, port: port))
        #expect(parsed.description == text)
    }

    @Test(arguments: [
        ("nowhere", "expected host:port, got \"nowhere\""),
        (":7001", "the host is missing (write 0.0.0.0 to listen on every address)"),
        ("host:0", "port \"0\" is not a number from 1 to 65535"),
        ("host:65536", "port \"65536\" is not a number from 1 to 65535"),
        ("host:+80", "port \"+80\" is not a number from 1 to 65535"),
        ("host:", "port \"\" is not a number from 1 to 65535"),
        ("::1:7002", "an IPv6 address needs brackets: [::1]:7002"),
        ("[::1]7002", "expected [IPv6]:port, got \"[::1]7002\""),
        ("[10.0.0.1]:7002", "\"10.0.0.1\" is not an IPv6 address"),
        ("10.20.0.300:7001", "\"10.20.0.300\" is not an IPv4 address"),
        ("bad_name:7001", "\"bad_name\" is not a host name or address"),
        ("-dash.example:7001", "\"-dash.example\" is not a host name or address"),
    ])
    func refusesWhatIsNotAnEndpointAndSaysWhy(text: String, message: String) {
        #expect(throws: ParseProblem(message)) { try HostPort(parsing: text) }
    }
}
