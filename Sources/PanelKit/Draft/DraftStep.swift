/// One step of `panelproc draft`'s generation DAG: a model call through its own template
/// (`Prompts/draft_<id>.yml`, versioned, with its JSON Schema), reading the outputs of the steps
/// it depends on. Steps are values in `DraftStep.all`, in an order where every dependency comes first.
public struct DraftStep: Sendable, Equatable, CustomStringConvertible {
    /// `lore`, `cast`, `narrative`, `scenes`, `pages`: also the state file's name (`<id>.json`).
    public let id: String
    /// Steps whose outputs this step reads (the chosen option of a multi-option step).
    public let dependencies: [String]
    /// The template, `draft_<id>`.
    public let promptName: String
    /// Whether the answer holds several options the writer chooses between (`--choose`).
    public let hasOptions: Bool
    /// What the step decides, for `--dry-run` and the help.
    public let summary: String

    public var description: String { id }

    /// The DAG, dependencies first.
    public static let all: [DraftStep] = [
        DraftStep(id: "lore", dependencies: [], promptName: "draft_lore", hasOptions: true,
                  summary: "world and rules from the premise, audience and tone (3 options)"),
        DraftStep(id: "cast", dependencies: ["lore"], promptName: "draft_cast", hasOptions: false,
                  summary: "characters: name, role tags, appearance, personality, voice"),
        DraftStep(id: "narrative", dependencies: ["lore", "cast"], promptName: "draft_narrative", hasOptions: true,
                  summary: "an arc in beats: setup, turn, resolution (3 options)"),
        DraftStep(id: "scenes", dependencies: ["narrative", "cast"], promptName: "draft_scenes", hasOptions: false,
                  summary: "scenes with setting, characters and purpose"),
        DraftStep(id: "pages", dependencies: ["scenes", "cast"], promptName: "draft_pages", hasOptions: false,
                  summary: "pages of panels: shot, scene text, dialogue, captions (one call per page)"),
    ]

    public static func named(_ id: String) -> DraftStep? { all.first { $0.id == id } }

    /// Every step that reads `id`'s output, directly or through another step, in DAG order.
    public static func dependants(of id: String) -> [DraftStep] {
        var reached: Set<String> = [id]
        var found: [DraftStep] = []
        for step in all where step.dependencies.contains(where: reached.contains) {
            reached.insert(step.id)
            found.append(step)
        }
        return found
    }

    /// The offline engine's answer for each step's prompt (`OfflineTextProvider` looks here too).
    static let offlineEngines: [String: @Sendable (JSONValue) -> JSONValue] = [
        "draft_lore": OfflineDraftStory.lore, "draft_cast": OfflineDraftStory.cast, "draft_narrative": OfflineDraftStory.narrative,
        "draft_scenes": OfflineDraftPages.scenes, "draft_pages": OfflineDraftPages.page,
    ]

    /// The trace's stage id (`draft_lore`, …).
    var stageID: StageID { StageID(promptName) }
}
