/// The text phase: the stage chain over every panel of every chapter at once, in structured
/// concurrency. The model's semaphore and rate limiter bound the calls; results are written back
/// by index, so the output never depends on which call finished first.
struct TextPhase: Sendable {
    var chain: PanelChain
    var model: any StageModel
    var taxonomy: ThemeTaxonomy
    var rules: GateRules
    var force: Bool
    /// Called after each panel, with the number done so far and the total (for the progress bar).
    var progress: (@Sendable (Int, Int) -> Void)?

    init(chain: PanelChain = .standard, model: any StageModel, taxonomy: ThemeTaxonomy = .standard,
                rules: GateRules = GateRules(), force: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil)
    {
        self.chain = chain
        self.model = model
        self.taxonomy = taxonomy
        self.rules = rules
        self.force = force
        self.progress = progress
    }

    /// How many panels are worked on at once. The semaphore bounds the calls; this bounds memory,
    /// so that 10,000 waiting panels do not each hold a suspended task.
    var panelsInFlight = 256

    /// `call_mode: fused`: the templates, and whether the fused call answers the checklist too.
    var fused: (library: PromptLibrary, withChecklist: Bool)?

    /// Outcomes by chapter, then by panel, in document order. Panels whose outcome is already
    /// `known` (reused whole from an earlier run) are not run again.
    func run(_ work: [PreparedChapter], known: [[PanelOutcome?]]? = nil) async -> [[PanelOutcome?]] {
        var outcomes: [[PanelOutcome?]] = known ?? work.map { Array(repeating: nil, count: $0.chapter.panels.count) }
        let resolvers = work.map { $0.characters.map(RoleResolver.init(database:)) }
        // Every panel of every chapter, interleaved in one queue: chapter order never delays a panel.
        let queue: [(chapter: Int, panel: Int)] = work.indices.flatMap { chapter in
            work[chapter].chapter.panels.indices.compactMap { outcomes[chapter][$0] == nil ? (chapter, $0) : nil }
        }
        let total = queue.count
        guard total > 0 else { return outcomes }
        await withTaskGroup(of: (Int, Int, PanelOutcome).self) { group in
            var next = 0
            func schedule() {
                let (chapterIndex, panelIndex) = queue[next]
                next += 1
                let item = work[chapterIndex]
                let context = StageContext(panel: item.chapter.panels[panelIndex], settings: item.chapter.settings,
                                           characters: item.characters, charactersSearched: item.charactersSearched,
                                           taxonomy: taxonomy, rules: rules, force: force, resolver: resolvers[chapterIndex])
                let panelModel: any StageModel = fused.map {
                    FusedPanelModel(base: model, library: $0.library, context: context, withChecklist: $0.withChecklist)
                } ?? model
                group.addTask { [chain] in
                    (chapterIndex, panelIndex, await chain.run(context, model: panelModel))
                }
            }
            while next < min(panelsInFlight, total) { schedule() }
            var done = 0
            var stopped = false
            for await (chapterIndex, panelIndex, outcome) in group {
                outcomes[chapterIndex][panelIndex] = outcome
                done += 1
                progress?(done, total)
                // A failure no panel can avoid (a rejected key) stops scheduling the rest.
                if outcome.stopsRun != nil {
                    stopped = true
                    group.cancelAll()
                }
                if !stopped, next < total { schedule() }
            }
        }
        return outcomes
    }
}
