/// The longest answer a template's schema allows, in tokens: the `max_tokens` every call sends
/// unless `panelproc.yml` overrides it, so a rambling model stops where a valid answer must have
/// ended instead of writing until its context is full (and, on a paid API, being paid for it).
///
/// The bound is computed from the schema after it is resolved for the call (`x-maxItems-from`,
/// `x-maxLength-from`): the characters of the longest compact JSON the schema accepts, divided by
/// three (English runs about four characters a token; three leaves room for names and numbers that
/// tokenise worse), plus four tokens for every object member and one for every array item (the
/// whitespace and punctuation a model puts between them), and sixteen for the answer as a whole.
enum AnswerBound {
    /// A part of the schema with no upper size (a string without `maxLength`, an array without
    /// `maxItems`, an object open to more properties): no bound can be derived.
    struct Unbounded: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) has no upper size (give strings `maxLength` and arrays `maxItems`)" }
    }

    static func tokens(for schema: JSONValue) throws(Unbounded) -> Int {
        let size = try measure(schema, path: "$")
        return (size.characters + 2) / 3 + size.separators + 16
    }

    /// Characters of the longest compact JSON text `schema` accepts, and the tokens its layout adds.
    private static func measure(_ schema: JSONValue, path: String) throws(Unbounded) -> (characters: Int, separators: Int) {
        if let options = schema["enum"]?.array {
            return (options.map { $0.compact().count }.max() ?? 4, 0)
        }
        if let constant = schema["const"] { return (constant.compact().count, 0) }
        let types = schema["type"]?.string.map { [$0] } ?? schema["type"]?.strings ?? []
        guard !types.isEmpty else { throw Unbounded(path: path) }
        var longest = (characters: 0, separators: 0)
        for type in types {
            let size: (characters: Int, separators: Int)
            switch type {
            case "null": size = (4, 0)
            case "boolean": size = (5, 0)
            // A double written in full (`-0.30000000000000004`) is 20 characters; few models write more.
            case "integer":
                if let low = schema["minimum"]?.integer, let high = schema["maximum"]?.integer {
                    size = (max(String(low).count, String(high).count), 0)
                } else {
                    size = (24, 0)
                }
            case "number": size = (24, 0)
            case "string":
                guard let limit = schema["maxLength"]?.integer else { throw Unbounded(path: path) }
                // Quotes, and a little for escapes (`\"`, `\n`).
                size = (limit + 2 + limit / 20, 0)
            case "array":
                guard let limit = schema["maxItems"]?.integer, let items = schema["items"] else { throw Unbounded(path: path) }
                let item = limit == 0 ? (characters: 0, separators: 0) : try measure(items, path: path + "[]")
                size = (2 + limit * (item.characters + 1), limit * (item.separators + 1))
            case "object":
                guard schema["additionalProperties"]?.bool == false else { throw Unbounded(path: path) }
                var characters = 2, separators = 0
                for (name, property) in schema["properties"]?.members ?? [] {
                    let member = try measure(property, path: path + "." + name)
                    characters += name.count + 4 + member.characters
                    separators += 4 + member.separators
                }
                size = (characters, separators)
            default:
                throw Unbounded(path: path)
            }
            if size.characters > longest.characters { longest = size }
        }
        return longest
    }
}
