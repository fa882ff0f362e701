/// A small, strict, namespace-aware XML parser for feed messages.
///
/// It reads what AIDX senders produce — the XML declaration, elements, attributes, character
/// data, CDATA, comments, processing instructions, the five predefined entities and character
/// references — and refuses the rest with the byte offset and line of the problem:
/// - any `<!DOCTYPE` (no DTD, so no external or expanding entities: XXE is impossible);
/// - documents over `maxBytes`, elements nested deeper than `maxDepth`;
/// - malformed markup, mismatched or unclosed tags (a truncated document), undeclared prefixes,
///   invalid UTF-8, `<` in attribute values, text outside the root element.
///
/// It never recurses and never traps, whatever the input, and its time is linear in the input:
/// repeated attributes are found through a set, prefixes through a table of their bindings
/// (issue 18: 95,000 attributes on one element took 7.9 s when each was compared with all before).
struct XMLReader {
    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    var maxBytes = 8 << 20
    var maxDepth = 64
    var maxElements = 1_000_000

    func parse(_ bytes: [UInt8]) throws(DecodeError) -> XMLDocument {
        guard bytes.count <= maxBytes else {
            throw DecodeError("document of \(bytes.count) bytes exceeds the \(maxBytes)-byte limit")
        }
        var parser = Parser(bytes: bytes, limits: self)
        // At most one element per "<": reserved at once, the nodes never move while they grow.
        var openings = 0
        for byte in bytes where byte == UInt8(ascii: "<") { openings += 1 }
        parser.document.reserve(min(openings, maxElements))
        return try parser.run()
    }

    private struct Parser {
        let bytes: [UInt8]
        let limits: XMLReader
        var index = 0
        var document = XMLDocument()
        /// Open elements, innermost last: the element, where its qualified name is (for matching
        /// end tags), its last child so far, and the prefixes it declared (unbound at its end).
        var open: [(element: Int32, qualifiedName: Range<Int>, lastChild: Int32, declared: [String])] = []
        /// Namespace bindings in scope: each prefix's URIs (as the document numbers them),
        /// innermost last; the default namespace's apart (most names have no prefix).
        var bindings: [String: [Int32]] = [:]
        var defaultNamespace: [Int32] = [0]
        var rootClosed = false

        init(bytes: [UInt8], limits: XMLReader) {
            self.bytes = bytes
            self.limits = limits
        }

        mutating func run() throws(DecodeError) -> XMLDocument {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "<") {
                    try markup()
                } else {
                    try characterData()
                }
            }
            if let innermost = open.last {
                throw failure(
                    "document ends inside <\(String(decoding: bytes[innermost.qualifiedName], as: UTF8.self))> (truncated?)",
                    at: bytes.count)
            }
            guard document.count > 0 else { throw failure("no root element", at: bytes.count) }
            return document
        }

        // MARK: Markup

        mutating func markup() throws(DecodeError) {
            let start = index
            // Most markup is a tag: look at the second byte before trying each literal.
            let second = index + 1 < bytes.count ? bytes[index + 1] : 0
            if second != UInt8(ascii: "?") && second != UInt8(ascii: "!") && second != UInt8(ascii: "/") {
                try startTag()
            } else if second == UInt8(ascii: "/") {
                try endTag()
            } else if matches("<?") {
                try skip(past: "?>", what: "processing instruction", from: start)
            } else if matches("<!--") {
                try skip(past: "-->", what: "comment", from: start)
            } else if matches("<![CDATA[") {
                guard !open.isEmpty else { throw failure("CDATA outside the root element", at: start) }
                index += 9
                guard let end = find("]]>") else { throw failure("CDATA section not closed", at: start) }
                try appendText(bytes[index..<end], at: start)
                index = end + 3
            } else if matches("<!DOCTYPE") || matches("<!doctype") {
                throw failure("DOCTYPE declarations are refused (no DTDs or external entities)", at: start)
            } else if matches("<!") {
                throw failure("markup declarations are refused", at: start)
            } else if matches("</") {
                try endTag()
            } else {
                try startTag()
            }
        }

        mutating func startTag() throws(DecodeError) {
            let start = index
            index += 1
            if rootClosed { throw failure("a second root element", at: start) }
            let qualifiedName = try name(what: "element name")
            var rawAttributes: [(name: Range<Int>, value: String, offset: Int)] = []
            /// Names seen, once there are enough of them for comparing each with all to cost.
            var seen: Set<ArraySlice<UInt8>> = []
            var selfClosing = false
            while true {
                let hadSpace = skipSpace()
                guard index < bytes.count else { throw failure("document ends inside a start tag", at: start) }
                let byte = bytes[index]
                if byte == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                if byte == UInt8(ascii: "/") {
                    guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else {
                        throw failure("expected \"/>\"", at: index)
                    }
                    index += 2
                    selfClosing = true
                    break
                }
                guard hadSpace else { throw failure("expected whitespace before an attribute", at: index) }
                let attributeOffset = index
                let attributeName = try name(what: "attribute name")
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                    throw failure("attribute without \"=\"", at: index)
                }
                index += 1
                skipSpace()
                let value = try attributeValue()
                let repeated: Bool
                if rawAttributes.count < 8 {
                    repeated = rawAttributes.contains { bytes[$0.name] == bytes[attributeName] }
                } else {
                    if seen.isEmpty { seen = Set(rawAttributes.map { bytes[$0.name] }) }
                    repeated = !seen.insert(bytes[attributeName]).inserted
                }
                if repeated {
                    throw failure("attribute \(String(decoding: bytes[attributeName], as: UTF8.self)) repeated", at: attributeOffset)
                }
                rawAttributes.append((attributeName, value, attributeOffset))
            }
            guard open.count < limits.maxDepth else {
                throw failure("elements nested deeper than \(limits.maxDepth)", at: start)
            }
            guard document.count < limits.maxElements else {
                throw failure("more than \(limits.maxElements) elements", at: start)
            }

            // Namespace declarations first: they apply to this element's own name and attributes.
            var declared: [String] = []
            var attributes: [XMLAttribute] = []
            for attribute in rawAttributes {
                let name = bytes[attribute.name]
                if name.elementsEqual("xmlns".utf8) {
                    defaultNamespace.append(document.intern(attribute.value))
                    declared.append("")
                } else if name.starts(with: "xmlns:".utf8) {
                    let prefix = String(decoding: name.dropFirst(6), as: UTF8.self)
                    // An empty prefix would be taken for the default namespace when the element
                    // closes, and pop that scope instead (a trap found by the fuzzer).
                    guard !prefix.isEmpty else {
                        throw failure("namespace declaration xmlns: without a prefix", at: attribute.offset)
                    }
                    guard !attribute.value.isEmpty else {
                        throw failure("namespace prefix \(prefix) bound to an empty URI", at: attribute.offset)
                    }
                    bindings[prefix, default: []].append(document.intern(attribute.value))
                    declared.append(prefix)
                }
            }
            let (namespace, localName) = try resolve(bytes[qualifiedName], isAttribute: false, at: start)
            for attribute in rawAttributes {
                let name = bytes[attribute.name]
                if name.elementsEqual("xmlns".utf8) || name.starts(with: "xmlns:".utf8) { continue }
                let (attributeNamespace, attributeLocal) = try resolve(name, isAttribute: true, at: attribute.offset)
                attributes.append(XMLAttribute(
                    namespace: document.strings[Int(attributeNamespace)], name: document.strings[Int(attributeLocal)],
                    value: attribute.value))
            }
            let parent = open.last?.element ?? -1
            let element = document.append(
                XMLDocument.Node(
                    namespace: namespace, name: localName, parent: parent,
                    offset: Int32(start), attributes: attributes),
                previousSibling: open.last?.lastChild ?? -1)
            if !open.isEmpty { open[open.count - 1].lastChild = element }
            open.append((element, qualifiedName, -1, declared))
            if selfClosing { close() }
        }

        mutating func endTag() throws(DecodeError) {
            let start = index
            index += 2
            let qualifiedName = bytes[try name(what: "element name")]
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else {
                throw failure("expected \">\" to end the end tag", at: index)
            }
            index += 1
            guard let innermost = open.last else {
                throw failure("end tag </\(String(decoding: qualifiedName, as: UTF8.self))> without a start tag", at: start)
            }
            guard bytes[innermost.qualifiedName] == qualifiedName else {
                throw failure(
                    "end tag </\(String(decoding: qualifiedName, as: UTF8.self))> does not match "
                        + "<\(String(decoding: bytes[innermost.qualifiedName], as: UTF8.self))>", at: start)
            }
            close()
        }

        /// Ends the innermost open element: its namespace scope closes; the root ends the document.
        mutating func close() {
            guard let finished = open.popLast() else { return }
            for prefix in finished.declared {
                if prefix.isEmpty { defaultNamespace.removeLast() } else { bindings[prefix]?.removeLast() }
            }
            document.close(finished.element)
            if open.isEmpty { rootClosed = true }
        }

        // MARK: Text

        mutating func characterData() throws(DecodeError) {
            let start = index
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: "<") { end += 1 }
            index = end
            let run = bytes[start..<end]
            if open.isEmpty {
                guard run.allSatisfy(Self.isSpace) else { throw failure("text outside the root element", at: start) }
                return
            }
            try appendText(run, at: start, decodingEntities: true)
        }

        mutating func appendText(_ run: ArraySlice<UInt8>, at offset: Int, decodingEntities: Bool = false) throws(DecodeError) {
            guard let element = open.last?.element else { return }
            let text = decodingEntities ? try decode(run, at: offset) : try utf8(run, at: offset)
            document.appendText(text, to: element)
        }

        mutating func attributeValue() throws(DecodeError) -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw failure("attribute value not quoted", at: index)
            }
            let quote = bytes[index]
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] != quote {
                if bytes[end] == UInt8(ascii: "<") { throw failure("\"<\" in an attribute value", at: end) }
                end += 1
            }
            guard end < bytes.count else { throw failure("attribute value not closed", at: index) }
            index = end + 1
            return try decode(bytes[start..<end], at: start)
        }

        /// Text with entity and character references replaced, validated as UTF-8.
        func decode(_ run: ArraySlice<UInt8>, at offset: Int) throws(DecodeError) -> String {
            guard run.contains(UInt8(ascii: "&")) else { return try utf8(run, at: offset) }
            var output: [UInt8] = []
            output.reserveCapacity(run.count)
            var position = run.startIndex
            while position < run.endIndex {
                let byte = run[position]
                guard byte == UInt8(ascii: "&") else {
                    output.append(byte)
                    position += 1
                    continue
                }
                guard let semicolon = run[position...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                    throw failure("\"&\" does not start an entity reference", at: position)
                }
                let reference = run[(position + 1)..<semicolon]
                switch String(decoding: reference, as: UTF8.self) {
                case "lt": output.append(UInt8(ascii: "<"))
                case "gt": output.append(UInt8(ascii: ">"))
                case "amp": output.append(UInt8(ascii: "&"))
                case "quot": output.append(UInt8(ascii: "\""))
                case "apos": output.append(UInt8(ascii: "'"))
                case let text where text.hasPrefix("#"):
                    let isHex = text.hasPrefix("#x")
                    guard let value = UInt32(text.dropFirst(isHex ? 2 : 1), radix: isHex ? 16 : 10),
                        let scalar = Unicode.Scalar(value), value != 0
                    else { throw failure("invalid character reference &\(text);", at: position) }
                    output.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw failure("unknown entity &\(String(decoding: reference.prefix(20), as: UTF8.self));", at: position)
                }
                position = semicolon + 1
            }
            return try utf8(output[...], at: offset)
        }

        func utf8(_ run: ArraySlice<UInt8>, at offset: Int) throws(DecodeError) -> String {
            // ASCII needs no validation; String(validating:) over a slice runs unspecialized in
            // the standard library (a third of an AIDX message's decode, with its metadata lookups).
            if Self.isASCII(run) { return String(decoding: run, as: UTF8.self) }
            guard let text = String(validating: run, as: UTF8.self) else {
                throw failure("invalid UTF-8", at: offset)
            }
            return text
        }

        // MARK: Names

        /// A name: letters, digits, `_ - . :` and any non-ASCII byte, not starting with a digit,
        /// `-` or `.`.
        mutating func name(what: String) throws(DecodeError) -> Range<Int> {
            let start = index
            // Over the buffer, not `bytes[index]`: the array's bounds and storage were read
            // again for every byte (~40 instructions a byte, 14 % of decoding a message).
            let (end, nonASCII) = bytes.withUnsafeBufferPointer { buffer -> (Int, Bool) in
                var end = start
                var allBits: UInt8 = 0
                while end < buffer.count, Self.isNameByte(buffer[end]) {
                    allBits |= buffer[end]
                    end += 1
                }
                return (end, allBits >= 0x80)
            }
            index = end
            guard index > start else { throw failure("expected an \(what)", at: start) }
            let first = bytes[start]
            guard !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")), first != UInt8(ascii: "-"), first != UInt8(ascii: ".")
            else { throw failure("\(what) starts with \"\(Character(Unicode.Scalar(first)))\"", at: start) }
            if nonASCII, String(validating: bytes[start..<index], as: UTF8.self) == nil {
                throw failure("invalid UTF-8 in a name", at: start)
            }
            return start..<index
        }

        /// (namespace URI, local name) of a qualified name in the current scope, as the document
        /// numbers them.
        mutating func resolve(_ qualifiedName: ArraySlice<UInt8>, isAttribute: Bool, at offset: Int) throws(DecodeError) -> (Int32, Int32) {
            guard let colon = qualifiedName.firstIndex(of: UInt8(ascii: ":")) else {
                let local = qualifiedName.withUnsafeBytes { document.number(of: $0) }
                return (isAttribute ? 0 : defaultNamespace[defaultNamespace.count - 1], local)
            }
            let prefix = String(decoding: qualifiedName[..<colon], as: UTF8.self)
            let local = qualifiedName[(colon + 1)...]
            guard !prefix.isEmpty, !local.isEmpty, !local.contains(UInt8(ascii: ":")) else {
                throw failure("malformed qualified name \(String(decoding: qualifiedName, as: UTF8.self))", at: offset)
            }
            // `xml` is bound in every document (its URI is stored once a name uses it).
            guard let uri = bindings[prefix]?.last ?? (prefix == "xml" ? document.intern(XMLReader.xmlNamespace) : nil) else {
                throw failure("undeclared namespace prefix \"\(prefix)\"", at: offset)
            }
            return (uri, local.withUnsafeBytes { document.number(of: $0) })
        }

        // MARK: Scanning

        func matches(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            return literal.withUTF8Buffer { expected in
                for offset in 0..<count where bytes[index + offset] != expected[offset] { return false }
                return true
            }
        }

        /// The index where `literal` next occurs at or after `index`.
        func find(_ literal: StaticString) -> Int? {
            literal.withUTF8Buffer { pattern -> Int? in
                guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
                var position = index
                while position + pattern.count <= bytes.count {
                    if bytes[position] == first {
                        var matched = true
                        for offset in 1..<pattern.count where bytes[position + offset] != pattern[offset] {
                            matched = false
                            break
                        }
                        if matched { return position }
                    }
                    position += 1
                }
                return nil
            }
        }

        mutating func skip(past literal: StaticString, what: String, from start: Int) throws(DecodeError) {
            index += 2
            guard let end = find(literal) else { throw failure("\(what) not closed", at: start) }
            index = end + literal.utf8CodeUnitCount
        }

        @discardableResult
        mutating func skipSpace() -> Bool {
            let start = index
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            return index > start
        }

        /// True when every byte is ASCII (checked eight bytes at a time).
        static func isASCII(_ run: ArraySlice<UInt8>) -> Bool {
            run.withUnsafeBytes { raw in
                var position = 0
                var bits: UInt64 = 0
                while position + 8 <= raw.count {
                    bits |= raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                    position += 8
                }
                while position < raw.count {
                    bits |= UInt64(raw[position])
                    position += 1
                }
                return bits & 0x8080_8080_8080_8080 == 0
            }
        }

        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
        }

        static func isNameByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default: byte >= 0x80
            }
        }

        /// An error at byte `offset`, with its line for people reading the file.
        func failure(_ message: String, at offset: Int) -> DecodeError {
            let clamped = min(max(offset, 0), bytes.count)
            let line = 1 + bytes[..<clamped].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            return DecodeError(message, at: "byte \(clamped) (line \(line))")
        }
    }
}
