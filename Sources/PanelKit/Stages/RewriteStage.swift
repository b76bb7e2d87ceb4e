/// Rewrites the scene in the chapter's tone with every required role by its canonical name.
public struct RewriteStage: PanelStage {
    public let id = StageID.rewrite
    public let dependencies: Set<StageID> = [.theme, .roles]
    public init() {}

    public static func variables(_ context: StageContext, _ results: StageResults) -> JSONValue {
        let roles = results.roles?.roles ?? []
        return .object([
            ("scene", .string(context.panel.sceneDescriptionOriginal)),
            ("tone", .string(context.settings.tone ?? "neutral")),
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

    public func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> StageOutput {
        let answer = try await model.answer(prompt: "rewrite", variables: Self.variables(context, results), stage: id,
                                            panelID: context.panel.id)
        guard let text = answer.value["text"]?.string?.trimmingWhitespace(), !text.isEmpty else {
            throw StageFailure(stage: id, message: "the rewrite is empty")
        }
        return .rewrite(RewriteResult(text: text, traceID: answer.traceID))
    }
}
