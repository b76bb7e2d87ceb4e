/// The built-in deterministic engine, used whenever no model endpoint is configured. Each stage
/// has real heuristics (see the `Offline*` engines); the same variables always give the same bytes.
struct OfflineTextProvider: TextProvider {
    let name = "offline"
    /// Bump when any engine's output changes, so cached answers of the old engine are not reused.
    let model = "panelproc-offline-2"
    let isLocal = true

    init() {}


    func complete(_ request: TextRequest) async throws(ProviderError) -> TextCompletion {
        if request.template.name == FusedCall.promptName {
            guard let value = await OfflineFused.answer(request.variables) else {
                throw ProviderError(.refused, "the offline engine needs the fused prompt's `panel` variable")
            }
            return TextCompletion(value: value, raw: value.compact())
        }
        guard let engine = StageRegistry.offlineEngines[request.template.name] ?? PacingPass.offlineEngines[request.template.name]
            ?? DraftStep.offlineEngines[request.template.name]
            ?? ContinuityPass.offlineEngines[request.template.name] else {
            throw ProviderError(.refused, "the offline engine has no rules for the prompt `\(request.template.name)`; configure a model provider for it")
        }
        let value = engine(request.variables)
        return TextCompletion(value: value, raw: value.compact())
    }
}
