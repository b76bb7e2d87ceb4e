/// `call_mode: fused`: one model call per panel (`Prompts/fused.yml`) whose answer holds every
/// generation stage's output as a part. The stages still run as in stage mode, in the same
/// order and with the same code (role validation, the gate's rules, the checklist): each stage's
/// call is answered by its part of the fused answer. A part that fails its stage's schema is
/// asked again once, alone, with the stage's own prompt.
enum FusedCall {
    static let promptName = "fused"
    /// Rough size of one fused call, for estimates (the generation stages' prompts once, their
    /// answers together).
    static let estimatedTokensIn = 1400
    static let estimatedTokensOut = 700

    /// The stage prompts the fused answer holds.
    static func parts(withChecklist: Bool) -> [String] {
        [ThemeStage.promptName, RolesStage.promptName, RewriteStage.promptName, ImagePromptStage.promptName, BubblesStage.promptName]
            .compactMap { $0 } + (withChecklist ? [ChecklistStage.promptName].compactMap { $0 } : [])
    }

    /// The fused prompt's variables: everything the generation stages' prompts show, once.
    /// `panel` is the panel, its settings and its characters as data, for engines that read more
    /// than the prompt shows (the built-in engine runs the stage chain on it); it is not rendered.
    static func variables(_ context: StageContext, withChecklist: Bool) -> JSONValue {
        let panel = context.panel
        let theme = ThemeStage.variables(context)
        let named = namedCharacterIDs(context)
        let characters = context.characters?.characters ?? []
        // Each lettering line and character as one line of text, and only the facts the panel
        // has: a fused prompt carries what the stage prompts carry, without their repetitions.
        let lines = context.panel.lettering.map { line -> JSONValue in
            let speaker = line.speaker.map { $0.isEmpty ? "" : " " + context.canonicalName($0) } ?? ""
            let manner = line.manner.map { $0.isEmpty ? "" : " (\($0))" } ?? ""
            let number = line.number.map { "#\($0) " } ?? ""
            // `text` sizes the bubbles part (`x-maxLength-from: lines.text`), as in the bubbles prompt.
            return .object([("line", .string("\(number)[\(line.kind.rawValue)]\(speaker)\(manner): \(line.text)")),
                            ("text", .string(line.text))])
        }
        let settings = context.settings
        let facts: [(String, String)] = [
            ("Tone", settings.tone ?? "neutral"), ("Audience", settings.audience ?? "general readers"),
            ("Mood", panel.field(.mood) ?? ""),
            ("Style", [settings.style ?? "", settings.palette.isEmpty ? "" : "palette: " + settings.palette.joined(separator: ", ")]
                .filter { !$0.isEmpty }.joined(separator: "; ")),
            ("Framing", panel.shotType?.rawValue ?? panel.field(.shot) ?? ""), ("Setting", panel.field(.setting) ?? ""),
            ("Teaching point", panel.field(.teachingPoint) ?? ""),
            ("Common example (do not restate)", panel.field(.commonExample) ?? settings.commonExample ?? ""),
        ]
        return .object([
            ("taxonomy", theme["taxonomy"] ?? .array([])),
            ("theme_names", theme["theme_names"] ?? .array([])),
            ("facts", .array(facts.filter { !$0.1.isEmpty }.map { .string("\($0.0): \($0.1)") })),
            ("scene", .string(panel.sceneDescriptionOriginal)),
            ("empty", .bool(panel.isEmpty)),
            ("declared_roles", .array(panel.requiredRoles.map(JSONValue.string))),
            ("has_characters", .bool(!characters.isEmpty)),
            // Appearances only for characters the panel names: the rest are listed so a role can
            // be recognised, without the words an image prompt would never use.
            ("characters", .array(characters.map { character in
                let parts = [character.name, character.aliases.joined(separator: ", "), character.roles.joined(separator: ", ")]
                    + (named.contains(character.id) && !character.appearance.isEmpty ? [character.appearance] : [])
                return .object([("line", .string(parts.joined(separator: " | ")))])
            })),
            ("lines", .array(lines)),
            ("max_bubbles", .int(context.settings.maxBubbles)),
            ("with_checklist", .bool(withChecklist)),
            ("panel", FusedContextCodec.encode(context)),
        ])
    }

    /// Characters the panel names (declared roles, speakers, names in its text) that resolve.
    static func namedCharacterIDs(_ context: StageContext) -> Set<String> {
        guard let resolver = context.resolver else { return [] }
        let names = context.panel.requiredRoles + context.panel.dialogue.map(\.speaker) + context.panel.nameSites.map(\.text)
            + context.panel.lettering.compactMap(\.speaker)
        var ids: Set<String> = []
        for name in names {
            if case .resolved(let id, _) = resolver.resolve(name).outcome { ids.insert(id) }
        }
        return ids
    }

    /// Model calls a dry run counts for a panel in fused mode: one fused call when any of its
    /// parts is still to be asked, and the checklist's own call when it is separate.
    static func callsToRun(_ outcome: PanelOutcome, withChecklist: Bool) -> Int {
        let fusedStages = Set(parts(withChecklist: withChecklist))
        let fused = StageRegistry.all.contains { stage in
            type(of: stage).promptName.map(fusedStages.contains) == true && outcome.stageStates[stage.id] == .toRun
        }
        let checklist = !withChecklist && outcome.stageStates[.checklist] == .toRun
        return (fused ? 1 : 0) + (checklist ? 1 : 0)
    }
}

extension StageID {
    static let fused = StageID("fused")
}

/// One panel's model in fused mode: the stages ask as always; the first ask makes the fused call
/// (once, shared by every stage of the panel), and each stage gets its own part.
struct FusedPanelModel: StageModel {
    var base: any StageModel
    var library: PromptLibrary
    var context: StageContext
    var withChecklist: Bool
    private let memo = FusedAnswerMemo()

    init(base: any StageModel, library: PromptLibrary, context: StageContext, withChecklist: Bool) {
        self.base = base
        self.library = library
        self.context = context
        self.withChecklist = withChecklist
    }

    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
        guard FusedCall.parts(withChecklist: withChecklist).contains(prompt) else {
            return try await base.answer(prompt: prompt, variables: variables, stage: stage, panelID: panelID)
        }
        let base = self.base, context = self.context, withChecklist = self.withChecklist
        let result = await memo.value {
            do throws(StageFailure) {
                return .success(try await base.answer(prompt: FusedCall.promptName,
                                                      variables: FusedCall.variables(context, withChecklist: withChecklist),
                                                      stage: .fused, panelID: panelID))
            } catch {
                return .failure(error)
            }
        }
        let fused: ModelAnswer
        switch result {
        case .success(let answer): fused = answer
        case .failure(let failure):
            let message = failure.kind == .notCached ? failure.message : "the fused call failed: \(failure.message)"
            throw StageFailure(stage: stage, message: message, kind: failure.kind)
        }
        if let part = fused.value[prompt], let template = try? library.template(prompt).resolved(for: variables),
            JSONSchemaValidator.problems(part, schema: template.validationSchema).isEmpty
        {
            return ModelAnswer(value: part, traceID: fused.traceID, cached: fused.cached)
        }
        // The repair: this part alone, asked with the stage's own prompt (one call, traced as such).
        return try await base.answer(prompt: prompt, variables: variables, stage: stage, panelID: panelID)
    }
}

/// The fused answer of one panel, asked once however many stages want it at the same moment.
actor FusedAnswerMemo {
    private var task: Task<Result<ModelAnswer, StageFailure>, Never>?

    func value(_ make: @escaping @Sendable () async -> Result<ModelAnswer, StageFailure>) async -> Result<ModelAnswer, StageFailure> {
        if let task { return await task.value }
        let task = Task { await make() }
        self.task = task
        return await task.value
    }
}
