/// Reading values out of a `JSONValue` (model answers, prompt variables).
extension JSONValue {
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var number: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    var integer: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value == value.rounded() && abs(value) < 1e15: return Int(value)
        default: return nil
        }
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var members: [(String, JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// An array of strings, or nil when any item is not a string.
    var strings: [String]? {
        guard let items = array else { return nil }
        let values = items.compactMap(\.string)
        return values.count == items.count ? values : nil
    }

    /// The value on one line with no spaces (for hashing and for wire formats).
    func compact() -> String {
        var out = ""
        writeCompact(to: &out)
        return out
    }

    private func writeCompact(to out: inout String) {
        switch self {
        case .array(let items):
            out.append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(",") }
                item.writeCompact(to: &out)
            }
            out.append("]")
        case .object(let members):
            out.append("{")
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(",") }
                JSONValue.writeString(key, to: &out)
                out.append(":")
                value.writeCompact(to: &out)
            }
            out.append("}")
        case .string(let value):
            JSONValue.writeString(value, to: &out)
        default:
            out.append(scalarText)
        }
    }

    /// The serialised form of a scalar (no trailing newline).
    var scalarText: String {
        var text = serialized()
        text.removeLast()
        return text
    }

    /// A value for Mustache: dictionaries, arrays, strings, numbers and booleans.
    func mustacheContext() -> Any {
        switch self {
        case .null: return ""
        case .bool(let value): return value
        case .int(let value): return value
        case .double(let value): return value
        case .string(let value): return value
        case .array(let items): return items.map { $0.mustacheContext() }
        case .object(let members):
            var dictionary: [String: Any] = [:]
            for (key, value) in members { dictionary[key] = value.mustacheContext() }
            return dictionary
        }
    }
}
