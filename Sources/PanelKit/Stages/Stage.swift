/// A stage's name, as it appears in `chapter.json`, the trace and messages. Each stage declares
/// its own constant beside its code (`StageID.theme` in `ThemeStage.swift`); the order of stages in
/// outputs is the order of `StageRegistry.all`.
struct StageID: RawRepresentable, Hashable, Sendable, CustomStringConvertible, Codable {
    let rawValue: String
    init(rawValue: String) { self.rawValue = rawValue }
    init(_ rawValue: String) { self.rawValue = rawValue }
    var description: String { rawValue }
}

/// What a stage produces: one typed value, exported as JSON under the stage's id.
protocol StageResult: Sendable, Codable {
    var json: JSONValue { get }
    /// The call behind the result (nil for pure code).
    var traceID: String? { get }
}

extension StageResult {
    var traceID: String? { nil }
}

/// One step of the per-panel chain: its id, declared inputs, the prompt it asks a model with (none
/// for pure code), its offline engine and one job with a typed result. A stage is listed once, in
/// `StageRegistry.all`; everything else (templates needed, calls per panel, export keys, trace
/// ids, the offline engine's dispatch) is derived from that list.
protocol PanelStage: Sendable {
    associatedtype Result: StageResult
    static var id: StageID { get }
    /// The stages whose results this one reads; the runner derives the order from these.
    var dependencies: Set<StageID> { get }
    /// The prompt template (`Prompts/<name>.yml`) this stage asks a model with; nil for pure code.
    static var promptName: String? { get }
    /// The built-in deterministic engine answering that prompt (nil for pure code).
    static var offlineEngine: (@Sendable (JSONValue) -> JSONValue)? { get }
    /// Whether the stage still runs when a dependency was skipped (the checklist gate does,
    /// to report what blocked the panel).
    var runsWithSkippedDependencies: Bool { get }
    /// Does the work, with the results of its dependencies in `results`.
    func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> Result
    /// Why the stages after this one should not run (unless forced); nil to go on.
    func blockingReason(_ result: Result) -> String?
}

extension PanelStage {
    var id: StageID { Self.id }
    var runsWithSkippedDependencies: Bool { false }
    static var offlineEngine: (@Sendable (JSONValue) -> JSONValue)? { nil }
    func blockingReason(_ result: Result) -> String? { nil }
    /// True for stages that call a model (they cost a call each).
    var callsModel: Bool { Self.promptName != nil }

    /// Asks the model this stage's prompt.
    func ask(_ model: any StageModel, _ variables: JSONValue, _ context: StageContext) async throws(StageFailure) -> ModelAnswer {
        try await model.answer(prompt: Self.promptName ?? Self.id.rawValue, variables: variables, stage: Self.id, panelID: context.panel.id)
    }

    /// The run, with the result type erased so the chain can hold every stage in one list.
    func runErased(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure)
        -> (result: any StageResult, blocking: String?)
    {
        let result = try await run(context, results, model)
        return (result, blockingReason(result))
    }
}

/// A stage that could not produce its output, and why, as a kind the runner can act on.
public struct StageFailure: Error, Sendable, CustomStringConvertible, Codable {
    enum Kind: Sendable, Equatable, Codable {
        /// The provider could not answer (network, refusal, an invalid answer after a repair).
        case provider(ProviderError.Kind)
        /// The answer was not what the stage needs (schema, missing keys).
        case invalidAnswer
        /// A prompt template could not be rendered: no panel can succeed.
        case template
        /// Not run: `--max-cost-usd` would have been passed.
        case costCap
        /// `--dry-run`: the answer is not in the cache, so the call would be made.
        case notCached
    }

    var stage: StageID
    var message: String
    var kind: Kind

    init(stage: StageID, message: String, kind: Kind = .invalidAnswer) {
        self.stage = stage
        self.message = message
        self.kind = kind
    }

    /// Failures no other panel can avoid either (a rejected API key, a broken template).
    var stopsRun: Bool { kind == .provider(.unauthorized) || kind == .template }

    public var description: String { "\(stage.rawValue): \(message)" }
}

/// A model's answer to one stage call, validated against the template's schema.
struct ModelAnswer: Sendable {
    var value: JSONValue
    /// Names the request in the trace: the first 16 hex digits of its hash (`calls.request_hash`).
    /// Derived from the request, not from timing, so outputs are the same however calls interleave.
    var traceID: String?
    var cached: Bool

    init(value: JSONValue, traceID: String?, cached: Bool) {
        self.value = value
        self.traceID = traceID
        self.cached = cached
    }
}

/// How stages reach a model: by prompt name and variables. The runner's implementation adds the
/// cache, the trace, the concurrency limit and the rate limit; tests script it.
protocol StageModel: Sendable {
    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer
}

/// Everything a stage may read besides the results of other stages.
struct StageContext: Sendable {
    var panel: ComicPanelImageSheet
    var settings: ChapterSettings
    var characters: CharacterDatabase?
    /// Where panelproc looked for a database, for the "no character database found" blocker.
    var charactersSearched: [String]
    var taxonomy: ThemeTaxonomy
    var rules: GateRules
    var force: Bool

    /// `resolver` is built from `characters` when not given; the runner shares one per chapter.
    init(panel: ComicPanelImageSheet, settings: ChapterSettings, characters: CharacterDatabase?,
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

    let resolver: RoleResolver?

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

    var maxWordsPerBubble: Int
    /// Share of the common example's word 5-grams an image prompt may repeat.
    var commonExampleOverlap: Double
    var unknownRoles: UnknownRolePolicy

    init(maxWordsPerBubble: Int = 25, commonExampleOverlap: Double = 0.2, unknownRoles: UnknownRolePolicy = .reject) {
        self.maxWordsPerBubble = maxWordsPerBubble
        self.commonExampleOverlap = commonExampleOverlap
        self.unknownRoles = unknownRoles
    }
}

/// The results of one panel's stages so far, by stage. Each stage file adds a typed accessor
/// (`results.theme`).
public struct StageResults: Sendable {
    private var storage: [StageID: any StageResult] = [:]

    init() {}

    subscript<Stage: PanelStage>(_ stage: Stage.Type) -> Stage.Result? {
        get { storage[Stage.id] as? Stage.Result }
        set { storage[Stage.id] = newValue }
    }

    /// A result by id, for outputs that treat every stage alike.
    subscript(id id: StageID) -> (any StageResult)? { storage[id] }

    mutating func store(_ result: any StageResult, for id: StageID) { storage[id] = result }

    /// The trace ids of every call that produced these results, in stage order.
    var traceIDs: [String] {
        // A fused call answers several stages under one id: each call is named once.
        var seen: Set<String> = []
        return StageRegistry.ids.compactMap { storage[$0]?.traceID }.filter { seen.insert($0).inserted }
    }
}

/// Stored by stage id; read back through the registry, which knows each stage's result type.
extension StageResults: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: Key.self)
        for stage in StageRegistry.all {
            let key = Key(stringValue: stage.id.rawValue)
            guard container.contains(key) else { continue }
            storage[stage.id] = try stage.decodeResult(try container.superDecoder(forKey: key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for id in StageRegistry.ids {
            guard let result = storage[id] else { continue }
            try result.encode(to: container.superEncoder(forKey: Key(stringValue: id.rawValue)))
        }
    }
}

extension PanelStage {
    func decodeResult(_ decoder: any Decoder) throws -> any StageResult { try Result(from: decoder) }
}
