/// The stages every panel goes through, in the order they are listed in outputs.
public enum StageID: String, Sendable, CaseIterable, Comparable {
    case theme
    case roles
    case rewrite
    case roleValidation = "role_validation"
    case imagePrompt = "image_prompt"
    case bubbles
    case checklist

    public static func < (lhs: StageID, rhs: StageID) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One step of the per-panel chain: declared inputs, one job, a typed output.
public protocol PanelStage: Sendable {
    var id: StageID { get }
    /// The stages whose results this one reads; the runner derives the order from these.
    var dependencies: Set<StageID> { get }
    /// Whether the stage still runs when a dependency was skipped (the checklist gate does,
    /// to report what blocked the panel).
    var runsWithSkippedDependencies: Bool { get }
    /// Does the work, with the results of its dependencies in `results`.
    func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> StageOutput
}

extension PanelStage {
    public var runsWithSkippedDependencies: Bool { false }
}

/// What a stage produced.
public enum StageOutput: Sendable {
    case theme(ThemeResult)
    case roles(RolesResult)
    case rewrite(RewriteResult)
    case roleValidation(RoleValidationResult)
    case imagePrompt(ImagePromptResult)
    case bubbles(BubblesResult)
    case checklist(ChecklistResult)
}

/// A stage that could not produce its output. `stopsRun` is for failures no other panel can
/// avoid either (a rejected API key).
public struct StageFailure: Error, Sendable, CustomStringConvertible {
    public var stage: StageID
    public var message: String
    public var stopsRun: Bool

    public init(stage: StageID, message: String, stopsRun: Bool = false) {
        self.stage = stage
        self.message = message
        self.stopsRun = stopsRun
    }

    public var description: String { "\(stage.rawValue): \(message)" }

    /// The message of a stage `--dry-run` could not answer from the cache.
    public static let notCached = "not answered yet (dry run)"
    /// The message of a stage not run because `--max-cost-usd` would have been passed.
    public static let costCap = "not run: the cost cap would be passed"
}

/// A model's answer to one stage call, validated against the template's schema.
public struct ModelAnswer: Sendable {
    public var value: JSONValue
    /// Names the request in the trace: the first 16 hex digits of its hash (`calls.request_hash`).
    /// Derived from the request, not from timing, so outputs are the same however calls interleave.
    public var traceID: String?
    public var cached: Bool

    public init(value: JSONValue, traceID: String?, cached: Bool) {
        self.value = value
        self.traceID = traceID
        self.cached = cached
    }
}

/// How stages reach a model: by prompt name and variables. The runner's implementation adds the
/// cache, the trace, the concurrency limit and the rate limit; tests script it.
public protocol StageModel: Sendable {
    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer
}

/// Everything a stage may read besides the results of other stages.
public struct StageContext: Sendable {
    public var panel: ComicPanelImageSheet
    public var settings: ChapterSettings
    public var characters: CharacterDatabase?
    /// Where panelproc looked for a database, for the "no character database found" blocker.
    public var charactersSearched: [String]
    public var taxonomy: ThemeTaxonomy
    public var rules: GateRules
    public var force: Bool

    /// `resolver` is built from `characters` when not given; the runner shares one per chapter.
    public init(panel: ComicPanelImageSheet, settings: ChapterSettings, characters: CharacterDatabase?,
                charactersSearched: [String] = [], taxonomy: ThemeTaxonomy = .standard, rules: GateRules = GateRules(),
                force: Bool = false, resolver: RoleResolver? = nil)
    {
        self.panel = panel
        self.settings = settings
        self.characters = characters
        self.charactersSearched = charactersSearched
        self.taxonomy = taxonomy
        self.rules = rules
        self.force = force
        self.resolver = resolver ?? characters.map(RoleResolver.init(database:))
    }

    public let resolver: RoleResolver?

    /// The panel's dialogue as prompt variables.
    var dialogueVariable: JSONValue {
        .array(panel.dialogue.map { line in
            .object([("speaker", .string(line.speaker)), ("manner", .string(line.manner ?? "")), ("text", .string(line.text))])
        })
    }

    /// A required role's canonical name: the database's name when it resolves, else as written.
    func canonicalName(_ role: String) -> String {
        guard let resolver, case .resolved(let id, _) = resolver.resolve(role).outcome,
            let character = characters?.character(id: id)
        else { return role }
        return character.name
    }
}

/// Limits and policies of the checklist gate.
public struct GateRules: Sendable, Equatable {
    public enum UnknownRolePolicy: String, Sendable, CaseIterable { case reject, propose }

    public var maxWordsPerBubble: Int
    /// Share of the common example's word 5-grams an image prompt may repeat.
    public var commonExampleOverlap: Double
    public var unknownRoles: UnknownRolePolicy

    public init(maxWordsPerBubble: Int = 25, commonExampleOverlap: Double = 0.2, unknownRoles: UnknownRolePolicy = .reject) {
        self.maxWordsPerBubble = maxWordsPerBubble
        self.commonExampleOverlap = commonExampleOverlap
        self.unknownRoles = unknownRoles
    }
}

/// The results of one panel's stages so far.
public struct StageResults: Sendable {
    public var theme: ThemeResult?
    public var roles: RolesResult?
    public var rewrite: RewriteResult?
    public var roleValidation: RoleValidationResult?
    public var imagePrompt: ImagePromptResult?
    public var bubbles: BubblesResult?
    public var checklist: ChecklistResult?

    public init() {}

    mutating func store(_ output: StageOutput) {
        switch output {
        case .theme(let result): theme = result
        case .roles(let result): roles = result
        case .rewrite(let result): rewrite = result
        case .roleValidation(let result): roleValidation = result
        case .imagePrompt(let result): imagePrompt = result
        case .bubbles(let result): bubbles = result
        case .checklist(let result): checklist = result
        }
    }

    /// The trace ids of every call that produced these results, in stage order.
    public var traceIDs: [String] {
        [theme?.traceID, roles?.traceID, rewrite?.traceID, imagePrompt?.traceID, bubbles?.traceID, checklist?.traceID].compactMap { $0 }
    }
}
