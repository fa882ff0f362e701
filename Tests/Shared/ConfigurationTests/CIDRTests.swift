import Configuration
import Testing

@Suite struct CIDRTests {
    @Test func ipv4NetworkContainsItsAddressesOnly() throws {
        let lan = try CIDR(parsing: "10.20.0.0/24")
        #expect(lan.contains(ipAddress: "10.20.0.5"))
        #expect(lan.contains(ipAddress: "10.20.0.255"))
        #expect(!lan.contains(ipAddress: "10.20.1.5"))
        #expect(!lan.contains(ipAddress: "fd00::1"))
        #expect(!lan.contains(ipAddress: "not an address"))
    }

    @Test func ipv4MappedIPv6PeersMatchIPv4Networks() throws {
        let lan = try CIDR(parsing: "10.20.0.0/24")
        #expect(lan.contains(ipAddress: "::ffff:10.20.0.9"))
        #expect(!lan.contains(ipAddress: "::ffff:10.21.0.9"))
    }

    @Test func ipv6NetworksMatchWithAndWithoutZone() throws {
        let ula = try CIDR(parsing: "fd00::/8")
        #expect(ula.contains(ipAddress: "fd12:3456::1"))
        #expect(ula.contains(ipAddress: "fd12::1%eth0"))
        #expect(!ula.contains(ipAddress: "fe80::1"))
        #expect(!ula.contains(ipAddress: "10.20.0.5"))
    }

    @Test func aBareAddressIsOneHost() throws {
        let host = try CIDR(parsing: "127.0.0.1")
        #expect(host.prefixLength == 32)
        #expect(host.contains(ipAddress: "127.0.0.1"))
        #expect(!host.contains(ipAddress: "127.0.0.2"))
        #expect(try CIDR(parsing: "::1").prefixLength == 128)
    }

    @Test func zeroPrefixMatchesEveryAddressOfItsFamily() throws {
        let everyone = try CIDR(parsing: "0.0.0.0/0")
        #expect(everyone.contains(ipAddress: "203.0.113.9"))
        #expect(!everyone.contains(ipAddress: "2001:db8::1"))
    }

    @Test func descriptionIsTheCanonicalForm() throws {
        #expect(try CIDR(parsing: "10.20.0.0/24").description == "10.20.0.0/24")
        #expect(try CIDR(parsing: "FD00:0:0:0:0:0:0:0/8").description == "fd00::/8")
        #expect(try CIDR(parsing: "2001:db8:0:1:0:0:0:1").description == "2001:db8:0:1::1/128")
        #expect(CIDR.loopbackIPv4.description == "127.0.0.0/8")
        #expect(CIDR.loopbackIPv6.description == "::1/128")
    }

    @Test(arguments: [
        ("10.0.0.0/33", "prefix length in \"10.0.0.0/33\" must be 0 to 32"),
        ("fd00::/129", "prefix length in \"fd00::/129\" must be 0 to 128"),
        ("10.0.0.0/", "prefix length in \"10.0.0.0/\" must be 0 to 32"),
        ("10.0.0.0/8/8", "prefix length in \"10.0.0.0/8/8\" must be 0 to 32"),
        ("not-an-ip", "\"not-an-ip\" is not an address or network (expected e.g. 10.20.0.0/24)"),
        ("10.0.0", "\"10.0.0\" is not an address or network (expected e.g. 10.20.0.0/24)"),
        ("10.0.0.256", "\"10.0.0.256\" is not an address or network (expected e.g. 10.20.0.0/24)"),
        ("1:2:3:4:5:6:7:8:9", "\"1:2:3:4:5:6:7:8:9\" is not an address or network (expected e.g. 10.20.0.0/24)"),
        (
            "10.20.0.5/24",
            "\"10.20.0.5/24\" has bits set past the prefix: write 10.20.0.0/24 for the network or 10.20.0.5/32 for one host"
        ),
    ])
    func refusesWhatIsNotANetworkAndSaysWhy(text: String, message: String) {
        #expect(throws: ParseProblem(message)) { try CIDR(parsing: text) }
    }
}
