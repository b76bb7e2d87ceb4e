import Foundation

/// `--dry-run`: what a run would do, found without a single provider call.
public struct RunPlan: Sendable {
    public struct Panel: Sendable {
        public var panelID: String
        /// `new`, `cached`, `stale` or `failed`.
        public var state: String
        public var textCallsCached: Int
        public var textCallsToMake: Int
        /// The image's plan state (`new`, `stale`, `cached`, `failed`, `skipped`), nil without images.
        public var image: String?
        public var reason: String
    }

    public var panels: [Panel]
    public var textModel: String
    public var imageModel: String?
    public var estimatedCostUSD: Double
    /// The model each prompt is asked with (`models:`), and the calls and estimate per model.
    public var modelByPrompt: [(prompt: String, model: String)] = []
    public var callsByModel: [String: Int] = [:]
    public var costByModel: [String: Double] = [:]
    public var callMode = "stages"

    public var textCallsToMake: Int { panels.reduce(0) { $0 + $1.textCallsToMake } }
    public var textCallsCached: Int { panels.reduce(0) { $0 + $1.textCallsCached } }
    public var imagesToMake: Int { panels.filter { $0.image == "new" || $0.image == "stale" }.count }
    /// Images per panel (`--candidates`): the estimate counts each.
    public var candidates = 1

    /// The plan as a table, for people.
    public var text: String {
        var lines = ["panel                                      state    text calls (cached/to make)  image"]
        for panel in panels {
            let id = panel.panelID.padding(toLength: max(42, panel.panelID.count), withPad: " ", startingAt: 0)
            let calls = "\(panel.textCallsCached)/\(panel.textCallsToMake)".padding(toLength: 29, withPad: " ", startingAt: 0)
            lines.append("\(id) \(panel.state.padding(toLength: 8, withPad: " ", startingAt: 0)) \(calls)\(panel.image ?? "-")")
        }
        lines.append("")
        lines.append("would make \(textCallsToMake) text call\(textCallsToMake == 1 ? "" : "s") (\(textModel)) and \(imagesToMake) image\(imagesToMake == 1 ? "" : "s")"
                     + (candidates > 1 ? " × \(candidates) candidates" : "")
                     + (imageModel.map { " (\($0))" } ?? "") + "; \(textCallsCached) " + (textCallsCached == 1 ? "answer is cached" : "answers are cached"))
        if !modelByPrompt.isEmpty {
            lines.append("call mode: \(callMode); model per prompt: " + modelByPrompt.map { "\($0.prompt) → \($0.model)" }.joined(separator: ", "))
            for model in callsByModel.keys.sorted() {
                lines.append(String(format: "  %@: %d call%@, estimated $%.4f", model, callsByModel[model] ?? 0,
                                    callsByModel[model] == 1 ? "" : "s", costByModel[model] ?? 0))
            }
        }
        lines.append(String(format: "estimated cost: $%.4f", estimatedCostUSD))
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Pipeline {
    /// Rough size of a call whose prompt cannot be rendered yet (its inputs are not known).
    static let estimatedTokensIn = 700
    static let estimatedTokensOut = 200

    /// The plan: the same phases as `run`, with a caller that answers only from the cache and an
    /// image phase that only plans. It reads the trace and the manifests, writes nothing and calls
    /// no provider.
    public func plan(_ chapters: [PreparedChapter]) async throws(RunFailure) -> RunPlan {
        var plan = RunPlan(panels: [], textModel: "\(textProvider.name)/\(textProvider.model)",
                           imageModel: imageProvider.map { "\($0.name)/\($0.model)" }, estimatedCostUSD: 0)
        guard chapters.contains(where: { !$0.chapter.panels.isEmpty }) else { return plan }
        let library: PromptLibrary
        do { library = try parsePhase.loadPrompts() } catch { throw .input(error) }
        let path = settings.tracePath(for: chapters)
        // An existing trace is read for cached answers; a missing one is not created.
        var trace: TraceStore?
        if FileManager.default.fileExists(atPath: path) {
            do { trace = try TraceStore(path: path) } catch { throw .write("\(error)") }
        }
        let counters = RunCounters()
        var caller = ModelCaller(provider: textProvider, library: library, trace: trace, useCache: settings.useCache,
                                 concurrency: settings.concurrency, counters: counters)
        caller.limits = settings.callLimits
        let reuse = PanelReuse(settings: settings, provider: textProvider, library: library)
        let keys = chapters.map { chapter in chapter.chapter.panels.map { reuse.key($0, in: chapter) } }
        let known = try await reused(chapters, keys: keys, trace: trace).known
        let outcomes = await textPhase(model: routedModel(caller) { PlanningCaller(caller: $0) }, library: library).run(chapters, known: known)
        let fusedChecklist = settings.calls.fusedChecklist == .inside
        let routes = modelByPrompt
        plan.modelByPrompt = routes
        plan.callMode = settings.calls.mode.rawValue
        func modelFor(_ prompt: String) -> String { routes.first { $0.prompt == prompt }?.model ?? textProvider.model }
        var cachedByPanel = await counters.cachedByPanel
        for (chapterIndex, chapter) in chapters.enumerated() {
            for (panelIndex, panel) in chapter.chapter.panels.enumerated() {
                if let outcome = known[chapterIndex][panelIndex] { cachedByPanel[panel.id] = outcome.results.traceIDs.count }
            }
        }
        let plannedByPanel = await counters.plannedByPanel
        let images = imageProvider.map { imagePhase($0, limiter: nil) }
        for (index, prepared) in chapters.enumerated() {
            let chapter = record(prepared)
            var imagePlan: [ImagePlanItem] = []
            var manifest = ImageManifest(chapterSlug: prepared.chapter.slug)
            if let images {
                do { manifest = try loadManifest(chapter) } catch { throw .input(error) }
                imagePlan = images.configured(for: prepared.chapter).plan(chapter: prepared.chapter, outcomes: outcomes[index], characters: prepared.characters,
                                        manifest: manifest, chapterDirectory: chapter.directory, markdownFolder: prepared.input.folder)
            }
            for (panelIndex, panel) in prepared.chapter.panels.enumerated() {
                let outcome = outcomes[index][panelIndex]
                let cached = cachedByPanel[panel.id] ?? 0
                var toRun = outcome?.callsToRun ?? StageRegistry.modelCallsPerPanel
                if settings.calls.mode == .fused {
                    toRun = outcome.map { FusedCall.callsToRun($0, withChecklist: fusedChecklist) } ?? (fusedChecklist ? 1 : 2)
                    if outcome.map({ FusedCall.callsToRun($0, withChecklist: true) }) ?? 1 > 0 { plan.callsByModel[modelFor(FusedCall.promptName), default: 0] += 1 }
                    if !fusedChecklist, outcome?.stageStates[.checklist] ?? .toRun == .toRun { plan.callsByModel[modelFor("checklist"), default: 0] += 1 }
                } else {
                    for stage in StageRegistry.all where stage.callsModel && (outcome?.stageStates[stage.id] ?? .toRun) == .toRun {
                        plan.callsByModel[modelFor(type(of: stage).promptName ?? ""), default: 0] += 1
                    }
                }
                if let planned = plannedByPanel[panel.id], planned > 0 { plan.callsByModel[textProvider.model, default: 0] += planned }
                let toMake = toRun + (plannedByPanel[panel.id] ?? 0)
                var entry = RunPlan.Panel(panelID: panel.id, state: "cached", textCallsCached: cached, textCallsToMake: toMake,
                                          image: nil, reason: "")
                if toMake > 0 {
                    let previous = try? await trace?.panelState(chapterSlug: prepared.chapter.slug, panelID: panel.id)
                    entry.state = (previous != nil || cached > 0) ? "stale" : "new"
                    entry.reason = previous.map { $0.contentHash == panel.contentHash ? "settings or prompts changed" : "the panel changed" }
                        ?? "never run"
                } else {
                    let status = outcome?.status ?? .skipped
                    entry.state = status == .failed ? "failed" : "cached"
                    entry.reason = outcome?.reasons.first ?? ""
                }
                // The verdict is known when every stage ran (from the cache or the built-in engine);
                // otherwise the image is counted as one to make.
                if (outcome?.callsToRun ?? 1) == 0, imagePlan.indices.contains(panelIndex) {
                    entry.image = ImageControlPlan.shown(imagePlan[panelIndex], manifest: manifest)
                } else if images != nil {
                    entry.image = manifest.entry(panel.id)?.isPinned == true ? "pinned" : manifest.entry(panel.id) == nil ? "new" : "stale"
                }
                plan.panels.append(entry)
            }
        }
        plan.candidates = settings.imageControl.candidates
        for (model, calls) in plan.callsByModel {
            let (tokensIn, tokensOut) = settings.calls.mode == .fused
                ? (FusedCall.estimatedTokensIn, FusedCall.estimatedTokensOut) : (Self.estimatedTokensIn, Self.estimatedTokensOut)
            plan.costByModel[model] = Double(calls) * settings.prices.text(model, tokensIn: tokensIn, tokensOut: tokensOut)
        }
        plan.estimatedCostUSD = plan.costByModel.values.reduce(0, +)
            + Double(plan.imagesToMake * settings.imageControl.candidates) * (imageProvider.map { settings.prices.image($0.model) } ?? 0)
        return plan
    }
}
