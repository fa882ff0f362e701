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
    private(set) var strings: [String] = [""]
    private var numbers: [String: Int32] = ["": 0]

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
        guard let namespaceNumber = numbers[namespace], let nameNumber = numbers[name] else { return [] }
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
        guard let namespaceNumber = numbers[namespace], let nameNumber = numbers[name] else { return nil }
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

    /// The number of `string`, stored on first use: one copy per distinct name.
    mutating func number(of string: String) -> Int32 {
        if let number = numbers[string] { return number }
        let number = Int32(strings.count)
        strings.append(string)
        numbers[string] = number
        return number
    }

    /// The stored copy of `string` (shares its storage with every other use).
    mutating func interned(_ string: String) -> String {
        strings[Int(number(of: string))]
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
