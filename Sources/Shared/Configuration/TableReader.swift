/// Reads the keys of one table, reports wrong types, missing keys and bad values, and remembers
/// which keys it was asked for so that ``finish()`` can report the rest as unknown.
struct TableReader {
    let table: TOMLTable
    /// The table's name in error keys: `mqtt`, `feeds[1]`, or empty for the top level.
    let path: String
    /// The table as a person names it in a hint: `[mqtt]`, `[[feeds]]`.
    let section: String
    let loader: ConfigLoader
    private var known: [String] = []

    init(table: TOMLTable, path: String, section: String, loader: ConfigLoader) {
        self.table = table
        self.path = path
        self.section = section
        self.loader = loader
    }

    /// The line `key` is written on, if it is written.
    func line(of key: String) -> Int? { table[key]?.line }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private mutating func lookUp(_ key: String) -> TOMLNode? {
        if !known.contains(key) { known.append(key) }
        return table[key]
    }

    /// The node of `key`, which is now known (for readers in other files).
    mutating func lookUpKey(_ key: String) -> TOMLNode? { lookUp(key) }

    private func reportMissing(_ key: String) {
        loader.report(table.line == 0 ? nil : table.line, name(key), "required key is missing")
    }

    private func reportWrongType(_ key: String, _ node: TOMLNode, expected: String) {
        loader.report(node.line, name(key), "expected \(expected), found \(node.value.kindName)")
    }

    /// A string; `check` returns what is wrong with it, or `nil`.
    mutating func string(_ key: String, required: Bool, check: (String) -> String? = { _ in nil }) -> String? {
        guard let node = lookUp(key) else {
            if required { reportMissing(key) }
            return nil
        }
        guard case .string(let value) = node.value else {
            reportWrongType(key, node, expected: "a string")
            return nil
        }
        if let problem = check(value) {
            loader.report(node.line, name(key), problem)
            return nil
        }
        return value
    }

    mutating func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        optionalInteger(key, range: range) ?? fallback
    }

    mutating func optionalInteger(_ key: String, range: ClosedRange<Int>) -> Int? {
        guard let node = lookUp(key) else { return nil }
        guard case .integer(let value) = node.value else {
            reportWrongType(key, node, expected: "an integer")
            return nil
        }
        guard range.contains(value) else {
            loader.report(node.line, name(key), "\(value) is out of range (\(range.lowerBound) to \(range.upperBound))")
            return nil
        }
        return value
    }

    /// One of the raw values of `Choice`, e.g. a ``FeedFormat``.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, required: Bool) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let value = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue)
            let hint = allowed.first { $0.lowercased() == text.lowercased() }.map { "; did you mean \"\($0)\"?" } ?? ""
            loader.report(
                line(of: key), name(key),
                "unknown \(key) \"\(text)\" (expected one of: \(allowed.joined(separator: ", ")))\(hint)")
            return nil
        }
        return value
    }

    mutating func hostPort(_ key: String, required: Bool) -> HostPort? {
        guard let text = string(key, required: required) else { return nil }
        switch HostPort.parse(text) {
        case .success(let value): return value
        case .failure(let problem):
            loader.report(line(of: key), name(key), problem.message)
            return nil
        }
    }

    /// An array of networks; `nil` when the key is absent.
    mutating func cidrs(_ key: String) -> [CIDR]? {
        guard let node = lookUp(key) else { return nil }
        guard case .array(let elements) = node.value else {
            reportWrongType(key, node, expected: "an array of networks such as [\"10.20.0.0/24\"]")
            return nil
        }
        var result: [CIDR] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element.value else {
                loader.report(
                    element.line, "\(name(key))[\(index)]", "expected a string, found \(element.value.kindName)")
                continue
            }
            switch CIDR.parse(text) {
            case .success(let cidr): result.append(cidr)
            case .failure(let problem): loader.report(element.line, "\(name(key))[\(index)]", problem.message)
            }
        }
        return result
    }

    /// A free-form table of strings, integers, booleans, arrays of strings and tables of those.
    mutating func options(_ key: String) -> [String: ConfigValue] {
        guard let node = lookUp(key) else { return [:] }
        guard case .table(let options) = node.value else {
            reportWrongType(key, node, expected: "a table")
            return [:]
        }
        return convert(options, path: name(key))
    }

    private func convert(_ table: TOMLTable, path: String) -> [String: ConfigValue] {
        var result: [String: ConfigValue] = [:]
        for (key, node) in table.entries {
            let name = "\(path).\(key)"
            switch node.value {
            case .string(let value): result[key] = .string(value)
            case .integer(let value): result[key] = .integer(value)
            case .boolean(let value): result[key] = .boolean(value)
            case .table(let inner): result[key] = .table(convert(inner, path: name))
            case .array(let elements):
                var strings: [String] = []
                for (index, element) in elements.enumerated() {
                    if case .string(let text) = element.value {
                        strings.append(text)
                    } else {
                        loader.report(
                            element.line, "\(name)[\(index)]", "expected a string, found \(element.value.kindName)")
                    }
                }
                result[key] = .strings(strings)
            case .float, .datetime:
                let expected = "a string, an integer, a boolean, an array of strings or a table"
                loader.report(node.line, name, "expected \(expected), found \(node.value.kindName)")
            }
        }
        return result
    }

    /// A sub-table `[key]`; `nil` when absent.
    mutating func table(_ key: String, required: Bool) -> TOMLTable? {
        guard let node = lookUp(key) else {
            if required { loader.report(nil, name(key), "required table [\(name(key))] is missing") }
            return nil
        }
        guard case .table(let inner) = node.value else {
            if node.isArrayOfTables {
                loader.report(node.line, name(key), "write [\(name(key))] once (a table), not [[\(name(key))]]")
            } else {
                reportWrongType(key, node, expected: "a table [\(name(key))]")
            }
            return nil
        }
        return inner
    }

    /// The elements of `[[key]]`; empty when absent.
    mutating func arrayOfTables(_ key: String) -> [TOMLTable] {
        guard let node = lookUp(key) else { return [] }
        if node.isTable {
            loader.report(
                node.line, name(key), "write [[\(name(key))]] for each entry (an array of tables), not [\(name(key))]")
            return []
        }
        guard case .array(let elements) = node.value, node.isArrayOfTables else {
            reportWrongType(key, node, expected: "an array of tables [[\(name(key))]]")
            return []
        }
        return elements.compactMap { element in
            if case .table(let inner) = element.value { inner } else { nil }
        }
    }

    /// Reports every key nobody asked for, with the closest known key when it is a likely typo,
    /// and records this table's keys for hints elsewhere.
    func finish() {
        loader.sectionKeys.append((section, known))
        for (key, node) in table.entries where !known.contains(key) {
            let what: String
            switch node.value {
            case .table: what = path.isEmpty ? "unknown table [\(key)]" : "unknown table"
            case .array where node.isArrayOfTables && !path.isEmpty: what = "unknown table"
            case .array where node.isArrayOfTables: what = "unknown table [[\(key)]]"
            default: what = "unknown key"
            }
            loader.report(node.line, name(key), what + hint(for: key))
        }
    }

    private func hint(for key: String) -> String {
        if key == "password" && (path == "database" || path == "mqtt") {
            return "; a password never goes in this file: write it to a file and name that file in `password_file`"
        }
        let closest = known.map { ($0, editDistance($0, key)) }.min { $0.1 < $1.1 }
        if let (suggestion, distance) = closest, distance <= max(2, key.count / 3) {
            return "; did you mean `\(suggestion)`?"
        }
        if key.count >= 4, let suggestion = known.first(where: { $0.hasPrefix(key) || key.hasPrefix($0) }) {
            return "; did you mean `\(suggestion)`?"
        }
        if path.isEmpty, let home = loader.sectionKeys.first(where: { $0.keys.contains(key) }) {
            return "; `\(key)` belongs in \(home.section) (a key before the first table header is top-level)"
        }
        return " (known: \(known.joined(separator: ", ")))"
    }
}

/// The optimal-string-alignment distance (Levenshtein plus swapped neighbours), for
/// "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var rows = [Array(0...b.count), Array(repeating: 0, count: b.count + 1), Array(repeating: 0, count: b.count + 1)]
    for i in 1...a.count {
        let current = i % 3
        let previous = (i + 2) % 3
        let beforePrevious = (i + 1) % 3
        rows[current][0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var best = min(rows[previous][j] + 1, rows[current][j - 1] + 1, rows[previous][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                best = min(best, rows[beforePrevious][j - 2] + 1)
            }
            rows[current][j] = best
        }
    }
    return rows[a.count % 3][b.count]
}
