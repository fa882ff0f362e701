import FlightEdgeTestSupport
import FlightModel
import Foundation
import JSON

/// Validates payloads against the JSON Schema files in docs/schemas — the subset of JSON Schema
/// those files use (type, required, properties, enum, const, pattern, minimum, items, $ref to
/// $defs). Returns the violations; empty means valid.
struct SchemaValidator {
    let root: JSONValue

    init(named name: String) throws {
        let url = Repository.root.appendingPathComponent("docs/schemas/\(name).schema.json")
        root = try JSONParser.parse(Array(try Data(contentsOf: url)))
    }

    func violations(of payload: [UInt8]) -> [String] {
        do {
            let value = try JSONParser.parse(payload)
            var problems: [String] = []
            check(value, against: root, path: "$", problems: &problems)
            return problems
        } catch {
            return ["not JSON: \(error)"]
        }
    }

    private func check(_ value: JSONValue, against schema: JSONValue, path: String, problems: inout [String]) {
        guard case .object(let rules) = schema else { return }
        if let reference = rules["$ref"]?.stringValue {
            let name = reference.replacingOccurrences(of: "#/$defs/", with: "")
            if case .object(let top) = root, case .object(let definitions)? = top["$defs"], let target = definitions[name] {
                check(value, against: target, path: path, problems: &problems)
            } else {
                problems.append("\(path): unresolved $ref \(reference)")
            }
            return
        }
        if let type = rules["type"] {
            let allowed: [String]
            switch type {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap(\.stringValue)
            default: allowed = []
            }
            if !allowed.contains(where: { matches(value, type: $0) }) {
                problems.append("\(path): expected \(allowed.joined(separator: " or ")), found \(value.kindName)")
                return
            }
        }
        if let constant = rules["const"], constant != value {
            problems.append("\(path): expected \(constant)")
        }
        if case .array(let options)? = rules["enum"], !options.contains(value) {
            problems.append("\(path): \(value) is not one of the allowed values")
        }
        if let pattern = rules["pattern"]?.stringValue, case .string(let text) = value {
            if (try? Regex(pattern).firstMatch(in: text)) == nil {
                problems.append("\(path): \"\(text)\" does not match \(pattern)")
            }
        }
        if let minimum = rules["minimum"]?.integerValue, let number = value.integerValue, number < minimum {
            problems.append("\(path): \(number) is below \(minimum)")
        }
        if case .object(let object) = value {
            if case .array(let required)? = rules["required"] {
                for name in required.compactMap(\.stringValue) where object[name] == nil {
                    problems.append("\(path): missing \(name)")
                }
            }
            if case .object(let properties)? = rules["properties"] {
                for member in object.members {
                    if let propertySchema = properties[member.key] {
                        check(member.value, against: propertySchema, path: "\(path).\(member.key)", problems: &problems)
                    }
                }
            }
        }
        if case .array(let elements) = value, let itemSchema = rules["items"] {
            for (index, element) in elements.enumerated() {
                check(element, against: itemSchema, path: "\(path)[\(index)]", problems: &problems)
            }
        }
    }

    private func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
            ("number", .number):
            true
        case ("integer", .number(let text)): Int64(text) != nil
        default: false
        }
    }
}
