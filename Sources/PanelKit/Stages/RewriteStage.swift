/// Rewrites the scene in the chapter's tone with every required role by its canonical name.
struct RewriteStage: PanelStage {
    static let id = StageID.rewrite
    static let promptName: String? = "rewrite"
    static let offlineEngine: (@Sendable (JSONValue) -> JSONValue)? = OfflineRewrite.answer
    let dependencies: Set<StageID> = [.theme, .roles]
    init() {}

    static func variables(_ context: StageContext, _ results: StageResults) -> JSONValue {
        let roles = results.roles?.roles ?? []
        return .object([
            ("scene", .string(context.panel.sceneDescriptionOriginal)),
            ("tone", .string(context.settings.tone ?? "neutral")),
            ("mood", .string(context.panel.field(.mood) ?? "")),
            ("empty", .bool(context.panel.isEmpty)),
            ("audience", .string(context.settings.audience ?? "general readers")),
            ("theme", .string(results.theme?.theme ?? "")),
            ("has_roles", .bool(!roles.isEmpty)),
            ("roles", .array(roles.map { role in
                let canonical = context.canonicalName(role.name)
                let aliases = context.resolver.flatMap { resolver -> [String]? in
                    guard case .resolved(let characterID, _) = resolver.resolve(role.name).outcome else { return nil }
                    return context.characters?.character(id: characterID)?.aliases
                } ?? []
                return .object([("role", .string(role.name)), ("canonical_name", .string(canonical)),
                                ("aliases", .array(([role.name] + aliases).map(JSONValue.string)))])
            })),
            ("dialogue", context.dialogueVariable),
        ])
    }

    func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> RewriteResult {
        let answer = try await ask(model, Self.variables(context, results), context)
        guard let text = answer.value["text"]?.string?.trimmingWhitespace(), !text.isEmpty else {
            throw StageFailure(stage: id, message: "the rewrite is empty")
        }
        return RewriteResult(text: text, traceID: answer.traceID)
    }
}

extension StageID {
    static let rewrite = StageID("rewrite")
}

extension StageResults {
    var rewrite: RewriteResult? {
        get { self[RewriteStage.self] }
        set { self[RewriteStage.self] = newValue }
    }
}
