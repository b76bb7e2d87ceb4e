/// Pure code, no model: resolves every role against the character database and checks that
/// the rewrite keeps every required role and invents none.
public struct RoleValidationStage: PanelStage {
    public let id = StageID.roleValidation
    public let dependencies: Set<StageID> = [.roles, .rewrite]
    public init() {}

    public func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> StageOutput {
        .roleValidation(Self.validate(context, results))
    }

    static func validate(_ context: StageContext, _ results: StageResults) -> RoleValidationResult {
        let roles = results.roles?.roles.map(\.name) ?? []
        let rewrite = results.rewrite?.text ?? ""
        guard let resolver = context.resolver, let database = context.characters else {
            return RoleValidationResult(
                resolutions: roles.map { RoleResolution(role: $0, outcome: .unknown(suggestions: [])) },
                missingFromRewrite: [], invented: [], databaseMissing: roles.isEmpty ? nil : context.charactersSearched)
        }
        let resolutions = roles.map(resolver.resolve)
        var missing: [String] = []
        for resolution in resolutions {
            guard case .resolved(let characterID, _) = resolution.outcome, let character = database.character(id: characterID) else { continue }
            if !TextTools.containsPhrase(rewrite, character.name), !missing.contains(character.name) { missing.append(character.name) }
        }
        // A name the writer never wrote and the database does not know was made up by the rewrite.
        let panelText = ([context.panel.sceneDescriptionOriginal, context.panel.markerText] + context.panel.dialogue.map(\.speaker)
            + context.panel.dialogue.map(\.text) + context.panel.fields.map(\.value) + roles).joined(separator: " ")
        var invented: [String] = []
        for name in TextTools.capitalisedNames(in: rewrite) where !invented.contains(name) {
            if TextTools.containsPhrase(panelText, name) { continue }
            if case .resolved = resolver.resolve(name).outcome { continue }
            invented.append(name)
        }
        return RoleValidationResult(resolutions: resolutions, missingFromRewrite: missing, invented: invented, databaseMissing: nil)
    }
}
