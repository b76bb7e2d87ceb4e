/// Pure code, no model: resolves every role against the character database and checks that
/// the rewrite keeps every required role and invents none.
struct RoleValidationStage: PanelStage {
    static let id = StageID.roleValidation
    static let promptName: String? = nil
    let dependencies: Set<StageID> = [.roles, .rewrite]
    init() {}

    func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> RoleValidationResult {
        Self.validate(context, results)
    }

    /// Unresolved roles stop the stages after role validation (unless forced): no unknown name
    /// may reach an image prompt, and a panel that will fail should not spend model calls.
    func blockingReason(_ validation: RoleValidationResult) -> String? {
        if validation.databaseMissing != nil { return "roles could not be checked: no character database" }
        if !validation.unresolved.isEmpty {
            return "unresolved roles: \(validation.unresolved.map(\.role).joined(separator: ", "))"
        }
        return nil
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
        var unlisted: [String] = []
        for run in TextTools.capitalisedRuns(in: rewrite) {
            for name in unknownParts(of: run, panelText: panelText, resolver: resolver) where !invented.contains(name) {
                invented.append(name)
            }
            for name in unknownParts(of: run, panelText: "", resolver: resolver)
            where !invented.contains(name) && !unlisted.contains(name) && !looksLikePlaceOrTime(name)
                && !resolutions.contains(where: { TextTools.fold($0.role) == TextTools.fold(name) })
            {
                unlisted.append(name)
            }
        }
        var result = RoleValidationResult(resolutions: resolutions, missingFromRewrite: missing, invented: invented, databaseMissing: nil)
        result.unlisted = unlisted
        return result
    }

    private static let timeWords: Set<String> = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                                                 "january", "february", "march", "april", "may", "june", "july", "august",
                                                 "september", "october", "november", "december", "christmas", "easter"]
    private static let placeWords: Set<String> = ["bank", "street", "market", "square", "road", "lane", "park", "school", "town",
                                                  "city", "river", "station", "hall", "shop", "cafe", "café", "church", "england",
                                                  "france", "london", "paris", "avenue", "bridge", "house", "library", "museum"]

    /// `Tuesday`, `Bank of England`, `Elm Street`: proper nouns that are not people.
    static func looksLikePlaceOrTime(_ name: String) -> Bool {
        let words = TextTools.words(name)
        return words.contains { timeWords.contains($0) || placeWords.contains($0) }
    }

    /// The words of a run of capitalised words that nobody accounts for: spans that resolve or that
    /// the writer wrote are known (`At Theo Brandt` → `Theo Brandt` is known), and a lone word that
    /// starts a sentence (`At`, `Then`) is ordinary prose.
    static func unknownParts(of run: TextTools.CapitalisedRun, panelText: String, resolver: RoleResolver) -> [String] {
        var words = run.words
        var known = Array(repeating: false, count: words.count)
        for length in stride(from: words.count, through: 1, by: -1) {
            for start in 0...(words.count - length) where !known[start..<start + length].contains(true) {
                let span = words[start..<start + length].joined(separator: " ")
                let resolves = { if case .resolved = resolver.resolve(span).outcome { return true } else { return false } }()
                if resolves || TextTools.containsPhrase(panelText, span) {
                    for index in start..<start + length { known[index] = true }
                }
            }
        }
        // A capitalised first word of a sentence is ordinary prose when it stands alone (`Then`) or
        // when what follows is known (`At Theo Brandt`); `Captain Harlow` stays whole.
        if run.startsSentence, !known.isEmpty, !known[0], words.count == 1 || known[1] { known[0] = true }
        var parts: [String] = []
        var current: [String] = []
        for (word, isKnown) in zip(words, known) {
            if isKnown {
                if !current.isEmpty { parts.append(current.joined(separator: " ")) }
                current = []
            } else {
                current.append(word)
            }
        }
        if !current.isEmpty { parts.append(current.joined(separator: " ")) }
        words.removeAll()
        return parts
    }
}

extension StageID {
    static let roleValidation = StageID("role_validation")
}

extension StageResults {
    var roleValidation: RoleValidationResult? {
        get { self[RoleValidationStage.self] }
        set { self[RoleValidationStage.self] = newValue }
    }
}
