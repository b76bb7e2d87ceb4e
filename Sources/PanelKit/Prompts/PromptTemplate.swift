import Foundation
import Mustache
import Yams

/// One stage's prompt: versioned text, a Mustache user template, and the JSON Schema of the answer.
struct PromptTemplate: Sendable {
    var name: String
    var version: Int
    var description: String
    /// Every variable the templates need; rendering fails when one is missing.
    var variables: [String]
    var system: String
    var user: String
    var schema: JSONValue
    /// `schema` as compact JSON, made once: it goes into every request and every cache key.
    private(set) var schemaText: String
    /// What an answer is checked against: `schema`, except for a template whose schema says
    /// `x-parts: true` (the fused call), where each top-level part need only be an object: every
    /// part is checked against its own stage's schema, and only a bad part is asked again.
    private(set) var validationSchema: JSONValue
    private var compiledSystem: MustacheTemplate
    /// The system text when it has no tags (most do not): nothing to render per call.
    private let staticSystem: String?
    /// Whether the schema names a variable in `x-enum-from`, `x-maxItems-from`,
    /// `x-maxLength-from` or `x-when` (resolved per call).
    private let refinesSchema: Bool
    /// The answer's bound in tokens (`AnswerBound`), nil when the schema leaves some part unbounded.
    private(set) var answerTokens: Int?
    private var compiledUser: MustacheTemplate

    /// A template that cannot be loaded or rendered (exit status 2: it is configuration).
    struct Problem: Error, Sendable, CustomStringConvertible {
        var template: String
        var message: String
        var description: String { "prompt template \(template): \(message)" }
    }

    /// Reads a template from YAML; `file` names it in errors.
    static func load(_ source: SourceText, file: String) throws -> PromptTemplate {
        let fields = try YAMLFields.read(source, lines: 1..<(source.lineCount + 1), file: file, what: "prompt template")
        func required<T>(_ key: String, _ read: (YAMLFields.Field) throws -> T?) throws -> T {
            guard let field = fields.first(where: { $0.key == key }), let value = try read(field) else {
                throw InputError(file: file, location: SourceLocation(line: 1, column: 1),
                                 message: "prompt template lacks `\(key)`")
            }
            return value
        }
        let name: String = try required("name") { try $0.text() }
        let version: Int = try required("version") { try $0.integer(in: 1...100_000) }
        let schemaField = try required("schema") { $0 }
        let schema = JSONValue(yaml: schemaField.node)
        let schemaProblems = JSONSchemaValidator.schemaProblems(schema)
        if let first = schemaProblems.first {
            throw InputError(file: file, location: schemaField.location, message: "invalid output schema: \(first)")
        }
        return try PromptTemplate(
            name: name, version: version,
            description: fields.first { $0.key == "description" }.flatMap { try? $0.text() } ?? "",
            variables: try required("variables") { try $0.list() },
            system: try required("system") { try $0.text() },
            user: try required("user") { try $0.text() },
            schema: schema)
    }

    init(name: String, version: Int, description: String = "", variables: [String], system: String,
                user: String, schema: JSONValue) throws
    {
        self.name = name
        self.version = version
        self.description = description
        self.variables = variables
        self.system = system
        self.user = user
        let parts = schema["x-parts"]?.bool == true
        let sent = parts ? Self.removingMember("x-parts", from: schema) : schema
        self.schema = sent
        self.schemaText = sent.compact()
        self.validationSchema = parts ? Self.partsOnly(sent) : sent
        let text = sent.compact()
        self.refinesSchema = Self.refinementKeys.contains { text.contains("\"\($0)\"") }
        self.answerTokens = try? AnswerBound.tokens(for: sent)
        self.staticSystem = system.contains("{{") ? nil : system
        // Prompts are plain text: without this pragma Mustache would HTML-escape `&` and quotes.
        let pragma = "{{% CONTENT_TYPE: TEXT}}"
        do {
            compiledSystem = try MustacheTemplate(string: pragma + system)
            compiledUser = try MustacheTemplate(string: pragma + user)
        } catch {
            throw Problem(template: name, message: "Mustache syntax: \(error)")
        }
    }

    /// This template with its schema made concrete for `variables`: every `x-enum-from: name`
    /// becomes `enum: <the strings in variable name>`, so a model that constrains its output to the
    /// schema (llama.cpp does) can only pick a listed value, such as a theme of the taxonomy;
    /// `x-maxItems-from: lines` becomes the length of that list (or the number a variable holds,
    /// or a member's length: `narrative.beats`), never below `minItems`, and `x-maxLength-from: lines.text`
    /// the longest `text` in it plus a quarter and 20 characters (room for punctuation a model
    /// normalises), so an answer that copies its input is bounded by that input. A property whose
    /// schema says `x-when: name` is left out (of `properties` and `required`) when the variable
    /// `name` is false.
    func resolved(for variables: JSONValue) -> PromptTemplate {
        guard refinesSchema else { return self }
        func resolve(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(var members):
                if let properties = value["properties"]?.members {
                    let dropped = Set(properties.filter { _, schema in
                        schema["x-when"]?.string.map { variables[$0]?.bool == false } ?? false
                    }.map(\.0))
                    members = members.map { key, member in
                        switch key {
                        case "properties":
                            return (key, .object(properties.filter { !dropped.contains($0.0) }.map { ($0.0, Self.removingMember("x-when", from: $0.1)) }))
                        case "required": return (key, .array((member.strings ?? []).filter { !dropped.contains($0) }.map(JSONValue.string)))
                        default: return (key, member)
                        }
                    }
                }
                return .object(members.map { key, member in
                    if key == "x-enum-from", let name = member.string, let options = variables[name]?.strings {
                        return ("enum", .array(options.map(JSONValue.string)))
                    }
                    if key == "x-maxItems-from", let path = member.string, let count = Self.count(path, in: variables) {
                        // Never below the schema's own minimum: a short input still allows a valid answer.
                        let floor = members.first { $0.0 == "minItems" }?.1.integer ?? 0
                        return ("maxItems", .int(max(count, floor)))
                    }
                    if key == "x-maxLength-from", let path = member.string, let longest = Self.longestText(path, in: variables) {
                        return ("maxLength", .int(longest + longest / 4 + 20))
                    }
                    return (key, resolve(member))
                })
            case .array(let items):
                return .array(items.map(resolve))
            default:
                return value
            }
        }
        var copy = self
        copy.schema = resolve(schema)
        copy.schemaText = copy.schema.compact()
        if validationSchema != schema { copy.validationSchema = Self.partsOnly(copy.schema) } else { copy.validationSchema = copy.schema }
        copy.answerTokens = try? AnswerBound.tokens(for: copy.schema)
        return copy
    }

    /// `value` (an object) without the member `key`.
    static func removingMember(_ key: String, from value: JSONValue) -> JSONValue {
        guard let members = value.members else { return value }
        return .object(members.filter { $0.0 != key })
    }

    /// The schema with each top-level property reduced to `{"type": "object"}`.
    static func partsOnly(_ schema: JSONValue) -> JSONValue {
        guard let members = schema.members else { return schema }
        return .object(members.map { key, member in
            guard key == "properties", let properties = member.members else { return (key, member) }
            return (key, .object(properties.map { ($0.0, JSONValue.object([("type", .string("object"))])) }))
        })
    }

    static let refinementKeys = ["x-enum-from", "x-maxItems-from", "x-maxLength-from", "x-when"]

    /// `lines` (a list: its length; a whole number: itself) or `narrative.beats` (a member of an
    /// object variable).
    private static func count(_ path: String, in variables: JSONValue) -> Int? {
        var value: JSONValue? = variables
        for part in path.split(separator: ".") { value = value?[String(part)] }
        return value?.array?.count ?? value?.integer
    }

    /// `lines.text`: the longest `text` of the objects in the list variable `lines` (characters).
    private static func longestText(_ path: String, in variables: JSONValue) -> Int? {
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let list = variables[parts[0]]?.array else { return nil }
        return list.map { ($0[parts[1]]?.string ?? "").count }.max() ?? 0
    }

    /// The system and user text for `variables` (a JSON object holding every declared variable).
    func render(_ variables: JSONValue) throws(Problem) -> (system: String, user: String) {
        let provided = Set(variables.members?.map(\.0) ?? [])
        let missing = self.variables.filter { !provided.contains($0) }
        guard missing.isEmpty else {
            throw Problem(template: name, message: "missing variable\(missing.count == 1 ? "" : "s") \(missing.map { "`\($0)`" }.joined(separator: ", "))")
        }
        let context = variables.mustacheContext()
        return (staticSystem ?? compiledSystem.render(context), compiledUser.render(context))
    }
}

extension JSONValue {
    /// YAML to JSON: plain scalars become booleans, numbers or null where they read as such.
    init(yaml node: Node) {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { self = .string(scalar.string); return }
            let text = scalar.string
            if text == "true" || text == "false" { self = .bool(text == "true") }
            else if let integer = Int(text) { self = .int(integer) }
            else if let number = Double(text), text.contains(".") { self = .double(number) }
            else if ["null", "~", ""].contains(text) { self = .null }
            else { self = .string(text) }
        case .sequence(let sequence):
            self = .array(sequence.map { JSONValue(yaml: $0) })
        case .mapping(let mapping):
            self = .object(mapping.map { (key, value) in (key.scalar?.string ?? "", JSONValue(yaml: value)) })
        case .alias:
            self = .null
        }
    }
}
