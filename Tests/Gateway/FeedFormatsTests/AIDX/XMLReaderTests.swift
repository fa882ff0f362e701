@testable import FeedFormats
import Testing

@Suite("XML reader")
struct XMLReaderTests {
    private func parse(_ text: String, maxBytes: Int = 1 << 20, maxDepth: Int = 64) throws(DecodeError) -> XMLDocument {
        var reader = XMLReader()
        reader.maxBytes = maxBytes
        reader.maxDepth = maxDepth
        return try reader.parse(Array(text.utf8))
    }

    private func failure(_ text: String, maxBytes: Int = 1 << 20, maxDepth: Int = 64) -> DecodeError? {
        do {
            _ = try parse(text, maxBytes: maxBytes, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }

    @Test func resolvesDefaultAndPrefixedNamespacesPerScope() throws {
        let document = try parse(
            #"<?xml version="1.0"?><s:Envelope xmlns:s="urn:soap"><s:Body><Msg xmlns="urn:a"><x:Leg xmlns:x="urn:a" Id="1"/><Other xmlns=""/></Msg></s:Body></s:Envelope>"#)
        let names = (0..<document.count).map { "\(document[$0].namespace)|\(document[$0].name)" }
        #expect(names == ["urn:soap|Envelope", "urn:soap|Body", "urn:a|Msg", "urn:a|Leg", "|Other"])
        #expect(document[3].attribute("Id") == "1")
        #expect(document.children(of: 2, "urn:a", "Leg") == [3])
        #expect(Array(document.descendants(of: 1)) == [2, 3, 4])
    }

    @Test func decodesEntitiesCharacterReferencesAndCDATA() throws {
        let document = try parse(#"<a t="x &amp; &#65;&#x42;">1 &lt; 2 <![CDATA[<raw> & ]]>&quot;ok&apos;</a>"#)
        #expect(document[0].attribute("t") == "x & AB")
        #expect(document[0].text == "1 < 2 <raw> & \"ok'")
    }

    @Test func refusesADoctypeSoNoEntityCanBeExpanded() {
        let error = failure(#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>"#)
        #expect(error?.message.contains("DOCTYPE") == true)
        #expect(error?.location == "byte 21 (line 1)")
    }

    @Test func refusesUnknownEntities() {
        #expect(failure("<a>&nbsp;</a>")?.message.contains("unknown entity &nbsp;") == true)
    }

    @Test func aTruncatedDocumentNamesTheOpenElement() {
        let error = failure("<a>\n<b>\n<c>text")
        #expect(error?.message == "document ends inside <c> (truncated?)")
        #expect(error?.location == "byte 15 (line 3)")
    }

    @Test func mismatchedEndTagIsRefused() {
        #expect(failure("<a><b></a></b>")?.message == "end tag </a> does not match <b>")
    }

    @Test func undeclaredPrefixIsRefused() {
        #expect(failure("<x:a/>")?.message == "undeclared namespace prefix \"x\"")
    }

    @Test func invalidUTF8IsRefusedWithItsOffset() {
        var bytes = Array("<a>ok ".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("</a>".utf8)
        #expect(throws: DecodeError.self) { try XMLReader().parse(bytes) }
    }

    @Test func depthAndSizeAreCapped() {
        let deep = String(repeating: "<a>", count: 70) + String(repeating: "</a>", count: 70)
        #expect(failure(deep)?.message == "elements nested deeper than 64")
        #expect(failure("<a>" + String(repeating: "x", count: 200) + "</a>", maxBytes: 100)?.message.contains("exceeds the 100-byte limit") == true)
    }

    @Test func textOutsideTheRootAndASecondRootAreRefused() {
        #expect(failure("<a/>junk")?.message == "text outside the root element")
        #expect(failure("<a/><b/>")?.message == "a second root element")
        #expect(failure("   ")?.message == "no root element")
    }

    @Test func lessThanInAnAttributeIsRefused() {
        #expect(failure(#"<a x="1<2"/>"#)?.message == "\"<\" in an attribute value")
    }

    @Test func commentsAndProcessingInstructionsAreSkipped() throws {
        let document = try parse("\u{FEFF}<?xml version=\"1.0\"?><!-- c --><a><!-- inner --><?pi x?>t</a><!-- after -->")
        #expect(document[0].name == "a")
        #expect(document[0].text == "t")
    }

    // MARK: Hostile documents (issue 18): time linear in the input, memory a bounded factor of it

    /// Seconds `body` takes.
    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// How much longer parsing `make(n)` takes than parsing `make(n / 8)`, the best of three
    /// runs each: about 8 when the work is linear, about 64 when it is quadratic. A ratio and not
    /// a wall-time limit, so that a loaded machine, which slows both sizes, does not fail it.
    private func growth(_ n: Int, maxBytes: Int, _ make: (Int) -> String) throws -> Double {
        let small = Array(make(n / 8).utf8)
        let large = Array(make(n).utf8)
        func best(_ bytes: [UInt8]) throws -> Double {
            var fastest = Double.infinity
            for _ in 0..<3 {
                var reader = XMLReader()
                reader.maxBytes = maxBytes
                fastest = min(fastest, try seconds { _ = try reader.parse(bytes) })
            }
            return fastest
        }
        return try best(large) / max(try best(small), 1e-6)
    }

    @Test func ninetyFiveThousandAttributesOnOneElementParseInLinearTime() throws {
        // 1.0 MB, under the default frame limit: each attribute compared with all before took
        // 7.9 s in a release build (debug: minutes).
        func element(_ count: Int) -> String {
            "<r " + (0..<count).map { "a\($0)=\"v\"" }.joined(separator: " ") + "/>"
        }
        #expect(try parse(element(95_000), maxBytes: 2 << 20)[0].attributes.count == 95_000)
        let ratio = try growth(95_000, maxBytes: 2 << 20, element)
        #expect(ratio < 24, "8 times the attributes took \(ratio) times as long (linear: ~8, quadratic: ~64)")
    }

    @Test func aRepeatedAttributeAmongManyIsStillFound() {
        let attributes = (0..<1_000).map { "a\($0)=\"v\"" }.joined(separator: " ")
        #expect(failure("<r \(attributes) a500=\"again\"/>")?.message == "attribute a500 repeated")
        #expect(failure(#"<r a="1" b="2" a="3"/>"#)?.message == "attribute a repeated")
    }

    @Test func fortyThousandPrefixesResolveInLinearTime() throws {
        func document(_ count: Int) -> String {
            let declarations = (0..<count).map { "xmlns:p\($0)=\"urn:p\($0)\"" }.joined(separator: " ")
            let uses = (0..<count).map { "p\($0):a=\"v\"" }.joined(separator: " ")
            return "<r \(declarations)><x \(uses)/></r>"
        }
        #expect(try parse(document(40_000), maxBytes: 4 << 20)[1].attribute("urn:p39999", "a") == "v")
        let ratio = try growth(40_000, maxBytes: 4 << 20, document)
        #expect(ratio < 24, "8 times the prefixes took \(ratio) times as long (linear: ~8, quadratic: ~64)")
    }

    @Test func aPrefixDeclaredInsideAnElementEndsWithIt() {
        #expect(failure(#"<r><a xmlns:p="urn:p"><p:b/></a><p:c/></r>"#)?.message == "undeclared namespace prefix \"p\"")
    }

    /// Found by the fuzzer (CI's aidx target): `xmlns:` with no prefix was bound as the prefix
    /// "", and closing its element popped the default namespace's scope instead, down to none:
    /// the next unprefixed name trapped. It is refused where it stands.
    @Test func aNamespaceDeclarationWithoutAPrefixIsRefused() {
        #expect(failure(#"<r><a xmlns:="3"/><b/></r>"#)?.message == "namespace declaration xmlns: without a prefix")
        #expect(failure(#"<r xmlns="urn:d"><a xmlns:="urn:x"></a><b/></r>"#)?.message == "namespace declaration xmlns: without a prefix")
    }

    @Test func aMillionEmptyElementsTakeAtMostFourteenBytesOfNodesPerInputByte() throws {
        let text = "<r>" + String(repeating: "<a/>", count: 999_999) + "</r>"
        let document = try parse(text, maxBytes: 8 << 20)
        #expect(document.count == 1_000_000)
        #expect(MemoryLayout<XMLDocument.Node>.stride * document.count <= 14 * text.utf8.count)
        #expect(document.strings.count == 3, "names stored once: \(document.strings)")
    }
}
