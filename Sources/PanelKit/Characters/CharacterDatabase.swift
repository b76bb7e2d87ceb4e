import Foundation

/// One reference image of a character; `path` is relative to the database's folder.
public struct ReferenceImage: Sendable, Equatable {
    public var id: String
    /// As written in the database.
    public var path: String
    /// The database's folder joined with `path`, `.` and `..` resolved.
    public var absolutePath: String
    /// `approved`, `draft`, … (`draft` when the database does not say).
    public var status: String

    public init(id: String, path: String, absolutePath: String, status: String) {
        self.id = id
        self.path = path
        self.absolutePath = absolutePath
        self.status = status
    }

    /// True for an `approved` image (any case).
    public var isApproved: Bool { status.lowercased() == "approved" }
}

/// One entry of `characters/character_base_list.json`.
public struct CharacterProfile: Sendable, Equatable {
    public var id: String
    /// The canonical name every rewrite and prompt uses.
    public var name: String
    public var aliases: [String]
    /// Role tags such as `merchant`, matched when no name or alias is.
    public var roles: [String]
    public var appearance: String
    public var personality: String
    public var voice: String
    public var referenceImages: [ReferenceImage]
    /// `animal`, `creature` or `object` for a non-human character (a different silhouette in
    /// sketches); nil for a person.
    public var kind: String?

    public init(id: String, name: String, aliases: [String] = [], roles: [String] = [], appearance: String = "",
                personality: String = "", voice: String = "", referenceImages: [ReferenceImage] = []) {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.roles = roles
        self.appearance = appearance
        self.personality = personality
        self.voice = voice
        self.referenceImages = referenceImages
    }
}

/// The validated character database: who may appear in a panel (README, "Characters").
public struct CharacterDatabase: Sendable {
    /// The database file, absolute.
    public var path: String
    public var characters: [CharacterProfile] { didSet { positions = Self.positions(of: characters) } }
    /// SHA-256 of the file's bytes, so cache keys change when the database does.
    public var digest: String
    /// `locations` beside `characters` (Characters/Locations.swift).
    public var locations: [LocationProfile] = []
    /// What panel content hashes take from the database: `digest` without locations and
    /// reference images (`CharacterDatabase.panelDigest`); nil for a database built in memory.
    public var panelDigest: String?

    private var positions: [String: Int]

    public static let currentSchemaVersion = 1

    init(path: String, characters: [CharacterProfile], digest: String) {
        self.path = path
        self.characters = characters
        self.digest = digest
        self.positions = Self.positions(of: characters)
    }

    private static func positions(of characters: [CharacterProfile]) -> [String: Int] {
        Dictionary(characters.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads and validates the database at `path`.
    public static func load(path: String) throws(InputError) -> CharacterDatabase {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw InputError(file: path, message: "is a folder, expected a character database (JSON)",
                             hint: "point at the file, e.g. \(path)/character_base_list.json")
        }
        let source = try FileIO.readSource(path: path)
        return try parse(source.bytes, path: path)
    }

    /// Validates database bytes; errors name `path` and the line and column of the offending value.
    public static func parse(_ bytes: [UInt8], path: String) throws(InputError) -> CharacterDatabase {
        let root = try LocatedJSON.parse(bytes, file: path)
        let absolute = FileIO.absolute(path, from: FileManager.default.currentDirectoryPath)
        var reader = DatabaseReader(file: path, folder: (absolute as NSString).deletingLastPathComponent)
        let characters = try reader.read(root)
        var database = CharacterDatabase(path: absolute, characters: characters, digest: SHA256.hex(bytes))
        database.locations = try LocationReader(file: path, folder: reader.folder).read(root, characterIDs: characters.map(\.id))
        database.panelDigest = panelDigest(root)
        return database
    }

    /// At most two references, for providers that accept images: only `approved` ones. A draft
    /// (a fresh `panelproc refs` sheet) goes nowhere until `refs --approve` says it is right.
    public func references(for character: CharacterProfile) -> [ReferenceImage] {
        Array(character.referenceImages.filter(\.isApproved).prefix(2))
    }

    /// The character with exactly this id.
    public func character(id: String) -> CharacterProfile? {
        positions[id].map { characters[$0] }
    }
}

/// Turns the parsed JSON into characters, checking every rule of the contract as it goes.
struct DatabaseReader {
    let file: String
    let folder: String
    /// Lower-cased id → line of its first use; ids match case-insensitively, so they must be unique so.
    var idLines: [String: Int] = [:]
    /// Folded name or alias → the character that owns it.
    var nameOwners: [String: (id: String, name: String, line: Int)] = [:]

    init(file: String, folder: String) {
        self.file = file
        self.folder = folder
    }

    func error(_ message: String, at location: SourceLocation, hint: String? = nil) -> InputError {
        InputError(file: file, location: location, message: message, hint: hint)
    }

    mutating func read(_ root: LocatedJSON) throws(InputError) -> [CharacterProfile] {
        guard case .object(let members) = root.value else {
            throw error("expected a JSON object with a `characters` list, found \(root.kind)", at: root.location,
                        hint: "start the file with {\"schema_version\": 1, \"characters\": [ … ]}")
        }
        var list: LocatedJSON?
        for member in members {
            switch member.key {
            case "schema_version":
                guard case .number(let version, let raw) = member.value.value else {
                    throw error("`schema_version` should be the number \(CharacterDatabase.currentSchemaVersion), found \(member.value.kind)",
                                at: member.value.location)
                }
                guard version == Double(CharacterDatabase.currentSchemaVersion) else {
                    throw error("unsupported `schema_version` \(raw); this panelproc reads version \(CharacterDatabase.currentSchemaVersion)",
                                at: member.value.location, hint: "use a panelproc that knows version \(raw), or rewrite the file as version 1")
                }
            case "characters": list = member.value
            default: break  // Unknown keys are allowed so a database can carry notes and future fields.
            }
        }
        guard let list else {
            throw error("missing `characters`; expected a list of characters", at: root.location,
                        hint: "add \"characters\": [ … ] with one object per character")
        }
        guard case .array(let entries) = list.value else {
            throw error("`characters` should be a list, found \(list.kind)", at: list.location,
                        hint: "write \"characters\": [ … ] with one object per character")
        }
        var characters: [CharacterProfile] = []
        characters.reserveCapacity(entries.count)
        for entry in entries { characters.append(try character(entry)) }
        return characters
    }

    mutating func character(_ entry: LocatedJSON) throws(InputError) -> CharacterProfile {
        guard case .object(let members) = entry.value else {
            throw error("each character should be an object {\"id\": …, \"name\": …}, found \(entry.kind)", at: entry.location)
        }
        var id: (String, SourceLocation)?
        var name: (String, SourceLocation)?
        var aliases: [(String, SourceLocation)] = []
        var character = CharacterProfile(id: "", name: "")
        for member in members {
            switch member.key {
            case "id": id = try nonEmptyString(member)
            case "name": name = try nonEmptyString(member)
            case "aliases": aliases = try strings(member)
            case "roles":
                let tags = try strings(member)
                if case let (tag, location)? = tags.first(where: { NameFolding.fold($0.0).isEmpty }) {
                    throw error("role tag \"\(tag)\" has no letters or digits, so no role can match it", at: location)
                }
                character.roles = tags.map(\.0)
            case "appearance": character.appearance = try string(member).0
            case "personality": character.personality = try string(member).0
            case "voice": character.voice = try string(member).0
            case "reference_images": character.referenceImages = try references(member)
            case "kind":
                let (kind, location) = try string(member)
                guard ["human", "animal", "creature", "object"].contains(kind) else {
                    throw error("`kind` should be human, animal, creature or object, found \"\(kind)\"", at: location)
                }
                character.kind = kind == "human" ? nil : kind
            default: break
            }
        }
        let required = "every character needs \"id\" (short and unique, like \"mira\") and \"name\" (the canonical name)"
        guard case let (idText, idLocation)? = id else {
            throw error("character is missing `id`", at: entry.location, hint: required)
        }
        guard case let (nameText, nameLocation)? = name else {
            throw error("character \"\(idText)\" is missing `name`", at: entry.location, hint: required)
        }
        character.id = idText
        character.name = nameText
        character.aliases = aliases.map(\.0)

        if let firstLine = idLines[idText.lowercased()] {
            throw error("duplicate id \"\(idText)\"; the first character with this id is on line \(firstLine)", at: idLocation,
                        hint: "ids must be unique (ignoring case); rename one of them")
        }
        idLines[idText.lowercased()] = idLocation.line

        for (index, (text, location)) in ([(nameText, nameLocation)] + aliases).enumerated() {
            let key = NameFolding.fold(text)
            let what = index == 0 ? "name" : "alias"
            guard !key.isEmpty else {
                throw error("\(what) \"\(text)\" has no letters or digits, so no role can match it", at: location)
            }
            if let owner = nameOwners[key], owner.id != idText {
                throw error("\(what) \"\(text)\" of \(nameText) (\(idText)) is also a name or alias of \(owner.name) (\(owner.id), line \(owner.line))",
                            at: location,
                            hint: "a name or alias must point at one character; remove it from one of them, or use a shared `roles` tag instead")
            }
            nameOwners[key] = (idText, nameText, location.line)
        }
        return character
    }

    func string(_ member: LocatedJSON.Member) throws(InputError) -> (String, SourceLocation) {
        guard case .string(let text) = member.value.value else {
            throw error("`\(member.key)` should be a string, found \(member.value.kind)", at: member.value.location)
        }
        return (text, member.value.location)
    }

    func nonEmptyString(_ member: LocatedJSON.Member) throws(InputError) -> (String, SourceLocation) {
        let (text, location) = try string(member)
        guard !text.trimmingWhitespace().isEmpty else { throw error("`\(member.key)` is empty", at: location) }
        return (text, location)
    }

    func strings(_ member: LocatedJSON.Member) throws(InputError) -> [(String, SourceLocation)] {
        guard case .array(let items) = member.value.value else {
            throw error("`\(member.key)` should be a list of strings, found \(member.value.kind)", at: member.value.location,
                        hint: "write it like [\"first\", \"second\"]")
        }
        var result: [(String, SourceLocation)] = []
        for item in items {
            guard case .string(let text) = item.value else {
                throw error("`\(member.key)` should hold only strings, found \(item.kind)", at: item.location)
            }
            guard !text.trimmingWhitespace().isEmpty else {
                throw error("empty entry in `\(member.key)`", at: item.location, hint: "remove it")
            }
            result.append((text, item.location))
        }
        return result
    }

    /// `[{"id": …, "path": …, "status": …}]`; `path` is required, `id` defaults to the file
    /// name without its extension, `status` to `draft` (so an unreviewed image is never sent).
    func references(_ member: LocatedJSON.Member) throws(InputError) -> [ReferenceImage] {
        guard case .array(let items) = member.value.value else {
            throw error("`reference_images` should be a list of objects, found \(member.value.kind)", at: member.value.location)
        }
        var images: [ReferenceImage] = []
        for item in items {
            guard case .object(let fields) = item.value else {
                throw error("each reference image should be an object {\"id\": …, \"path\": …, \"status\": …}, found \(item.kind)",
                            at: item.location)
            }
            var id: String?, path: (written: String, absolute: String)?, status = "draft"
            for field in fields {
                switch field.key {
                case "id": id = try nonEmptyString(field).0
                case "status": status = try nonEmptyString(field).0
                case "path":
                    let (text, location) = try nonEmptyString(field)
                    path = (text, try resolve(text, at: location))
                default: break
                }
            }
            guard let path else {
                throw error("reference image is missing `path`", at: item.location,
                            hint: "add \"path\": \"refs/<file>.png\", relative to \(folder)")
            }
            let stem = ((path.written as NSString).lastPathComponent as NSString).deletingPathExtension
            images.append(ReferenceImage(id: id ?? stem, path: path.written, absolutePath: path.absolute, status: status))
        }
        return images
    }

    /// The absolute path of a reference, checked lexically to stay inside the database's folder
    /// (symbolic links are the owner's business).
    func resolve(_ path: String, at location: SourceLocation) throws(InputError) -> String {
        if path.hasPrefix("/") || path == "~" || path.hasPrefix("~/") {
            throw error("reference path \"\(path)\" is absolute; paths are relative to the database's folder", at: location,
                        hint: "copy the image into \(folder) and write its relative path, like refs/mira-front.png")
        }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else {
                    throw error("reference path \"\(path)\" leaves the database's folder \(folder)", at: location,
                                hint: "keep reference images inside \(folder), e.g. in refs/")
                }
                parts.removeLast()
            default: parts.append(part)
            }
        }
        guard !parts.isEmpty else {
            throw error("reference path \"\(path)\" names the database's folder, not an image", at: location)
        }
        return ([folder == "/" ? "" : folder] + parts.map(String.init)).joined(separator: "/")
    }
}
