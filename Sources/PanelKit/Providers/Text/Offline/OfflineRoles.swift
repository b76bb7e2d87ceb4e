/// Roles from the writer's `Characters:` list, the speakers, and database characters named in
/// the scene (by name or alias, as whole words); one entry per character. A speaker heard only
/// off panel (`THEO (O.S.):`) is not in the picture, so not a role.
enum OfflineRoles {
    static func answer(_ variables: JSONValue) -> JSONValue {
        let characters = variables["characters"]?.array ?? []
        // Every folded name and alias → the character's id, to keep one entry per character.
        var idForName: [String: String] = [:]
        for character in characters {
            guard let id = character["id"]?.string else { continue }
            for name in [character["name"]?.string, id].compactMap({ $0 }) + (character["aliases"]?.strings ?? []) {
                idForName[TextTools.fold(name).trimmingWhitespace()] = id
            }
        }
        var roles: [(name: String, evidence: String)] = []
        var seenCharacters: Set<String> = []
        var seenNames: Set<String> = []
        func add(_ name: String, _ evidence: String) {
            let folded = TextTools.fold(name).trimmingWhitespace()
            guard !folded.isEmpty, !seenNames.contains(folded) else { return }
            if let id = idForName[folded] {
                guard seenCharacters.insert(id).inserted else { return }
            }
            seenNames.insert(folded)
            roles.append((name, evidence))
        }
        for role in variables["declared_roles"]?.strings ?? [] { add(role, "field") }
        for line in variables["dialogue"]?.array ?? []
        where !LetteringModifier.parse(line["manner"]?.string ?? "").contains(.offPanel) {
            add(line["speaker"]?.string ?? "", "speaker")
        }
        let scene = variables["scene"]?.string ?? ""
        for character in characters {
            guard let name = character["name"]?.string else { continue }
            let names = [name] + (character["aliases"]?.strings ?? [])
            if names.contains(where: { TextTools.containsPhrase(scene, $0) }) { add(name, "scene") }
        }
        return .object([("roles", .array(roles.map { .object([("name", .string($0.name)), ("evidence", .string($0.evidence))]) }))])
    }
}
