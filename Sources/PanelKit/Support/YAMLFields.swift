import Yams

/// A YAML mapping read with source locations, so every type error names the file, line and column
/// of the offending value (front matter and `panelproc.yml` share it).
struct YAMLFields {
    struct Field {
        var key: String
        var keyLocation: SourceLocation
        var node: Node
        var location: SourceLocation
        fileprivate var owner: YAMLFields

        /// The file the field was read from.
        var file: String { owner.file }

        /// A scalar as text; nil for an empty or `null` value.
        func text() throws(InputError) -> String? {
            if let scalar = node.scalar {
                if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return nil }
                return scalar.string
            }
            throw owner.error("`\(key)` should be a single value, found a \(YAMLFields.describe(node))", at: location)
        }

        /// A whole number within `range`.
        func integer(in range: ClosedRange<Int>) throws(InputError) -> Int? {
            guard let raw = try text() else { return nil }
            guard let value = Int(raw), range.contains(value) else {
                throw owner.error("`\(key)` should be a whole number from \(range.lowerBound) to \(range.upperBound), found `\(raw)`", at: location)
            }
            return value
        }

        /// A decimal number within `range`.
        func number(in range: ClosedRange<Double>) throws(InputError) -> Double? {
            guard let raw = try text() else { return nil }
            guard let value = Double(raw), range.contains(value) else {
                throw owner.error("`\(key)` should be a number from \(range.lowerBound) to \(range.upperBound), found `\(raw)`", at: location)
            }
            return value
        }

        /// One of `options`; nil when unset.
        /// One of a fixed list of settings, by its raw value.
        func choice<Choice: RawRepresentable & CaseIterable>(of _: Choice.Type) throws(InputError) -> Choice? where Choice.RawValue == String {
            guard let raw = try text() else { return nil }
            guard let choice = Choice(rawValue: raw) else {
                let options = Choice.allCases.map(\.rawValue)
                throw owner.error("`\(key)` should be one of \(options.joined(separator: ", ")), found `\(raw)`", at: location)
            }
            return choice
        }

        func boolean() throws(InputError) -> Bool? {
            guard let raw = try text() else { return nil }
            switch raw.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: throw owner.error("`\(key)` should be true or false, found `\(raw)`", at: location)
            }
        }

        /// A YAML list of scalars, or one comma-separated line.
        func list() throws(InputError) -> [String]? {
            if let sequence = node.sequence {
                var items: [String] = []
                for item in sequence {
                    guard let value = item.scalar?.string else {
                        throw owner.error("`\(key)` entries should be single values, found a \(YAMLFields.describe(item))",
                                          at: owner.location(item.mark) ?? location)
                    }
                    items.append(value)
                }
                return items
            }
            return try text().map { line in
                line.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            }
        }

        /// A nested mapping, read with the same locations.
        func mapping() throws(InputError) -> [Field] {
            guard let mapping = node.mapping else {
                throw owner.error("`\(key)` should be a mapping of `key: value` lines, found a \(YAMLFields.describe(node))", at: location)
            }
            return try owner.fields(of: mapping)
        }
    }

    let file: String
    let source: SourceText
    /// The line of `source` where the YAML text starts.
    let firstLine: Int
    let what: String

    /// Parses `source`'s lines from `firstLine` up to (not including) `endLine` as one mapping.
    static func read(_ source: SourceText, lines: Range<Int>, file: String, what: String) throws(InputError) -> [Field] {
        let reader = YAMLFields(file: file, source: source, firstLine: lines.lowerBound, what: what)
        let yaml = source.string(source.lineStart(lines.lowerBound)..<source.lineStart(lines.upperBound))
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                throw reader.error(problem, at: reader.location(mark),
                                   hint: "\(what) is YAML; check quoting, colons and indentation")
            case .duplicatedKeysInMapping(let duplicates, let context):
                let key = duplicates.first ?? "?"
                throw reader.error("`\(key)` is set twice", at: reader.secondOccurrence(of: key) ?? reader.location(context.mark),
                                   hint: "keep one of them")
            default:
                throw reader.error(String(describing: error), at: nil)
            }
        } catch {
            throw reader.error(String(describing: error), at: nil)
        }
        guard let node else { return [] }
        guard let mapping = node.mapping else {
            throw reader.error("expected `key: value` lines, found a \(describe(node))", at: reader.location(node.mark),
                               hint: "write each setting on its own line, like `title: The Double Spend`")
        }
        return try reader.fields(of: mapping)
    }

    fileprivate func fields(of mapping: Node.Mapping) throws(InputError) -> [Field] {
        var fields: [Field] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            let keyLocation = location(keyNode.mark) ?? SourceLocation(line: firstLine, column: 1)
            guard let key = keyNode.scalar?.string else {
                throw error("expected a plain key, found a \(Self.describe(keyNode))", at: keyLocation)
            }
            guard seen.insert(key).inserted else {
                throw error("`\(key)` is set twice", at: keyLocation, hint: "keep one of them")
            }
            fields.append(Field(key: key, keyLocation: keyLocation, node: value,
                                location: location(value.mark) ?? keyLocation, owner: self))
        }
        return fields
    }

    /// Yams reports a repeated key at its first use; the second is the one to remove.
    fileprivate func secondOccurrence(of key: String) -> SourceLocation? {
        var seen = 0
        for line in firstLine...max(firstLine, source.lineCount) {
            let content = String(decoding: source.lineContent(line), as: UTF8.self)
            let indent = content.prefix { $0 == " " }.count
            if content.dropFirst(indent).hasPrefix(key + ":") {
                seen += 1
                if seen == 2 { return SourceLocation(line: line, column: indent + 1) }
            }
        }
        return nil
    }

    fileprivate func error(_ message: String, at location: SourceLocation?, hint: String? = nil) -> InputError {
        InputError(file: file, location: location ?? SourceLocation(line: firstLine, column: 1),
                   message: "malformed \(what): \(message)", hint: hint)
    }

    /// libYAML counts lines from the snippet and columns in Unicode scalars; panelproc reports
    /// lines of the file and byte columns.
    fileprivate func location(_ mark: Mark?) -> SourceLocation? {
        guard let mark else { return nil }
        let line = mark.line + firstLine - 1
        let content = String(decoding: source.lineContent(line), as: UTF8.self)
        let prefix = content.unicodeScalars.prefix(max(mark.column - 1, 0))
        let byteColumn = prefix.reduce(0) { $0 + String($1).utf8.count } + 1
        return SourceLocation(line: line, column: byteColumn)
    }

    fileprivate static func describe(_ node: Node) -> String {
        switch node {
        case .scalar: return "single value"
        case .mapping: return "nested mapping"
        case .sequence: return "list"
        case .alias: return "YAML alias"
        }
    }
}
