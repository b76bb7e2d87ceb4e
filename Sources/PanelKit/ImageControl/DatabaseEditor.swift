import Foundation

/// Edits the character database's text in place, keeping every other byte (formatting, key
/// order, notes) as the writer left it: adds a reference image to a character or location, and
/// sets a reference's status. The result is parsed again before anyone writes it.
struct DatabaseEditor {
    var bytes: [UInt8]
    let file: String

    enum Section: String { case characters, locations }

    /// Byte offsets of the start of each line (line 1 at index 0).
    private var lineStarts: [Int] {
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == 0x0A { starts.append(index + 1) }
        return starts
    }

    private func offset(_ location: SourceLocation) -> Int { lineStarts[location.line - 1] + location.column - 1 }

    /// The index just after the JSON value starting at `start`.
    func valueEnd(_ start: Int) -> Int {
        var index = start
        switch bytes[start] {
        case UInt8(ascii: "\""):
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1 }
            return index + 1
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""): index = valueEnd(index); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return index
        default:
            while index < bytes.count, !",]} \t\r\n".utf8.contains(bytes[index]) { index += 1 }
            return index
        }
    }

    /// The whitespace at the start of the line holding `offset`.
    func indentation(at offset: Int) -> [UInt8] {
        let start = lineStarts.last { $0 <= offset } ?? 0
        var end = start
        while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x09 { end += 1 }
        return Array(bytes[start..<end])
    }

    func hasNewline(_ range: Range<Int>) -> Bool { bytes[range].contains(0x0A) }

    /// The entry of `section` whose `id` is `id`.
    func entry(_ id: String, in section: Section) throws(InputError) -> LocatedJSON {
        let root = try LocatedJSON.parse(bytes, file: file)
        guard case .object(let members) = root.value, let list = members.first(where: { $0.key == section.rawValue })?.value,
            case .array(let entries) = list.value
        else { throw InputError(file: file, message: "no `\(section.rawValue)` list") }
        for entry in entries {
            guard case .object(let fields) = entry.value else { continue }
            if case .string(let value)? = fields.first(where: { $0.key == "id" })?.value.value, value == id { return entry }
        }
        throw InputError(file: file, message: "no \(section == .characters ? "character" : "location") with id \"\(id)\"")
    }

    /// Adds `{ "id": …, "path": …, "status": "draft" }` to the entry's `reference_images`.
    mutating func addReference(to id: String, in section: Section, referenceID: String, path: String) throws(InputError) {
        let object = "{ \"id\": \(JSONValue.string(referenceID).compact()), \"path\": \(JSONValue.string(path).compact()), \"status\": \"draft\" }"
        let entry = try entry(id, in: section)
        guard case .object(let fields) = entry.value else { return }
        if let list = fields.first(where: { $0.key == "reference_images" })?.value, case .array(let items) = list.value {
            let open = offset(list.location)
            let close = valueEnd(open) - 1
            if let last = items.last {
                let first = offset(items[0].location)
                let end = valueEnd(offset(last.location))
                let separator = hasNewline(open..<first) ? [UInt8](",\n".utf8) + indentation(at: first) : [UInt8](", ".utf8)
                bytes.insert(contentsOf: separator + Array(object.utf8), at: end)
            } else {
                bytes.replaceSubrange((open + 1)..<close, with: Array(object.utf8))
            }
            return
        }
        guard let last = fields.last else { return }
        let end = valueEnd(offset(last.value.location))
        let key = offset(last.keyLocation)
        let separator = hasNewline(offset(entry.location)..<key) ? [UInt8](",\n".utf8) + indentation(at: key) : [UInt8](", ".utf8)
        bytes.insert(contentsOf: separator + Array("\"reference_images\": [\(object)]".utf8), at: end)
    }

    /// Sets the `status` of the reference `referenceID` (in any character or location).
    /// Returns the owner's id, or nil when no reference has that id.
    mutating func setStatus(of referenceID: String, to status: String) throws(InputError) -> String? {
        let root = try LocatedJSON.parse(bytes, file: file)
        guard case .object(let members) = root.value else { return nil }
        for section in [Section.characters, .locations] {
            guard let list = members.first(where: { $0.key == section.rawValue })?.value, case .array(let entries) = list.value else { continue }
            for entry in entries {
                guard case .object(let fields) = entry.value,
                    case .array(let references)? = fields.first(where: { $0.key == "reference_images" })?.value.value
                else { continue }
                for reference in references {
                    guard case .object(let parts) = reference.value else { continue }
                    let path: String? = if case .string(let value)? = parts.first(where: { $0.key == "path" })?.value.value { value } else { nil }
                    let id: String? = if case .string(let value)? = parts.first(where: { $0.key == "id" })?.value.value { value } else {
                        path.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
                    }
                    guard id == referenceID else { continue }
                    let owner: String = if case .string(let value)? = fields.first(where: { $0.key == "id" })?.value.value { value } else { "" }
                    let value = Array(JSONValue.string(status).compact().utf8)
                    if let current = parts.first(where: { $0.key == "status" })?.value {
                        let start = offset(current.location)
                        bytes.replaceSubrange(start..<valueEnd(start), with: value)
                    } else {
                        let open = offset(reference.location)
                        bytes.insert(contentsOf: Array("\"status\": ".utf8) + value + Array(", ".utf8), at: open + 1)
                    }
                    return owner
                }
            }
        }
        return nil
    }

    /// Every reference id in the database, for suggestions.
    static func referenceIDs(_ database: CharacterDatabase) -> [String] {
        database.characters.flatMap { $0.referenceImages.map(\.id) } + database.locations.flatMap { $0.referenceImages.map(\.id) }
    }
}
