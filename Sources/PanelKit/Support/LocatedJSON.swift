/// A JSON value (RFC 8259) with the 1-based line and byte column where it starts, so checks on
/// the parsed data can point at the offending value in the file.
struct LocatedJSON: Sendable {
    enum Value: Sendable {
        case null
        case bool(Bool)
        /// The number and its text as written (`1`, `1.0`, `1e0` differ in text only).
        case number(Double, raw: String)
        case string(String)
        case array([LocatedJSON])
        /// Members in the order written; keys are unique.
        case object([Member])
    }

    /// One `"key": value` member of an object.
    struct Member: Sendable {
        var key: String
        var keyLocation: SourceLocation
        var value: LocatedJSON
    }

    var value: Value
    var location: SourceLocation

    /// Deeper documents are refused rather than risking the stack (serde_json's default limit).
    static let maximumDepth = 128

    /// Parses one JSON document; a leading UTF-8 byte order mark is skipped.
    static func parse(_ bytes: [UInt8], file: String) throws(InputError) -> LocatedJSON {
        if let offset = InputValidation.firstInvalidUTF8(bytes) {
            let location = SourceText(bytes: bytes).location(ofOffset: offset)
            throw InputError(file: file, location: location,
                             message: "invalid UTF-8 (byte 0x\(String(bytes[offset], radix: 16, uppercase: true))); expected UTF-8 JSON",
                             hint: "re-save the file as UTF-8")
        }
        var parser = JSONParser(bytes: bytes, file: file)
        return try parser.document()
    }

    /// The kind of value with its article, for messages such as "expected a list, found a number".
    var kind: String {
        switch value {
        case .null: return "null"
        case .bool: return "true or false"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// Recursive descent over the bytes; line and column are tracked as whitespace is skipped
/// (the only place a line break may appear), so locating a value costs nothing extra.
private struct JSONParser {
    let bytes: [UInt8]
    let file: String
    var index = 0
    var line = 1
    var lineStart = 0
    var depth = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        // Columns on the first line count from after a byte order mark, as editors show them.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
            lineStart = 3
        }
    }

    var location: SourceLocation { SourceLocation(line: line, column: index - lineStart + 1) }

    mutating func document() throws(InputError) -> LocatedJSON {
        skipWhitespace()
        if index == bytes.count {
            throw error("empty file; expected a JSON document", hint: "a JSON file holds one value, usually an object `{ … }`")
        }
        let root = try value()
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describeHere()) after the end of the JSON document",
                        hint: "a file holds one JSON value; check for an extra `}` or `]`")
        }
        return root
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09: index += 1
            case 0x0A:
                index += 1
                newLine()
            case 0x0D:
                index += 1
                if index < bytes.count, bytes[index] == 0x0A { index += 1 }
                newLine()
            default: return
            }
        }
    }

    mutating func newLine() {
        line += 1
        lineStart = index
    }

    mutating func value() throws(InputError) -> LocatedJSON {
        let start = location
        guard index < bytes.count else { throw error("expected a value, found the end of the file") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return LocatedJSON(value: try object(), location: start)
        case UInt8(ascii: "["): return LocatedJSON(value: try array(), location: start)
        case UInt8(ascii: "\""): return LocatedJSON(value: .string(try string()), location: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return LocatedJSON(value: try number(), location: start)
        case UInt8(ascii: "t"): try literal("true"); return LocatedJSON(value: .bool(true), location: start)
        case UInt8(ascii: "f"): try literal("false"); return LocatedJSON(value: .bool(false), location: start)
        case UInt8(ascii: "n"): try literal("null"); return LocatedJSON(value: .null, location: start)
        case UInt8(ascii: "'"):
            throw error("strings take double quotes in JSON, found `'`", hint: "write \"text\", not 'text'")
        default:
            throw error("expected a value (object, list, string, number, true, false or null), found \(describeHere())")
        }
    }

    mutating func enter() throws(InputError) {
        depth += 1
        if depth > LocatedJSON.maximumDepth {
            throw error("nested deeper than \(LocatedJSON.maximumDepth) levels", hint: "flatten the structure")
        }
    }

    mutating func object() throws(InputError) -> LocatedJSON.Value {
        try enter()
        defer { depth -= 1 }
        index += 1  // `{`
        var members: [LocatedJSON.Member] = []
        var seen: [String: Int] = [:]
        var lastComma = location
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                if index < bytes.count, bytes[index] == UInt8(ascii: "}"), !members.isEmpty {
                    throw InputError(file: file, location: lastComma, message: "trailing comma before `}`",
                                     hint: "remove the last `,`")
                }
                throw error("expected a member name in double quotes, found \(describeHere())",
                            hint: "object members look like \"name\": value")
            }
            let keyLocation = location
            let key = try string()
            if let firstLine = seen[key] {
                throw InputError(file: file, location: keyLocation,
                                 message: "`\(key)` appears twice in this object (first on line \(firstLine))",
                                 hint: "keep one of them")
            }
            seen[key] = keyLocation.line
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected `:` after the member name \"\(key)\", found \(describeHere())")
            }
            index += 1
            skipWhitespace()
            members.append(LocatedJSON.Member(key: key, keyLocation: keyLocation, value: try value()))
            skipWhitespace()
            guard index < bytes.count else {
                throw error("expected `,` or `}` after an object member, found the end of the file",
                            hint: "close the object with `}`")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                lastComma = location
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default:
                throw error("expected `,` or `}` after an object member, found \(describeHere())",
                            hint: "separate members with `,`")
            }
        }
    }

    mutating func array() throws(InputError) -> LocatedJSON.Value {
        try enter()
        defer { depth -= 1 }
        index += 1  // `[`
        var items: [LocatedJSON] = []
        var lastComma = location
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            if index < bytes.count, bytes[index] == UInt8(ascii: "]"), !items.isEmpty {
                throw InputError(file: file, location: lastComma, message: "trailing comma before `]`",
                                 hint: "remove the last `,`")
            }
            items.append(try value())
            skipWhitespace()
            guard index < bytes.count else {
                throw error("expected `,` or `]` after a list element, found the end of the file",
                            hint: "close the list with `]`")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                lastComma = location
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default:
                throw error("expected `,` or `]` after a list element, found \(describeHere())",
                            hint: "separate elements with `,`")
            }
        }
    }

    /// Reads a string starting at its opening quote. Runs without escapes are copied as they are.
    mutating func string() throws(InputError) -> String {
        let open = location
        index += 1
        var decoded: [UInt8] = []
        var runStart = index
        while true {
            guard index < bytes.count else {
                throw InputError(file: file, location: open, message: "unterminated string",
                                 hint: "close it with `\"`")
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                decoded.append(contentsOf: bytes[runStart..<index])
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                decoded.append(contentsOf: bytes[runStart..<index])
                try escape(into: &decoded)
                runStart = index
                continue
            }
            if byte < 0x20 {
                if byte == 0x0A || byte == 0x0D {
                    throw InputError(file: file, location: open, message: "unterminated string (a line break inside a string)",
                                     hint: "close it with `\"` on the same line, or write the break as \\n")
                }
                throw error("control character 0x\(String(byte, radix: 16, uppercase: true)) inside a string",
                            hint: "write it as an escape such as \\t or \\u0001")
            }
            index += 1
        }
    }

    /// Decodes one escape starting at its backslash.
    mutating func escape(into out: inout [UInt8]) throws(InputError) {
        let start = location
        guard index + 1 < bytes.count else {
            throw InputError(file: file, location: start, message: "unterminated string", hint: "close it with `\"`")
        }
        let simple: UInt8?
        switch bytes[index + 1] {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default:
            let shown = bytes[index + 1] < 0x80 ? String(UnicodeScalar(bytes[index + 1])) : "…"
            throw InputError(file: file, location: start, message: "invalid escape `\\\(shown)` in a string",
                             hint: "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a backslash as \\\\")
        }
        if let simple {
            out.append(simple)
            index += 2
            return
        }
        index += 2
        var code = try hexQuad(escapeAt: start)
        if (0xDC00...0xDFFF).contains(code) {
            throw InputError(file: file, location: start, message: "invalid escape: low surrogate \\u\(hex(code)) without a high surrogate before it",
                             hint: "write the character itself, or a \\uD8xx\\uDCxx pair")
        }
        if (0xD800...0xDBFF).contains(code) {
            let high = code
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw InputError(file: file, location: start, message: "invalid escape: high surrogate \\u\(hex(high)) not followed by a low surrogate",
                                 hint: "write the character itself, or a \\uD8xx\\uDCxx pair")
            }
            let lowStart = location
            index += 2
            let low = try hexQuad(escapeAt: lowStart)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw InputError(file: file, location: lowStart, message: "invalid escape: \\u\(hex(low)) after the high surrogate \\u\(hex(high)) is not a low surrogate",
                                 hint: "write the character itself, or a \\uD8xx\\uDCxx pair")
            }
            code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        }
        // Every code left is a valid scalar: surrogates were handled above.
        UTF8.encode(Unicode.Scalar(code)!) { out.append($0) }
    }

    mutating func hexQuad(escapeAt start: SourceLocation) throws(InputError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = hexDigit(bytes[index]) else {
                throw InputError(file: file, location: start, message: "invalid escape: \\u needs four hex digits",
                                 hint: "write it like \\u00e9")
            }
            code = code << 4 | digit
            index += 1
        }
        return code
    }

    func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    func hex(_ code: UInt32) -> String {
        let digits = String(code, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    mutating func number() throws(InputError) -> LocatedJSON.Value {
        let start = index
        let startLocation = location
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error("expected a digit after `-`, found \(describeHere())")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw InputError(file: file, location: startLocation, message: "numbers may not start with a leading zero",
                                 hint: "write 7, not 07; quote it if it is an identifier")
            }
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("expected a digit after the decimal point, found \(describeHere())")
            }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("expected a digit in the exponent, found \(describeHere())")
            }
            skipDigits()
        }
        let raw = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let number = Double(raw), number.isFinite else {
            throw InputError(file: file, location: startLocation, message: "number \(raw) is out of range")
        }
        return .number(number, raw: raw)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    mutating func literal(_ word: String) throws(InputError) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw error("expected a value, found \(describeHere())", hint: "literals are lower-case: true, false, null")
        }
        index += expected.count
    }

    /// The next token for messages: a word, one character, or the end of the file.
    func describeHere() -> String {
        guard index < bytes.count else { return "the end of the file" }
        var end = index
        while end < bytes.count, end - index < 20, isWordByte(bytes[end]) { end += 1 }
        if end == index {
            end += 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        }
        return "`\(String(decoding: bytes[index..<end], as: UTF8.self))`"
    }

    func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    func error(_ message: String, hint: String? = nil) -> InputError {
        InputError(file: file, location: location, message: message, hint: hint)
    }
}
