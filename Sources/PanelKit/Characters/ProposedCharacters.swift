import Foundation

/// The `propose` policy for unknown roles: entries in `characters/proposed.json` for a person to
/// review and move into the database. Nothing here makes a role resolvable.
enum ProposedCharacters {
    static let fileName = "proposed.json"

    /// Adds one entry per unknown role (by slug) to the file at `path`, or adds panel ids to the
    /// entry already there, and rewrites it atomically. Returns the ids of new entries, sorted.
    ///
    /// Entries already in the file keep every field a reviewer may have edited; only
    /// `first_seen_in` grows. A file that is not valid JSON is left alone and reported.
    static func merge(unknownRoles: [(role: String, panelID: String)], into path: String) throws(FileIO.WriteError) -> [String] {
        let existingBytes = FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        if existingBytes == nil, FileManager.default.fileExists(atPath: path) {
            throw FileIO.WriteError(path: path, reason: "the existing file cannot be read; check its permissions")
        }
        var entries: [String: [(String, JSONValue)]] = [:]
        var extraTopLevel: [(String, JSONValue)] = []
        if let existingBytes {
            let root: LocatedJSON
            do {
                root = try LocatedJSON.parse(existingBytes, file: path)
            } catch {
                throw FileIO.WriteError(path: path, reason: "the existing file is not valid JSON (\(error.description)); fix or remove it")
            }
            guard case .object(let members) = root.value else {
                throw FileIO.WriteError(path: path, reason: "the existing file is not a JSON object; fix or remove it")
            }
            for member in members {
                switch member.key {
                case "schema_version": continue
                case "proposed":
                    guard case .array(let items) = member.value.value else {
                        throw FileIO.WriteError(path: path, reason: "`proposed` at \(member.value.location) is not a list; fix or remove it")
                    }
                    for item in items {
                        guard case .object(let fields) = item.value,
                              let idField = fields.first(where: { $0.key == "id" }), case .string(let id) = idField.value.value
                        else {
                            throw FileIO.WriteError(path: path, reason: "entry at \(item.location) has no string `id`; fix or remove it")
                        }
                        entries[id] = fields.map { ($0.key, jsonValue($0.value)) }
                    }
                default: extraTopLevel.append((member.key, jsonValue(member.value)))
                }
            }
        }

        var added: [String] = []
        // Sorted first, so the name a new entry takes does not depend on the order panels ran in.
        let sightings = unknownRoles.sorted { ($0.panelID, $0.role) < ($1.panelID, $1.role) }
        for (role, panelID) in sightings {
            let id = slug(role)
            var fields = entries[id] ?? {
                added.append(id)
                return [("id", .string(id)), ("name", .string(role)), ("aliases", .array([])), ("roles", .array([])),
                        ("appearance", .string("")), ("status", .string("proposed")), ("first_seen_in", .array([]))]
            }()
            if let index = fields.firstIndex(where: { $0.0 == "first_seen_in" }) {
                var seen = Set(stringItems(fields[index].1))
                seen.insert(panelID)
                fields[index].1 = .array(seen.sorted().map(JSONValue.string))
            } else {
                fields.append(("first_seen_in", .array([.string(panelID)])))
            }
            entries[id] = fields
        }

        let document = JSONValue.object(
            [("schema_version", .int(1)),
             ("proposed", .array(entries.keys.sorted().map { JSONValue.object(entries[$0]!) }))] + extraTopLevel)
        let bytes = Array(document.serialized().utf8)
        if bytes != existingBytes { try FileIO.writeAtomically(bytes, to: path) }
        return added.sorted()
    }

    /// `The Stranger` → `the-stranger`; a role without Latin letters or digits gets a stable hash.
    static func slug(_ role: String) -> String {
        let slug = ChapterSlug.slugify(role)
        return slug.isEmpty ? "role-" + SHA256.hex(role).prefix(12) : slug
    }

    private static func stringItems(_ value: JSONValue) -> [String] {
        guard case .array(let items) = value else { return [] }
        return items.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
    }

    /// The parsed value as written: whole numbers stay whole, keys keep their order.
    private static func jsonValue(_ located: LocatedJSON) -> JSONValue {
        switch located.value {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let value, let raw):
            if let whole = Int(raw) { return .int(whole) }
            return .double(value)
        case .string(let text): return .string(text)
        case .array(let items): return .array(items.map(jsonValue))
        case .object(let members): return .object(members.map { ($0.key, jsonValue($0.value)) })
        }
    }
}
