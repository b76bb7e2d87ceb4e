/// How large and how long one model call may be: `max_tokens`, `call_timeout` and
/// `context_window` in `panelproc.yml`, each a number for every stage (or model) or a mapping per
/// stage (or model).
///
/// ```yaml
/// max_tokens: {bubbles: 400}        # default: derived from each stage's answer schema
/// call_timeout: {default: 120, image_prompt: 200}   # seconds for a whole call, retries included
/// context_window: {smollm2: 4096}   # tokens; llama-server's own `n_ctx` is asked when unset
/// ```
struct CallLimits: Sendable, Equatable {
    /// `max_tokens: N`: every stage.
    var maxTokensForAll: Int?
    var maxTokensByStage: [String: Int] = [:]
    var callTimeoutSeconds: Double = 120
    var callTimeoutByStage: [String: Double] = [:]
    var contextWindowForAll: Int?
    var contextWindowByModel: [String: Int] = [:]

    /// The `max_tokens` a call of `stage` sends: the setting, else the bound of its answer.
    func maxTokens(stage: String, answerBound: Int?) -> Int? {
        maxTokensByStage[stage] ?? maxTokensForAll ?? answerBound
    }

    func callTimeout(stage: String) -> Duration {
        .milliseconds(Int((callTimeoutByStage[stage] ?? callTimeoutSeconds) * 1000))
    }

    func contextWindow(model: String) -> Int? {
        contextWindowByModel[model] ?? contextWindowForAll
    }

    /// What `max_tokens:` and `call_timeout:` may name: every stage that calls a model, the
    /// chapter passes, the fused call and the draft steps.
    static var stageNames: [String] {
        StageRegistry.all.filter { type(of: $0).promptName != nil }.map(\.id.rawValue)
            + [PacingPass.stage, ContinuityPass.stage, StageID.fused].map(\.rawValue) + DraftStep.all.map(\.stageID.rawValue)
    }

    /// A per-stage key that names no stage is a typo (`bubble: 400`) that would silently do nothing.
    private static func checkStage(_ entry: YAMLFields.Field, in field: YAMLFields.Field) throws(InputError) {
        guard entry.key != "default", !stageNames.contains(entry.key) else { return }
        throw InputError(file: field.file, location: entry.keyLocation,
                         message: "`\(field.key):` names a stage (\(stageNames.joined(separator: ", "))) or `default`, not `\(entry.key)`")
    }

    mutating func readMaxTokens(_ field: YAMLFields.Field) throws(InputError) {
        if field.node.mapping == nil {
            maxTokensForAll = try field.integer(in: 1...1_000_000)
            return
        }
        for entry in try field.mapping() {
            try Self.checkStage(entry, in: field)
            guard let value = try entry.integer(in: 1...1_000_000) else { continue }
            if entry.key == "default" { maxTokensForAll = value } else { maxTokensByStage[entry.key] = value }
        }
    }

    mutating func readCallTimeout(_ field: YAMLFields.Field) throws(InputError) {
        if field.node.mapping == nil {
            callTimeoutSeconds = try field.number(in: 1...86_400) ?? callTimeoutSeconds
            return
        }
        for entry in try field.mapping() {
            try Self.checkStage(entry, in: field)
            guard let value = try entry.number(in: 1...86_400) else { continue }
            if entry.key == "default" { callTimeoutSeconds = value } else { callTimeoutByStage[entry.key] = value }
        }
    }

    mutating func readContextWindow(_ field: YAMLFields.Field) throws(InputError) {
        if field.node.mapping == nil {
            contextWindowForAll = try field.integer(in: 256...100_000_000)
            return
        }
        for entry in try field.mapping() {
            guard let value = try entry.integer(in: 256...100_000_000) else { continue }
            if entry.key == "default" { contextWindowForAll = value } else { contextWindowByModel[entry.key] = value }
        }
    }
}
