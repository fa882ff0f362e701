/// A parsed XML document: its elements in document order, each knowing its namespace URI and
/// local name (prefixes are resolved away), attributes, direct text and children. What the
/// AIDX decoder walks; nothing else needs a general XML API.
struct XMLDocument: Sendable {
    var elements: [XMLElement] = []

    /// The root element's index (always 0 in a parsed document).
    var root: Int { 0 }

    subscript(index: Int) -> XMLElement { elements[index] }

    /// The children of `element` in `namespace` named `name`, in document order.
    func children(of element: Int, _ namespace: String, _ name: String) -> [Int] {
        elements[element].children.filter { elements[$0].namespace == namespace && elements[$0].name == name }
    }

    /// The first such child.
    func child(of element: Int, _ namespace: String, _ name: String) -> Int? {
        elements[element].children.first { elements[$0].namespace == namespace && elements[$0].name == name }
    }

    /// Every element below `element` (not itself), depth first, in document order.
    func descendants(of element: Int) -> [Int] {
        var result: [Int] = []
        var stack = elements[element].children.reversed() as [Int]
        while let next = stack.popLast() {
            result.append(next)
            stack.append(contentsOf: elements[next].children.reversed())
        }
        return result
    }
}

/// One element.
struct XMLElement: Sendable {
    /// The namespace URI ("" when none).
    var namespace: String
    var name: String
    var attributes: [XMLAttribute]
    var children: [Int]
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
