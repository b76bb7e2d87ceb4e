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
        // The writer's own list is never dropped, whatever the model says.
        for declared in context.panel.requiredRoles where !roles.contains(where: { TextTools.fold($0.name) == TextTools.fold(declared) }) {
            roles.insert(RolesResult.Role(name: declared, evidence: "field"), at: 0)
        }
        return RolesResult(roles: roles, traceID: answer.traceID)
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
