extension JSONValue {
    /// Parses JSON text strictly, keeping the order of object keys.
    public static func parse(_ text: String, file: String = "<json>") throws(InputError) -> JSONValue {
        JSONValue(try LocatedJSON.parse(Array(text.utf8), file: file))
    }

    init(_ located: LocatedJSON) {
        switch located.value {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value, let raw): self = Int(raw).map(JSONValue.int) ?? .double(value)
        case .string(let value): self = .string(value)
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .object(let members): self = .object(members.map { ($0.key, JSONValue($0.value)) })
        }
    }
}
