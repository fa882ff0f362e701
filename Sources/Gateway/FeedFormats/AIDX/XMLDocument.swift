import Foundation

/// A parsed XML document: its elements in document order, each knowing its namespace URI and
/// local name (prefixes are resolved away), attributes, direct text and children. What the
/// AIDX decoder walks; nothing else needs a general XML API.
///
/// Compact on purpose (issue 18): an element is one 56-byte node; names and namespace URIs are
/// stored once per document and referred to by number; children are linked, not listed; an
/// element's descendants are the nodes that follow it up to its `end`. A million empty
/// elements (`<a/>`, 4 MB) take 56 MB, never more than 14 bytes per input byte.
struct XMLDocument: Sendable {
    /// One element as stored.
    struct Node: Sendable {
        var namespace: Int32
        var name: Int32
        var parent: Int32
        var firstChild: Int32 = -1
        var nextSibling: Int32 = -1
        /// The index after its last descendant.
        var end: Int32 = 0
        /// Byte offset of its `<` in the document.
        var offset: Int32
        var attributes: [XMLAttribute]
        var text: String = ""
    }

    private(set) var nodes: [Node] = []
    /// Every name and namespace URI, once: `strings[0]` is "".
    private(set) var strings: [String] = []
    /// The same names' bytes end to end, and where each one's are (by number).
    private var nameBytes: [UInt8] = []
    private var spans: [(start: Int32, count: Int32)] = []
    /// Open addressing over FNV-1a of a name's bytes: each slot a name's number, -1 when free.
    /// The reader finds a name's number from its bytes, without making a String or hashing
    /// one (a String dictionary was a third of an AIDX message's decode).
    private var slots = [Int32](repeating: -1, count: 128)

    init() {
        _ = intern("")
    }

    /// The number of elements.
    var count: Int { nodes.count }

    /// The root element's index (always 0 in a parsed document).
    var root: Int { 0 }

    subscript(index: Int) -> XMLElement {
        let node = nodes[index]
        return XMLElement(
            namespace: strings[Int(node.namespace)], name: strings[Int(node.name)], attributes: node.attributes,
            text: node.text, offset: Int(node.offset), parent: Int(node.parent))
    }

    /// The children of `element` in `namespace` named `name`, in document order.
    func children(of element: Int, _ namespace: String, _ name: String) -> [Int] {
        guard let namespaceNumber = number(of: namespace), let nameNumber = number(of: name) else { return [] }
        var result: [Int] = []
        var child = nodes[element].firstChild
        while child >= 0 {
            let node = nodes[Int(child)]
            if node.name == nameNumber && node.namespace == namespaceNumber { result.append(Int(child)) }
            child = node.nextSibling
        }
        return result
    }

    /// The first such child.
    func child(of element: Int, _ namespace: String, _ name: String) -> Int? {
        guard let namespaceNumber = number(of: namespace), let nameNumber = number(of: name) else { return nil }
        var child = nodes[element].firstChild
        while child >= 0 {
            let node = nodes[Int(child)]
            if node.name == nameNumber && node.namespace == namespaceNumber { return Int(child) }
            child = node.nextSibling
        }
        return nil
    }

    /// Every element below `element` (not itself), in document order.
    func descendants(of element: Int) -> Range<Int> {
        (element + 1)..<max(element + 1, Int(nodes[element].end))
    }

    // MARK: Building (the reader)

    /// The number of a name or URI the document holds, nil when it holds none such.
    func number(of string: String) -> Int32? {
        var string = string
        return string.withUTF8 { find(UnsafeRawBufferPointer($0)).number }
    }

    /// The number of the name in `bytes`, stored on first use: one copy per distinct name.
    mutating func number(of bytes: UnsafeRawBufferPointer) -> Int32 {
        let (slot, found) = find(bytes)
        if let found { return found }
        let number = Int32(strings.count)
        strings.append(String(decoding: bytes, as: UTF8.self))
        spans.append((Int32(nameBytes.count), Int32(bytes.count)))
        nameBytes.append(contentsOf: bytes)
        slots[slot] = number
        if strings.count * 2 > slots.count { rehash() }
        return number
    }

    /// The number of `string`, stored on first use.
    mutating func intern(_ string: String) -> Int32 {
        var string = string
        return string.withUTF8 { number(of: UnsafeRawBufferPointer($0)) }
    }

    /// The slot holding the name in `bytes`, or the free slot where it would go.
    private func find(_ bytes: UnsafeRawBufferPointer) -> (slot: Int, number: Int32?) {
        let mask = slots.count - 1
        var slot = Int(Self.hash(bytes)) & mask
        while true {
            let number = slots[slot]
            if number < 0 { return (slot, nil) }
            let span = spans[Int(number)]
            if Int(span.count) == bytes.count
                && nameBytes.withUnsafeBytes({ stored in
                    bytes.isEmpty || memcmp(stored.baseAddress! + Int(span.start), bytes.baseAddress!, bytes.count) == 0
                })
            {
                return (slot, number)
            }
            slot = (slot + 1) & mask
        }
    }

    private mutating func rehash() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for number in spans.indices {
            let span = spans[number]
            var slot = nameBytes.withUnsafeBytes { stored in
                Int(Self.hash(UnsafeRawBufferPointer(rebasing: stored[Int(span.start)..<Int(span.start + span.count)]))) & mask
            }
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(number)
        }
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }

    mutating func reserve(_ count: Int) { nodes.reserveCapacity(count) }

    /// Appends an element as the last child of `parent` (-1: the root), after `previousSibling`.
    mutating func append(_ node: Node, previousSibling: Int32) -> Int32 {
        let index = Int32(nodes.count)
        nodes.append(node)
        if previousSibling >= 0 {
            nodes[Int(previousSibling)].nextSibling = index
        } else if node.parent >= 0 {
            nodes[Int(node.parent)].firstChild = index
        }
        return index
    }

    mutating func appendText(_ text: String, to element: Int32) { nodes[Int(element)].text += text }

    /// The element's subtree is complete.
    mutating func close(_ element: Int32) { nodes[Int(element)].end = Int32(nodes.count) }
}

/// One element, as the decoder reads it.
struct XMLElement: Sendable {
    /// The namespace URI ("" when none).
    var namespace: String
    var name: String
    var attributes: [XMLAttribute]
    /// The element's own text (character data and CDATA, not its children's), entities decoded.
    var text: String
    /// Byte offset of its `<` in the document.
    var offset: Int
    /// Its parent's index (-1 for the root).
    var parent: Int

    /// The text without surrounding whitespace.
    var trimmedText: Substring {
        let characters = text.unicodeScalars
        guard let first = characters.firstIndex(where: { !XMLElement.isSpace($0) }),
            let last = characters.lastIndex(where: { !XMLElement.isSpace($0) })
        else { return "" }
        return Substring(text.unicodeScalars[first...last])
    }

    /// The value of the unqualified attribute `name`.
    func attribute(_ name: String) -> String? {
        attributes.first { $0.namespace.isEmpty && $0.name == name }?.value
    }

    /// The value of the attribute `name` in `namespace`.
    func attribute(_ namespace: String, _ name: String) -> String? {
        attributes.first { $0.namespace == namespace && $0.name == name }?.value
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\n" || scalar == "\r" || scalar == "\t"
    }
}

/// One attribute, its name resolved like an element's (an unprefixed attribute has no namespace).
struct XMLAttribute: Sendable {
    var namespace: String
    var name: String
    var value: String
}
