/// How text calls are made: one call per stage or one fused call per panel (`call_mode`), where
/// the checklist's model items go in fused mode (`fused_checklist`), a model per stage
/// (`models:`) and the model tried once when a stage fails with its own (`fallback_model`).
public struct CallSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable { case stages, fused }
    /// `inside`: the fused call also answers the checklist's model items (one call per panel);
    /// `separate`: the checklist asks its own prompt after the fused answer (two calls per panel).
    public enum ChecklistPlacement: String, Sendable, CaseIterable { case inside, separate }

    public var mode: Mode = .stages
    public var fusedChecklist: ChecklistPlacement = .inside
    /// `models:`: prompt name (a stage id, or `fused`) → model.
    public var models: [String: String] = [:]
    /// `models: {default: …}`: the model of every prompt not listed; nil means `model:`.
    public var defaultModel: String?
    public var fallbackModel: String?

    public init() {}

    static let keys = ["call_mode", "fused_checklist", "models", "fallback_model"]

    /// The prompts `models:` may name.
    static var promptNames: [String] { StageRegistry.promptNames + [FusedCall.promptName] }

    mutating func read(_ field: YAMLFields.Field) throws(InputError) {
        switch field.key {
        case "call_mode": mode = try field.choice(of: Mode.self) ?? mode
        case "fused_checklist": fusedChecklist = try field.choice(of: ChecklistPlacement.self) ?? fusedChecklist
        case "fallback_model": fallbackModel = try field.text()
        case "models":
            for entry in try field.mapping() {
                if entry.key == "default" {
                    defaultModel = try entry.text()
                    continue
                }
                guard Self.promptNames.contains(entry.key) else {
                    throw InputError(file: field.file, location: entry.keyLocation,
                                     message: "`models:` names a stage (\(Self.promptNames.joined(separator: ", "))) or `default`, not `\(entry.key)`")
                }
                if let model = try entry.text() { models[entry.key] = model }
            }
        default: break
        }
    }

    /// The model a prompt is asked with: its own entry, else `default`, else `base` (`model:`).
    func model(forPrompt prompt: String, base: String) -> String {
        models[prompt] ?? defaultModel ?? base
    }

    /// Whether any prompt is asked with another model than `base`.
    func routes(base: String) -> Bool {
        fallbackModel != nil || (defaultModel.map { $0 != base } ?? false) || models.values.contains { $0 != base }
    }
}
