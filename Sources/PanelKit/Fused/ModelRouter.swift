/// `models:` and `fallback_model:`: each prompt asked with its own model (a stage's, `default`,
/// or `model:`), and, when a call fails after its retries and repair, one more try with the
/// fallback model, traced as its own call. The model is part of every cache key, so answers of
/// different models never mix.
struct ModelRouter: StageModel {
    /// Model name → the model that asks it (a `ModelCaller`, or the dry run's or batch's wrapper).
    var models: [String: any StageModel]
    var calls: CallSettings
    var baseModel: String

    func model(forPrompt prompt: String) -> String { calls.model(forPrompt: prompt, base: baseModel) }

    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
        let name = model(forPrompt: prompt)
        guard let first = models[name] else {
            throw StageFailure(stage: stage, message: "no provider for the model `\(name)`", kind: .template)
        }
        do {
            return try await first.answer(prompt: prompt, variables: variables, stage: stage, panelID: panelID)
        } catch {
            guard Self.fallsBack(error.kind), let fallbackName = calls.fallbackModel, fallbackName != name,
                let fallback = models[fallbackName]
            else { throw error }
            do {
                return try await fallback.answer(prompt: prompt, variables: variables, stage: stage, panelID: panelID)
            } catch let second {
                throw StageFailure(stage: stage, message: "\(error.message); the fallback model \(fallbackName) also failed: \(second.message)",
                                   kind: second.kind)
            }
        }
    }

    /// Failures another model might not have: a bad answer, an unavailable, refusing or timed-out
    /// model, a prompt too long for its context. Not a rejected key, a template, the cost cap or a
    /// dry run's unknown answer.
    static func fallsBack(_ kind: StageFailure.Kind) -> Bool {
        switch kind {
        case .invalidAnswer, .provider(.invalidAnswer), .provider(.unavailable), .provider(.refused), .provider(.timedOut),
             .provider(.contextOverflow):
            return true
        default: return false
        }
    }
}

extension Pipeline {
    /// Every model name the settings use, besides the provider's own.
    var routedModelNames: [String] {
        guard textProvider.name != OfflineTextProvider().name, settings.calls.routes(base: textProvider.model) else { return [] }
        let names = CallSettings.promptNames.map { settings.calls.model(forPrompt: $0, base: textProvider.model) }
            + [settings.calls.fallbackModel].compactMap { $0 }
        return Array(Set(names)).filter { $0 != textProvider.model }.sorted()
    }

    /// The text phase's model: `caller` as is, or a `ModelRouter` over one copy of it per model
    /// (same trace, limits, counters and ledger; another provider), each wrapped by `wrap`.
    func routedModel(_ caller: ModelCaller, wrap: (ModelCaller) -> any StageModel = { $0 }) -> any StageModel {
        let names = routedModelNames
        guard !names.isEmpty, let make = textProviderForModel else { return wrap(caller) }
        var models: [String: any StageModel] = [textProvider.model: wrap(caller)]
        for name in names {
            var copy = caller
            copy.provider = make(name)
            models[name] = wrap(copy)
        }
        return ModelRouter(models: models, calls: settings.calls, baseModel: textProvider.model)
    }

    /// The model each prompt is asked with (`--dry-run`, `batch submit`).
    var modelByPrompt: [(prompt: String, model: String)] {
        let prompts = settings.calls.mode == .fused
            ? [FusedCall.promptName] + (settings.calls.fusedChecklist == .separate ? [ChecklistStage.promptName].compactMap { $0 } : [])
            : StageRegistry.promptNames
        let routes = textProvider.name != OfflineTextProvider().name
        return prompts.map { ($0, routes ? settings.calls.model(forPrompt: $0, base: textProvider.model) : textProvider.model) }
    }
}
