import Foundation

/// One entry of the `locations` list beside `characters` in the character database
/// (docs/images.md): a place panels are set in, with its canonical look.
public struct LocationProfile: Sendable, Equatable {
    public var id: String
    public var name: String
    public var aliases: [String]
    /// The canonical look ("a cramped stone bank hall, brass counter, green-shaded lamps"),
    /// carried by every image prompt of a panel set there.
    public var description: String
    public var referenceImages: [ReferenceImage]

    public init(id: String, name: String, aliases: [String] = [], description: String = "", referenceImages: [ReferenceImage] = []) {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.description = description
        self.referenceImages = referenceImages
    }

    /// Approved references only, at most two: a draft location sheet is never sent.
    public var approvedReferences: [ReferenceImage] { Array(referenceImages.filter(\.isApproved).prefix(2)) }
}

/// How a panel's setting resolved against the locations.
enum LocationResolution: Sendable, Equatable {
    case resolved(LocationProfile)
    /// A setting no location matches, with the nearest known names (a new place is often meant).
    case unknown(setting: String, nearest: [String])
}

extension CharacterDatabase {
    /// The location a panel's setting text names: its id, name or an alias exactly (folded like
    /// roles), else the location whose name or alias the text contains as a phrase ("the bank
    /// hall at noon" → `bank hall`), longest first. nil when the database has no locations.
    func resolveLocation(_ setting: String) -> LocationResolution? {
        guard !locations.isEmpty else { return nil }
        let key = NameFolding.fold(setting)
        let stripped = NameFolding.withoutArticle(key)
        for location in locations {
            if location.id.lowercased() == setting.lowercased().trimmingWhitespace() { return .resolved(location) }
            let names = ([location.name] + location.aliases).map(NameFolding.fold)
            if names.contains(key) || names.map(NameFolding.withoutArticle).contains(stripped) { return .resolved(location) }
        }
        let phrases = locations.flatMap { location in ([location.name] + location.aliases).map { (location, $0) } }
            .sorted { $0.1.count > $1.1.count }
        if let hit = phrases.first(where: { TextTools.containsPhrase(setting, $0.1) }) { return .resolved(hit.0) }
        let nearest = locations.map { location -> (Int, String) in
            let distance = ([location.name] + location.aliases).map {
                NearMissMarker.distance(stripped, NameFolding.withoutArticle(NameFolding.fold($0)))
            }.min() ?? Int.max
            return (distance, location.name)
        }.sorted { $0 < $1 }.prefix(3).map(\.1)
        return .unknown(setting: setting, nearest: nearest)
    }

    /// A panel's location: its `Setting:` field resolved (an unknown one is `.unknown`), else the
    /// first location whose name or alias the scene text contains (nil when none does: a scene
    /// without a `Setting:` is never warned about).
    func location(for panel: ComicPanelImageSheet) -> LocationResolution? {
        guard !locations.isEmpty else { return nil }
        if let setting = panel.field(.setting)?.trimmingWhitespace(), !setting.isEmpty { return resolveLocation(setting) }
        if case .resolved(let location)? = resolveLocation(panel.sceneDescriptionOriginal) { return .resolved(location) }
        return nil
    }

    /// The location or character with exactly this id (case-insensitive), for `panelproc refs`.
    func location(id: String) -> LocationProfile? {
        locations.first { $0.id.lowercased() == id.lowercased() }
    }

    /// A digest of what panels' text depends on: the database without `locations` (they only feed
    /// image prompts, where their own text is hashed) and without `reference_images` (a new
    /// reference sheet changes only the images that send it). Editing one location therefore makes
    /// only the panels set there stale.
    static func panelDigest(_ root: LocatedJSON) -> String {
        func strip(_ value: JSONValue, depth: Int) -> JSONValue {
            switch value {
            case .object(let members):
                return .object(members.compactMap { key, member in
                    if depth == 0 && key == "locations" { return nil }
                    if depth == 2 && key == "reference_images" { return nil }
                    return (key, strip(member, depth: depth + 1))
                })
            case .array(let items): return .array(items.map { strip($0, depth: depth + 1) })
            default: return value
            }
        }
        // depth: 0 root, 1 the characters list, 2 a character.
        return SHA256.hex("panel-digest 1\n" + strip(JSONValue(root), depth: 0).compact())
    }
}

/// Reads `locations: [{id, name, aliases, description, reference_images}]` with the same rules
/// (and `file:line:col` errors) as characters.
struct LocationReader {
    let file: String
    let folder: String

    func error(_ message: String, at location: SourceLocation, hint: String? = nil) -> InputError {
        InputError(file: file, location: location, message: message, hint: hint)
    }

    func read(_ root: LocatedJSON, characterIDs: [String]) throws(InputError) -> [LocationProfile] {
        guard case .object(let members) = root.value, let list = members.first(where: { $0.key == "locations" })?.value else { return [] }
        guard case .array(let entries) = list.value else {
            throw error("`locations` should be a list, found \(list.kind)", at: list.location,
                        hint: "write \"locations\": [ {\"id\": \"bank\", \"name\": \"the bank hall\", \"description\": \"…\"} ]")
        }
        var seen: [String: Int] = Dictionary(characterIDs.map { ($0.lowercased(), 0) }, uniquingKeysWith: { first, _ in first })
        var locations: [LocationProfile] = []
        for entry in entries {
            guard case .object(let fields) = entry.value else {
                throw error("each location should be an object {\"id\": …, \"name\": …, \"description\": …}, found \(entry.kind)", at: entry.location)
            }
            var location = LocationProfile(id: "", name: "")
            var idLocation = entry.location
            for field in fields {
                switch field.key {
                case "id":
                    location.id = try text(field, nonEmpty: true)
                    idLocation = field.value.location
                case "name": location.name = try text(field, nonEmpty: true)
                case "description": location.description = try text(field, nonEmpty: false)
                case "aliases":
                    guard case .array(let items) = field.value.value else {
                        throw error("`aliases` should be a list of strings, found \(field.value.kind)", at: field.value.location)
                    }
                    for item in items {
                        guard case .string(let alias) = item.value, !alias.trimmingWhitespace().isEmpty else {
                            throw error("`aliases` should hold only non-empty strings", at: item.location)
                        }
                        location.aliases.append(alias)
                    }
                case "reference_images":
                    location.referenceImages = try DatabaseReader(file: file, folder: folder).references(field)
                default: break
                }
            }
            guard !location.id.isEmpty, !location.name.isEmpty else {
                throw error("a location needs \"id\" and \"name\"", at: entry.location,
                            hint: "like {\"id\": \"bank\", \"name\": \"the bank hall\", \"description\": \"a cramped stone hall\"}")
            }
            if let line = seen[location.id.lowercased()] {
                throw error("duplicate id \"\(location.id)\"" + (line > 0 ? "; the first location with this id is on line \(line)" : " (a character has it)"),
                            at: idLocation, hint: "ids of characters and locations must be unique (ignoring case); `panelproc refs ID` names one")
            }
            seen[location.id.lowercased()] = idLocation.line
            locations.append(location)
        }
        return locations
    }

    func text(_ member: LocatedJSON.Member, nonEmpty: Bool) throws(InputError) -> String {
        guard case .string(let text) = member.value.value else {
            throw error("`\(member.key)` should be a string, found \(member.value.kind)", at: member.value.location)
        }
        if nonEmpty && text.trimmingWhitespace().isEmpty { throw error("`\(member.key)` is empty", at: member.value.location) }
        return text
    }
}
