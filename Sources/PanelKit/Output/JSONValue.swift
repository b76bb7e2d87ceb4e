import Foundation

/// A JSON value whose objects keep their keys in the order written, so exports have a fixed
/// key order (`schema_version` first) and are byte-identical on rerun.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.serialized() == rhs.serialized()
    }

    public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    public static func optional(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }

    /// Two-space indentation, `"key": value`, UTF-8 kept as is, a trailing newline.
    public func serialized() -> String {
        var out = ""
        write(to: &out, indent: 0)
        out.append("\n")
        return out
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .null: out.append("null")
        case .bool(let value): out.append(value ? "true" : "false")
        case .int(let value): out.append(String(value))
        case .double(let value):
            if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
                out.append(String(Int(value)))
            } else if value.isFinite {
                out.append(String(value))
            } else {
                out.append("null")
            }
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let items):
            if items.isEmpty { out.append("[]"); return }
            out.append("[\n")
            for (index, item) in items.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                item.write(to: &out, indent: indent + 2)
                out.append(index == items.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent))
            out.append("]")
        case .object(let members):
            if members.isEmpty { out.append("{}"); return }
            out.append("{\n")
            for (index, (key, value)) in members.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                Self.writeString(key, to: &out)
                out.append(": ")
                value.write(to: &out, indent: indent + 2)
                out.append(index == members.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent))
            out.append("}")
        }
    }

    static func writeString(_ value: String, to out: inout String) {
        out.append("\"")
        // Copy runs of bytes that need no escaping whole; escape the rest.
        var pending: [UInt8] = []
        pending.reserveCapacity(value.utf8.count + 8)
        let utf8 = Array(value.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            switch byte {
            case 0x22: pending += [0x5C, 0x22]
            case 0x5C: pending += [0x5C, 0x5C]
            case 0x0A: pending += [0x5C, 0x6E]
            case 0x0D: pending += [0x5C, 0x72]
            case 0x09: pending += [0x5C, 0x74]
            case 0x00..<0x20:
                pending += Array(String(format: "\\u%04x", byte).utf8)
            case 0xE2 where index + 2 < utf8.count && utf8[index + 1] == 0x80 && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                // U+2028 and U+2029 end lines in JavaScript: escape them.
                pending += Array((utf8[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                index += 2
            default:
                pending.append(byte)
            }
            index += 1
        }
        out.append(String(decoding: pending, as: UTF8.self))
        out.append("\"")
    }
}
