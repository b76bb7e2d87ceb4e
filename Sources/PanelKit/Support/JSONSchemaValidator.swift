/// Validates a `JSONValue` against the subset of JSON Schema (draft 2020-12) that panelproc's
/// prompt templates use: `type`, `properties`, `required`, `additionalProperties` (boolean),
/// `items`, `enum`, `const`, `minimum`, `maximum`, `minLength`, `maxLength`, `minItems`, `maxItems`.
enum JSONSchemaValidator {
    /// Every problem, each with a JSON path (`$.bubbles[2].text: expected string, found number`).
    static func problems(_ value: JSONValue, schema: JSONValue) -> [String] {
        var found: [String] = []
        check(value, schema, path: "$", into: &found)
        return found
    }

    /// Problems in a schema itself: unknown keywords and wrong keyword types.
    static func schemaProblems(_ schema: JSONValue, path: String = "$") -> [String] {
        guard let members = schema.members else { return ["\(path): a schema must be an object"] }
        let known: Set<String> = ["type", "properties", "required", "additionalProperties", "items", "enum", "const",
                                  "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
                                  "description", "title", "$schema", "x-enum-from", "x-maxItems-from", "x-maxLength-from",
                                  "x-parts", "x-when"]
        var found: [String] = []
        for (key, value) in members {
            if !known.contains(key) { found.append("\(path): unsupported keyword `\(key)`") }
            switch key {
            case "type":
                let names = value.string.map { [$0] } ?? value.strings ?? []
                if names.isEmpty || !names.allSatisfy(typeNames.contains) { found.append("\(path).type: not a JSON type name") }
            case "properties":
                guard let properties = value.members else { found.append("\(path).properties: not an object"); continue }
                for (name, subschema) in properties { found += schemaProblems(subschema, path: "\(path).properties.\(name)") }
            case "items": found += schemaProblems(value, path: "\(path).items")
            case "required": if value.strings == nil { found.append("\(path).required: not a list of names") }
            case "enum": if value.array == nil { found.append("\(path).enum: not a list") }
            case "x-when": if value.string == nil { found.append("\(path).x-when: should name a boolean variable") }
            case "x-parts": if value.bool == nil { found.append("\(path).x-parts: should be true or false") }
            case "x-enum-from", "x-maxItems-from": if value.string == nil { found.append("\(path).\(key): should name a variable holding a list") }
            case "x-maxLength-from":
                if value.string?.contains(".") != true { found.append("\(path).x-maxLength-from: should name a list variable and a field, as `lines.text`") }
            case "minimum", "maximum": if value.number == nil { found.append("\(path).\(key): not a number") }
            case "minLength", "maxLength", "minItems", "maxItems":
                if (value.integer ?? -1) < 0 { found.append("\(path).\(key): not a whole number ≥ 0") }
            case "additionalProperties": if value.bool == nil { found.append("\(path).additionalProperties: only true or false is supported") }
            default: break
            }
        }
        return found
    }

    private static let typeNames: Set<String> = ["object", "array", "string", "integer", "number", "boolean", "null"]

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double(let number): return number == number.rounded() ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    private static func check(_ value: JSONValue, _ schema: JSONValue, path: String, into found: inout [String]) {
        let actual = typeName(value)
        if let type = schema["type"] {
            let allowed = type.string.map { [$0] } ?? type.strings ?? []
            let matches = allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))
            if !matches {
                found.append("\(path): expected \(allowed.joined(separator: " or ")), found \(actual)")
                return
            }
        }
        if let options = schema["enum"]?.array, !options.contains(value) {
            found.append("\(path): expected one of \(options.map(\.scalarText).joined(separator: ", ")), found \(value.scalarText)")
        }
        if let constant = schema["const"], constant != value {
            found.append("\(path): expected \(constant.scalarText)")
        }
        switch value {
        case .string(let text):
            if let minimum = schema["minLength"]?.integer, text.count < minimum {
                found.append("\(path): expected at least \(minimum) characters")
            }
            if let maximum = schema["maxLength"]?.integer, text.count > maximum {
                found.append("\(path): expected at most \(maximum) characters, found \(text.count)")
            }
        case .int, .double:
            let number = value.number ?? 0
            if let minimum = schema["minimum"]?.number, number < minimum { found.append("\(path): expected ≥ \(minimum)") }
            if let maximum = schema["maximum"]?.number, number > maximum { found.append("\(path): expected ≤ \(maximum)") }
        case .array(let items):
            if let minimum = schema["minItems"]?.integer, items.count < minimum {
                found.append("\(path): expected at least \(minimum) items")
            }
            if let maximum = schema["maxItems"]?.integer, items.count > maximum {
                found.append("\(path): expected at most \(maximum) items, found \(items.count)")
            }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() { check(item, itemSchema, path: "\(path)[\(index)]", into: &found) }
            }
        case .object(let members):
            let properties = schema["properties"]?.members ?? []
            for name in schema["required"]?.strings ?? [] where !members.contains(where: { $0.0 == name }) {
                found.append("\(path): missing required key `\(name)`")
            }
            for (key, member) in members {
                if let propertySchema = properties.first(where: { $0.0 == key })?.1 {
                    check(member, propertySchema, path: "\(path).\(key)", into: &found)
                } else if schema["additionalProperties"]?.bool == false {
                    found.append("\(path): unexpected key `\(key)`")
                }
            }
        default:
            break
        }
    }
}
