import Foundation

/// How one extracted role resolved against the character database.
struct RoleResolution: Sendable, Equatable, Codable {
    enum Outcome: Sendable, Equatable, Codable {
        case resolved(characterID: String, via: Match)
        /// A role tag shared by several characters; ids sorted.
        case ambiguous(candidates: [String])
        /// Nothing matched; up to three canonical names, closest first.
        case unknown(suggestions: [String])
    }

    /// Which rule of the resolution order matched.
    enum Match: String, Sendable, Codable {
        case id, name, alias
        case roleTag = "role_tag"
    }

    /// The role as written.
    var role: String
    var outcome: Outcome
    /// Where the name stands in the file that was read (set for unresolved roles after the text
    /// phase, from the panel as parsed this run, so a reused outcome never points at old lines).
    var location: SourceLocation?

    init(role: String, outcome: Outcome) {
        self.role = role
        self.outcome = outcome
    }

    /// The character id when the role resolved.
    var characterID: String? {
        if case .resolved(let id, _) = outcome { return id }
        return nil
    }
}

/// A role that matches no character: never allowed to reach an image prompt.
struct UnknownRoleError: Error, Sendable, Equatable, CustomStringConvertible {
    var role: String
    var panelID: String
    var suggestions: [String]

    init(role: String, panelID: String, suggestions: [String]) {
        self.role = role
        self.panelID = panelID
        self.suggestions = suggestions
    }

    var description: String {
        let guess = suggestions.isEmpty ? "." : "; did you mean \(suggestions.joined(separator: ", "))?"
        return "unknown role \"\(role)\" in panel \(panelID)\(guess) Add it to characters/character_base_list.json or fix the name."
    }
}

/// Resolves roles against a database: `id`, then name or alias, then role tag (README, "Characters").
///
/// Names, aliases and tags compare after `RoleResolver.fold(_:)`. A leading "the" is insignificant
/// only as a fallback: "the apple seller" and "apple seller" meet when neither matches as written,
/// but an exact match always wins.
struct RoleResolver: Sendable {
    private struct Hit: Sendable {
        var id: String
        var match: RoleResolution.Match
    }

    /// A canonical name and where its folded name and aliases lie in `suggestionScalars`.
    private struct Candidate: Sendable {
        var name: String
        var keys: [Range<Int>]
    }

    private let ids: [String: String]
    private let names: [String: Hit]
    private let namesWithoutArticle: [String: [Hit]]
    private let tags: [String: [String]]
    private let tagsWithoutArticle: [String: [String]]
    /// Sorted by name, so equal edit distances keep name order.
    private let candidates: [Candidate]
    /// Every folded name and alias end to end, so the suggestion search walks one array.
    private let suggestionScalars: [Unicode.Scalar]
    private let longestKey: Int

    init(database: CharacterDatabase) {
        var ids: [String: String] = [:]
        var names: [String: Hit] = [:]
        // Sets while building: a tag such as "student" may be shared by thousands of characters.
        var namesWithoutArticle: [String: [String: Hit]] = [:]
        var tags: [String: Set<String>] = [:]
        var tagsWithoutArticle: [String: Set<String>] = [:]
        var candidates: [Candidate] = []
        var suggestionScalars: [Unicode.Scalar] = []
        for character in database.characters {
            ids[character.id.lowercased()] = character.id
            var keys: [Range<Int>] = []
            for (index, written) in ([character.name] + character.aliases).enumerated() {
                let key = NameFolding.fold(written)
                let hit = Hit(id: character.id, match: index == 0 ? .name : .alias)
                // The database rejects a key shared by two characters; within one, the name comes first.
                if names[key] == nil { names[key] = hit }
                let stripped = NameFolding.withoutArticle(key)
                if namesWithoutArticle[stripped]?[hit.id] == nil { namesWithoutArticle[stripped, default: [:]][hit.id] = hit }
                let start = suggestionScalars.count
                suggestionScalars.append(contentsOf: key.unicodeScalars)
                keys.append(start..<suggestionScalars.count)
            }
            for tag in character.roles {
                let key = NameFolding.fold(tag)
                tags[key, default: []].insert(character.id)
                tagsWithoutArticle[NameFolding.withoutArticle(key), default: []].insert(character.id)
            }
            candidates.append(Candidate(name: character.name, keys: keys))
        }
        self.ids = ids
        self.names = names
        self.namesWithoutArticle = namesWithoutArticle.mapValues { $0.values.sorted { $0.id < $1.id } }
        self.tags = tags.mapValues { $0.sorted() }
        self.tagsWithoutArticle = tagsWithoutArticle.mapValues { $0.sorted() }
        self.candidates = candidates.sorted { $0.name < $1.name }
        self.suggestionScalars = suggestionScalars
        self.longestKey = candidates.lazy.flatMap(\.keys).map(\.count).max() ?? 0
    }

    /// The form names, aliases, role tags and roles are compared in: `"  Mîra  Okafor!! "` → `mira okafor`.
    static func fold(_ text: String) -> String { NameFolding.fold(text) }

    /// Resolves one role as written; pure and deterministic.
    func resolve(_ role: String) -> RoleResolution {
        if let id = ids[role.lowercased()] {
            return RoleResolution(role: role, outcome: .resolved(characterID: id, via: .id))
        }
        let key = NameFolding.fold(role)
        if let hit = names[key] {
            return RoleResolution(role: role, outcome: .resolved(characterID: hit.id, via: hit.match))
        }
        let stripped = NameFolding.withoutArticle(key)
        if let hits = namesWithoutArticle[stripped] {
            if hits.count == 1 {
                return RoleResolution(role: role, outcome: .resolved(characterID: hits[0].id, via: hits[0].match))
            }
            return RoleResolution(role: role, outcome: .ambiguous(candidates: hits.map(\.id).sorted()))
        }
        if let tagged = tags[key] ?? tagsWithoutArticle[stripped] {
            if tagged.count == 1 {
                return RoleResolution(role: role, outcome: .resolved(characterID: tagged[0], via: .roleTag))
            }
            return RoleResolution(role: role, outcome: .ambiguous(candidates: tagged))
        }
        return RoleResolution(role: role, outcome: .unknown(suggestions: suggestions(for: key)))
    }

    /// The three canonical names closest to `key` by edit distance over folded names and aliases.
    private func suggestions(for key: String) -> [String] {
        let target = Array(key.unicodeScalars)
        var rows = EditDistance(capacity: longestKey)
        var best: [(distance: Int, name: String)] = []
        for candidate in candidates {
            // Candidates come in name order, so a later one must be strictly closer to displace.
            let limit = best.count < 3 ? Int.max : best[2].distance - 1
            guard limit >= 0 else { break }
            var closest = Int.max
            for range in candidate.keys {
                closest = min(closest, rows.distance(target, suggestionScalars[range], limit: min(limit, closest)))
            }
            guard closest <= limit else { continue }
            best.append((closest, candidate.name))
            best.sort { ($0.distance, $0.name) < ($1.distance, $1.name) }
            if best.count > 3 { best.removeLast() }
        }
        return best.map(\.name)
    }
}

/// Levenshtein distance with two reusable rows, computed only in the diagonal band a result
/// within the limit can pass through (an unknown role is compared with every name).
struct EditDistance {
    private var previous: [Int]
    private var current: [Int]

    init(capacity: Int) {
        previous = [Int](repeating: 0, count: capacity + 1)
        current = previous
    }

    /// The distance, or `limit + 1` as soon as it must exceed `limit`.
    mutating func distance(_ a: [Unicode.Scalar], _ b: ArraySlice<Unicode.Scalar>, limit: Int) -> Int {
        let m = a.count, n = b.count
        if abs(m - n) > limit { return limit + 1 }
        if m == 0 || n == 0 { return max(m, n) }
        if previous.count <= n {
            previous = [Int](repeating: 0, count: n + 1)
            current = previous
        }
        // |m - n| <= band, so every row's band holds at least one cell.
        let band = min(limit, max(m, n))
        let outside = band + 1
        for j in 0...n { previous[j] = j <= band ? j : outside }
        for i in 1...m {
            let low = max(1, i - band), high = min(n, i + band)
            current[low - 1] = low == 1 && i <= band ? i : outside
            var rowMinimum = current[low - 1]
            let scalar = a[i - 1]
            for j in low...high {
                let substitution = previous[j - 1] + (scalar == b[b.startIndex + j - 1] ? 0 : 1)
                let value = min(substitution, previous[j] + 1, current[j - 1] + 1, outside)
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if high < n { current[high + 1] = outside }
            if rowMinimum > band { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[n] > band ? limit + 1 : previous[n]
    }
}

/// The comparison form of names, aliases, role tags and extracted roles.
enum NameFolding {
    private static let edges = CharacterSet.punctuationCharacters.union(.symbols).union(.whitespacesAndNewlines)
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// Case and diacritics folded, surrounding punctuation and white space trimmed, inner white
    /// space runs collapsed to one space: `"  Mîra  Okafor!! "` → `mira okafor`.
    static func fold(_ text: String) -> String {
        foldASCII(text) ?? foldUnicode(text)
    }

    static func foldUnicode(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: posix)
            .trimmingCharacters(in: edges)
        var out = ""
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if CharacterSet.whitespacesAndNewlines.contains(scalar) {
                pendingSpace = true
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// The same result for plain ASCII without Foundation's folding, which dominates the cost of
    /// resolving a role: every printable ASCII byte other than a letter or digit is punctuation or
    /// a symbol, and case is the only thing to fold.
    static func foldASCII(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            switch byte {
            case 0x09...0x0D, 0x20:
                pendingSpace = !out.isEmpty
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 0x00...0x08, 0x0E...0x1F, 0x7F:
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 0x20 : byte)
            default:
                // Punctuation or a symbol: trimmed at either end, kept inside.
                if !out.isEmpty { out.append(contentsOf: pendingSpace ? [0x20, byte] : [byte]) }
                pendingSpace = false
            }
        }
        // Drop trailing punctuation and symbols (with any space before them).
        while let last = out.last, !isWordOrControl(last) { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isWordOrControl(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             0x00...0x08, 0x0E...0x1F, 0x7F: return true
        default: return false
        }
    }

    /// A folded key without a leading "the ".
    static func withoutArticle(_ key: String) -> String {
        key.hasPrefix("the ") && key.count > 4 ? String(key.dropFirst(4)) : key
    }
}
