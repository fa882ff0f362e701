import Testing

@testable import FlightModel

@Suite struct UUIDv5Tests {
    @Test func matchesPythonsUUID5ForTheDNSNamespace() {
        // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        #expect(
            UUIDv5.string(UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "python.org"))
                == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
    }

    @Test func matchesPythonsUUID5ForNamesSpanningSeveralBlocks() {
        #expect(
            UUIDv5.string(UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: String(repeating: "x", count: 40)))
                == "e56fd57a-7633-5e1d-8f80-70e05ac413e5")
        #expect(
            UUIDv5.string(UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: String(repeating: "y", count: 200)))
                == "78cb012c-7548-553d-9be4-4d2fe437d0ac")
    }

    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (String(repeating: "a", count: 55), "c1c8bbdc22796e28c0e15163d20899b65621d65a"),
        (String(repeating: "a", count: 56), "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
        (String(repeating: "a", count: 63), "03f09f5b158a7a8cdad920bddc29b81c18a551f5"),
        (String(repeating: "a", count: 64), "0098ba824b5c16427bd7a1122a5a442a25ec644d"),
        (String(repeating: "a", count: 119), "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"),
        (String(repeating: "a", count: 120), "f34c1488385346a55709ba056ddd08280dd4c6d6"),
        (String(repeating: "a", count: 128), "ad5b3fdbcb526778c2839d2f151ea753995e26a0"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
    ])
    func sha1MatchesTheStandardVectorsAtEveryPaddingBoundary(message: String, digest: String) {
        let hex = SHA1.hash(Array(message.utf8)).map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
            .joined()
        #expect(hex == digest)
    }

    @Test func setsTheVersionAndVariantBits() {
        for name in ["a", "LX1234-20261124-D/1/delay", ""] {
            let bytes = UUIDv5.make(namespace: UUIDv5.urlNamespace, name: name)
            #expect(bytes.count == 16)
            #expect(bytes[6] >> 4 == 5)
            #expect(bytes[8] >> 6 == 0b10)
        }
    }

    @Test func readsTextBackIntoBytes() {
        #expect(UUIDv5.bytes("6ba7b810-9dad-11d1-80b4-00c04fd430c8") == UUIDv5.dnsNamespace)
        #expect(UUIDv5.bytes("6BA7B811-9DAD-11D1-80B4-00C04FD430C8") == UUIDv5.urlNamespace)
        #expect(UUIDv5.bytes("6ba7b810-9dad-11d1-80b4-00c04fd430c") == nil)
        #expect(UUIDv5.bytes("6ba7b810x9dad-11d1-80b4-00c04fd430c8") == nil)
        #expect(UUIDv5.bytes("6ba7b810-9dad-11d1-80b4-00c04fd430cg") == nil)
    }
}
