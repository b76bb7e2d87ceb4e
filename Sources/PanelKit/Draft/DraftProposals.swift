import Foundation

/// The draft's new characters as proposed database entries, in the file the `propose` policy
/// uses (`proposed.json` beside the character database, or `characters/proposed.json` beside the
/// chapter when there is none): `{"schema_version": 1, "proposed": [ … ]}`, entries sorted by id.
/// An entry already there (same id) is never touched: a reviewer may have edited it.
enum DraftProposals {
    struct Entry: Sendable, Equatable {
        var id: String
        var character: DraftCharacter
        /// Panel ids where the character speaks or is listed.
        var panels: [String]

        var json: JSONValue {
            .object([
                ("id", .string(id)), ("name", .string(character.name)), ("aliases", .array([])),
                ("roles", .array(character.roles.map(JSONValue.string))), ("appearance", .string(character.appearance)),
                ("personality", .string(character.personality)), ("voice", .string(character.voice)),
                ("status", .string("proposed")), ("first_seen_in", .array(panels.map(JSONValue.string))),
            ])
        }
    }

    /// Ids for the new characters: the slug of the name, made unique against the database and
    /// each other.
    static func entries(for characters: [DraftCharacter], database: CharacterDatabase?, panels: [String: [String]]) -> [Entry] {
        var taken = Set((database?.characters ?? []).map { $0.id.lowercased() })
        var entries: [Entry] = []
        for character in characters where character.existingID == nil {
            let base = ProposedCharacters.slug(character.name)
            var id = base
            var number = 2
            while taken.contains(id.lowercased()) {
                id = "\(base)-\(number)"
                number += 1
            }
            taken.insert(id.lowercased())
            entries.append(Entry(id: id, character: character, panels: panels[character.name] ?? []))
        }
        return entries
    }

    /// Adds the entries whose id the file does not hold yet; returns the ids added, sorted.
    static func merge(_ entries: [Entry], into path: String) throws(FileIO.WriteError) -> [String] {
        var existing: [(String, JSONValue)] = []
        var extra: [(String, JSONValue)] = []
        var previous: [UInt8]?
        if let data = FileManager.default.contents(atPath: path) {
            previous = [UInt8](data)
            let root: JSONValue
            do {
                root = try JSONValue.parse(String(decoding: data, as: UTF8.self), file: path)
            } catch {
                throw FileIO.WriteError(path: path, reason: "the existing file is not valid JSON (\(error.description)); fix or remove it")
            }
            guard let members = root.members else {
                throw FileIO.WriteError(path: path, reason: "the existing file is not a JSON object; fix or remove it")
            }
            for (key, value) in members {
                switch key {
                case "schema_version": continue
                case "proposed":
                    for item in value.array ?? [] {
                        guard let id = item["id"]?.string else {
                            throw FileIO.WriteError(path: path, reason: "an entry of `proposed` has no string `id`; fix or remove it")
                        }
                        existing.append((id, item))
                    }
                default: extra.append((key, value))
                }
            }
        } else if FileManager.default.fileExists(atPath: path) {
            throw FileIO.WriteError(path: path, reason: "the existing file cannot be read; check its permissions")
        }
        var byID = Dictionary(existing, uniquingKeysWith: { first, _ in first })
        var added: [String] = []
        for entry in entries where byID[entry.id] == nil {
            byID[entry.id] = entry.json
            added.append(entry.id)
        }
        guard !added.isEmpty else { return [] }
        let document = JSONValue.object([("schema_version", .int(1)), ("proposed", .array(byID.keys.sorted().map { byID[$0]! }))] + extra)
        let bytes = Array(document.serialized().utf8)
        if bytes != previous { try FileIO.writeAtomically(bytes, to: path) }
        return added.sorted()
    }
}
