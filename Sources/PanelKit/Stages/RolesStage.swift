/// Finds the roles a panel requires: the writer's `Characters:` list, the speakers, and
/// database characters named in the scene.
struct RolesStage: PanelStage {
    static let id = StageID.roles
    static let promptName: String? = "roles"
    static let offlineEngine: (@Sendable (JSONValue) -> JSONValue)? = OfflineRoles.answer
    let dependencies: Set<StageID> = []
    init() {}

    static func variables(_ context: StageContext) -> JSONValue {
        let panel = context.panel
        let characters = context.characters?.characters ?? []
        return .object([
            ("scene", .string(panel.sceneDescriptionOriginal)),
            ("declared_roles", .array(panel.requiredRoles.map(JSONValue.string))),
            ("dialogue", context.dialogueVariable),
            ("has_characters", .bool(!characters.isEmpty)),
            ("characters", .array(characters.map { character in
                .object([("id", .string(character.id)), ("name", .string(character.name)),
                         ("aliases", .array(character.aliases.map(JSONValue.string))),
                         ("aliases_text", .string(character.aliases.joined(separator: ", "))),
                         ("roles_text", .string(character.roles.joined(separator: ", ")))])
            })),
        ])
    }

    func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> RolesResult {
        let answer = try await ask(model, Self.variables(context), context)
        guard let items = answer.value["roles"]?.array else {
            throw StageFailure(stage: id, message: "the answer has no `roles` list")
        }
        var roles: [RolesResult.Role] = []
        for item in items {
            guard let name = item["name"]?.string?.trimmingWhitespace(), !name.isEmpty else { continue }
            if roles.contains(where: { TextTools.fold($0.name) == TextTools.fold(name) }) { continue }
            roles.append(RolesResult.Role(name: name, evidence: item["evidence"]?.string ?? "model"))
        }
        // A name the panel's own text never mentions (neither the name, nor the character it
        // resolves to, nor an alias) is the model's invention, not the writer's: role validation
        // must not stop the panel and point at the Markdown for it. (SmolLM2 answered "Thea" for a
        // panel that names only Mira.) The built-in engine reads only the text, so this never fires there.
        let text = Self.panelText(context)
        roles.removeAll { !Self.isMentioned($0.name, in: text, context) }
        // The writer's own list is never dropped, whatever the model says.
        for declared in context.panel.requiredRoles where !roles.contains(where: { TextTools.fold($0.name) == TextTools.fold(declared) }) {
            roles.insert(RolesResult.Role(name: declared, evidence: "field"), at: 0)
        }
        return RolesResult(roles: roles, traceID: answer.traceID)
    }
}

extension RolesStage {
    /// Everything the writer wrote for the panel: its marker, scene, fields and dialogue.
    static func panelText(_ context: StageContext) -> String {
        let panel = context.panel
        return ([panel.markerText, panel.sceneDescriptionOriginal] + panel.fields.map(\.value)
            + panel.dialogue.map(\.speaker) + panel.dialogue.map(\.text)).joined(separator: "\n")
    }

    static func isMentioned(_ name: String, in text: String, _ context: StageContext) -> Bool {
        if TextTools.containsPhrase(text, name) { return true }
        guard let resolver = context.resolver, let database = context.characters,
              case .resolved(let id, _) = resolver.resolve(name).outcome, let character = database.character(id: id)
        else { return false }
        return ([character.name] + character.aliases).contains { TextTools.containsPhrase(text, $0) }
    }
}

extension StageID {
    static let roles = StageID("roles")
}

extension StageResults {
    var roles: RolesResult? {
        get { self[RolesStage.self] }
        set { self[RolesStage.self] = newValue }
    }
}
