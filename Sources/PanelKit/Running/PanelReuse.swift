import Foundation

/// Whole-panel reuse: a panel whose content (its text, the chapter's settings, its character
/// database) and whose chain (provider, model, every template, taxonomy, gate rules, `--force`)
/// are unchanged gets its stored outcome back without rendering a template or hashing a request.
struct PanelReuse: Sendable {
    /// Everything about the chain that decides a panel's outcome, hashed.
    let fingerprint: String

    init(settings: RunSettings, provider: any TextProvider, library: PromptLibrary) {
        var text = "panelproc \(PanelKitVersion.string)\n\(provider.name)\n\(provider.model)\n\(provider.cacheParameters)\n"
        for stage in StageRegistry.all {
            text += "stage \(stage.id.rawValue) <- \(stage.dependencies.map(\.rawValue).sorted().joined(separator: ","))\n"
            if let name = type(of: stage).promptName, let template = library.templates[name] {
                text += "template \(name) \(template.version)\n\(template.system)\n\(template.user)\n\(template.schemaText)\n"
            }
        }
        let calls = settings.calls
        if calls.mode == .fused || calls.routes(base: provider.model) {
            text += "calls \(calls.mode.rawValue) checklist \(calls.fusedChecklist.rawValue) fallback \(calls.fallbackModel ?? "-")\n"
            for prompt in CallSettings.promptNames { text += "model \(prompt) \(calls.model(forPrompt: prompt, base: provider.model))\n" }
            if calls.mode == .fused, let template = library.templates[FusedCall.promptName] {
                text += "template fused \(template.version)\n\(template.system)\n\(template.user)\n\(template.schemaText)\n"
            }
        }
        for theme in settings.taxonomy.themes {
            text += "theme \(theme.name)|\(theme.description)|\(theme.keywords.joined(separator: ","))\n"
        }
        let rules = settings.gateRules
        text += "rules \(rules.maxWordsPerBubble) \(rules.commonExampleOverlap) \(rules.unknownRoles.rawValue) force \(settings.force)\n"
        if provider.honoursTokenBound {
            let limits = settings.callLimits
            text += "max_tokens \(limits.maxTokensForAll.map(String.init) ?? "-") "
                + limits.maxTokensByStage.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "\n"
        }
        fingerprint = SHA256.hex(text)
    }

    /// The key a panel's outcome is stored under.
    func key(_ panel: ComicPanelImageSheet, in chapter: PreparedChapter) -> String {
        SHA256.hex("\(fingerprint)\n\(panel.id)\n\(panel.contentHash)\n\(chapter.charactersSearched.joined(separator: "\n"))")
    }

    /// Only outcomes every later run would reach again: each stage done, or skipped because the
    /// gate said so. A failed call, the cost cap or a stopped run is tried again next time.
    static func isReusable(_ outcome: PanelOutcome) -> Bool {
        outcome.stopsRun == nil && outcome.status != .skipped && outcome.stageStates.values.allSatisfy {
            switch $0 {
            case .done, .skipped: return true
            case .failed, .toRun: return false
            }
        }
    }

    static func encode(_ outcome: PanelOutcome) -> String? {
        (try? JSONEncoder().encode(outcome)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func decode(_ text: String) -> PanelOutcome? {
        try? JSONDecoder().decode(PanelOutcome.self, from: Data(text.utf8))
    }
}
