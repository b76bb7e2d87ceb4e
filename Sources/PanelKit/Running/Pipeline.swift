import Foundation

/// A run, phase by phase: parse (`ParsePhase`, before anything is written) → text (`TextPhase`:
/// the stage chain and the gate) → images (`ImagePhase`) → outputs (`RunOutputs`) → the trace's
/// record of the run. Each phase hands the next a value; `ChapterRecord` and `PanelRecord` carry
/// everything an output needs. `plan` runs the same phases without calling or writing anything.
public struct Pipeline: Sendable {
    public var settings: RunSettings
    var textProvider: any TextProvider
    /// nil: no images and no image lines.
    var imageProvider: (any ImageProvider)?
    /// The run's shared limiter; nil makes one from `settings.rpm`.
    var rateLimiter: RateLimiter?
    /// What the run writes, in order.
    var outputs: [any RunOutput] = RunOutputs.standard
    /// A provider like `textProvider` for another model (`models:`, `fallback_model:`).
    var textProviderForModel: (@Sendable (String) -> any TextProvider)?
    /// Called after each panel's text phase, with the number done so far and the total.
    public var progress: (@Sendable (Int, Int) -> Void)?

    init(settings: RunSettings, textProvider: any TextProvider = OfflineTextProvider(),
                imageProvider: (any ImageProvider)? = nil, rateLimiter: RateLimiter? = nil)
    {
        self.settings = settings
        self.textProvider = textProvider
        self.imageProvider = imageProvider
        self.rateLimiter = rateLimiter
    }

    /// The run the settings describe, with the providers they name; keys are read from
    /// `environment` (a missing one is not an error here: the first call fails and stops the run).
    public init(settings: RunSettings, environment: [String: String]) throws(InputError) {
        self.init(settings: settings, textProvider: try TextProviders.make(settings, environment: environment),
                  imageProvider: try ImageProviders.make(settings, environment: environment))
        textProviderForModel = TextProviders.factory(settings, environment: environment)
    }

    public var parsePhase: ParsePhase { ParsePhase(settings: settings) }

    /// Runs every panel of every chapter through the phases and writes the outputs.
    public func run(_ chapters: [PreparedChapter]) async throws(RunFailure) -> RunReport {
        var report = RunReport()
        var stopwatch = Stopwatch()
        // The trace is written after the text phase and at the end: one line for both.
        var traceSeconds = 0.0
        var records = chapters.map(record)
        let ledger = CostLedger(capUSD: settings.maxCostUSD)
        let limiter = rateLimiter ?? RateLimiter(rpm: settings.rpm)
        var trace: TraceStore?
        var model: (any StageModel)?
        // The continuity rules read only the chapters, their databases and decisions: they are
        // checked while the panels go through the chain (on a rerun, while stored results decode).
        let continuityInputs = records.map(\.continuityInput)
        let continuity = ContinuityPass(settings: settings)
        async let continuityRules = Result { () throws(InputError) in try continuity.rules(continuityInputs) }

        if chapters.contains(where: { !$0.chapter.panels.isEmpty }) {
            let library: PromptLibrary
            do { library = try parsePhase.loadPrompts() } catch { throw .input(error) }
            let path = settings.tracePath(for: chapters)
            do {
                let store = try TraceStore(path: path)
                report.runID = try await store.beginRun(command: settings.command, inputs: chapters.map(\.input.displayName))
                trace = store
            } catch {
                throw .write("\(error)")
            }
            report.tracePath = path
            report.timings.phases.append(.init(name: "setup", seconds: stopwatch.lap()))
            let counters = RunCounters()
            var caller = ModelCaller(provider: textProvider, library: library, trace: trace, runID: report.runID ?? 0,
                                     useCache: settings.useCache, concurrency: settings.concurrency, counters: counters)
            caller.prices = settings.prices
            caller.limits = settings.callLimits
            caller.ledger = ledger
            caller.rateLimiter = limiter
            model = caller
            let reuse = PanelReuse(settings: settings, provider: textProvider, library: library)
            let keys = chapters.map { chapter in chapter.chapter.panels.map { reuse.key($0, in: chapter) } }
            let (known, storedCost, reusedCalls) = try await reused(chapters, keys: keys, trace: trace)
            report.timings.phases.append(.init(name: "cache", seconds: stopwatch.lap()))
            let outcomes = await textPhase(model: routedModel(caller), library: library).run(chapters, known: known)
            report.timings.phases.append(.init(name: "text", seconds: stopwatch.lap()))
            let costByPanel = await counters.costByPanel
            var newlyStored: [StoredPanel] = []
            for (chapterIndex, chapterOutcomes) in outcomes.enumerated() {
                for (panelIndex, outcome) in chapterOutcomes.enumerated() {
                    let key = keys[chapterIndex][panelIndex]
                    let panelID = records[chapterIndex].panels[panelIndex].sheet.id
                    let cost = storedCost[key] ?? costByPanel[panelID] ?? 0
                    records[chapterIndex].panels[panelIndex].text = outcome
                    records[chapterIndex].panels[panelIndex].locateRoles()
                    records[chapterIndex].panels[panelIndex].textCostUSD = cost
                    records[chapterIndex].panels[panelIndex].chainKey = key
                    if known[chapterIndex][panelIndex] == nil, let outcome, PanelReuse.isReusable(outcome),
                        let encoded = PanelReuse.encode(outcome)
                    {
                        newlyStored.append(StoredPanel(chainKey: key, chapterSlug: chapters[chapterIndex].chapter.slug, panelID: panelID,
                                                       outcome: encoded, costUSD: cost, runID: report.runID ?? 0))
                    }
                }
            }
            if let trace {
                do { try await trace.storePanels(newlyStored) } catch { throw .write("\(error)") }
            }
            report.callsMade = await counters.callsMade
            report.callsCached = await counters.callsCached + reusedCalls
            report.stopped = outcomes.joined().compactMap { $0?.stopsRun }.first.map(RunStop.text)
            traceSeconds += stopwatch.lap()
        }

        if let imageProvider, report.stopped == nil, records.contains(where: { !$0.panels.isEmpty }) {
            let phase = imagePhase(imageProvider, limiter: limiter)
            for index in records.indices where !records[index].panels.isEmpty {
                let manifest: ImageManifest
                do { manifest = try loadManifest(records[index]) } catch { throw .input(error) }
                let (images, updated) = await phase.run(records[index], manifest: manifest, ledger: ledger, trace: trace, runID: report.runID)
                records[index].manifestBefore = manifest
                records[index].manifest = updated
                for (panelIndex, image) in images.enumerated() {
                    records[index].panels[panelIndex].image = image
                    switch image.result {
                    case .current: report.imagesCurrent += 1
                    case .made: report.imagesMade += 1
                    case .leftForCostCap: report.imagesSkippedForCost += 1
                    case .notPlanned: break
                    case .refused(let error):
                        report.imagesFailed += 1
                        if error.kind == .unauthorized, report.stopped == nil { report.stopped = .image(error) }
                    }
                }
            }
            report.timings.phases.append(.init(name: "images", seconds: stopwatch.lap()))
        }
        report.costUSD = await ledger.spentUSD
        report.costCapReached = await ledger.capReached

        for index in records.indices { assemble(&records[index], from: chapters[index]) }
        report.chapters = records
        report.timings.phases.append(.init(name: "assemble", seconds: stopwatch.lap()))
        let checked = await continuityRules
        if report.stopped == nil {
            report.continuity = try await continuity.run(continuityInputs, rules: checked, model: model)
            report.timings.phases.append(.init(name: "continuity", seconds: stopwatch.lap()))
        }
        var start = outputs.startIndex
        while start < outputs.endIndex {
            // A run of outputs that read only the records is written side by side; any other alone.
            var end = start + 1
            if !outputs[start].readsEarlierOutputs {
                while end < outputs.endIndex, !outputs[end].readsEarlierOutputs { end += 1 }
            }
            let finished = report
            typealias Written = (files: Result<[WrittenFile], RunFailure>, seconds: Double)
            let results = await withTaskGroup(of: (Int, Written).self) { group in
                for index in start..<end {
                    let output = outputs[index]
                    group.addTask {
                        var clock = Stopwatch()
                        let files = Result { () throws(RunFailure) in try output.write(finished, settings: settings) }
                        return (index, (files, clock.lap()))
                    }
                }
                var results: [Int: Written] = [:]
                for await (index, written) in group { results[index] = written }
                return results
            }
            for index in start..<end {
                report.timings.outputs.append(.init(name: outputs[index].name, seconds: results[index]!.seconds))
                for file in try results[index]!.files.get() {
                    if let chapter = file.chapter { report.chapters[chapter].files.append(file.path) }
                    report.proposedRoles += file.added
                }
            }
            start = end
        }
        report.timings.phases.append(.init(name: "outputs", seconds: stopwatch.lap()))
        if let trace, let runID = report.runID {
            try await record(report, in: trace, runID: runID)
            report.timings.phases.append(.init(name: "trace", seconds: traceSeconds + stopwatch.lap()))
        }
        return report
    }

    /// Outcomes stored by earlier runs for panels whose key is unchanged (none with `--no-cache`),
    /// their cost when made, and how many answers they hold.
    func reused(_ chapters: [PreparedChapter], keys: [[String]], trace: TraceStore?) async throws(RunFailure)
        -> (known: [[PanelOutcome?]], cost: [String: Double], calls: Int)
    {
        var known: [[PanelOutcome?]] = chapters.map { Array(repeating: nil, count: $0.chapter.panels.count) }
        var cost: [String: Double] = [:]
        var calls = 0
        guard settings.useCache, let trace else { return (known, cost, calls) }
        let stored: [String: StoredPanel]
        do { stored = try await trace.storedPanels(chapterSlugs: chapters.map(\.chapter.slug)) } catch { throw .write("\(error)") }
        var found: [(chapter: Int, panel: Int, entry: StoredPanel)] = []
        for (chapterIndex, chapterKeys) in keys.enumerated() {
            for (panelIndex, key) in chapterKeys.enumerated() {
                if let entry = stored[key] { found.append((chapterIndex, panelIndex, entry)) }
            }
        }
        // Decoding is most of a rerun's time: spread it over the cores, results back by index.
        let slices = max(1, min(found.count / 256, ProcessInfo.processInfo.activeProcessorCount * 2))
        var decoded = [PanelOutcome?](repeating: nil, count: found.count)
        await withTaskGroup(of: (Int, [PanelOutcome?]).self) { group in
            for slice in 0..<slices {
                let range = (found.count * slice / slices)..<(found.count * (slice + 1) / slices)
                let texts = range.map { found[$0].entry.outcome }
                group.addTask { (range.lowerBound, texts.map(PanelReuse.decode)) }
            }
            for await (start, outcomes) in group {
                for (offset, outcome) in outcomes.enumerated() { decoded[start + offset] = outcome }
            }
        }
        for (item, outcome) in zip(found, decoded) {
            guard let outcome else { continue }
            known[item.chapter][item.panel] = outcome
            cost[item.entry.chainKey] = item.entry.costUSD
            calls += outcome.results.traceIDs.count
        }
        return (known, cost, calls)
    }

    /// The chain over every panel at once, with this run's settings.
    func textPhase(model: any StageModel, library: PromptLibrary? = nil) -> TextPhase {
        var phase = TextPhase(model: model, taxonomy: settings.taxonomy, rules: settings.gateRules, force: settings.force, progress: progress)
        if settings.calls.mode == .fused, let library { phase.fused = (library, settings.calls.fusedChecklist == .inside) }
        return phase
    }

    func imagePhase(_ provider: any ImageProvider, limiter: RateLimiter?) -> ImagePhase {
        var phase = ImagePhase(provider: provider, size: settings.imageSize, prices: settings.prices, forceImages: settings.forceImages,
                               onlyPanels: settings.onlyPanels)
        // One limiter for the whole run: a 429 from either kind of call slows both.
        phase.rateLimiter = limiter
        phase.concurrency = settings.concurrency
        phase.propWords = settings.propWords
        phase.candidates = settings.imageControl.candidates
        return phase
    }

    func record(_ prepared: PreparedChapter) -> ChapterRecord {
        ChapterRecord(input: prepared.input, chapter: prepared.chapter, characters: prepared.characters,
                      directory: settings.chapterDirectory(for: prepared.input, slug: prepared.chapter.slug),
                      panels: prepared.chapter.panels.map { PanelRecord(sheet: $0) },
                      markdown: prepared.input.source.bytes, written: prepared.chapter)
    }

    func loadManifest(_ chapter: ChapterRecord) throws(InputError) -> ImageManifest {
        try ImageManifest.load(path: (chapter.directory as NSString).appendingPathComponent("manifest.json"), chapterSlug: chapter.chapter.slug)
    }

    /// The document with an image line for every panel whose image is current and none for a
    /// panel that now fails (every other line stays as written), and the chapter as that
    /// document reads.
    func assemble(_ chapter: inout ChapterRecord, from prepared: PreparedChapter) {
        var links: [String: ImageLink] = [:]
        for panel in chapter.panels {
            guard let image = panel.currentImage else { continue }
            links[panel.sheet.id] = ImageLink(alt: panel.sheet.markerText, path: image.path)
        }
        let stale = Set(chapter.panels.filter(\.showsStaleImage).map(\.sheet.id))
        chapter.markdown = Splicer.splice(chapter.chapter, links: links, removing: stale)
        if chapter.markdownChanged, let again = parsePhase.reparse(chapter.markdown, like: prepared) {
            chapter.written = again
        }
    }

    /// Each chapter's numbers today, for `panelproc status`'s velocity (at most one row per day).
    private func snapshots(_ report: RunReport, trace: TraceStore, day: CalendarDay) async throws -> [ChapterSnapshot] {
        let costs = try await trace.costByChapter()
        return report.chapters.filter { !$0.panels.isEmpty }.map { chapter in
            let totals = PacingReport(chapter.written, thresholds: settings.pacing).totals
            return ChapterSnapshot(chapterSlug: chapter.chapter.slug, day: day, pages: totals.pages, panels: totals.panels,
                                   words: totals.words, passed: chapter.panels.filter { $0.status == .passed }.count,
                                   costUSD: costs[chapter.chapter.slug] ?? 0)
        }
    }

    /// Each panel's latest state, and the run's counts, in the trace.
    private func record(_ report: RunReport, in trace: TraceStore, runID: Int64) async throws(RunFailure) {
        do {
            for chapter in report.chapters {
                let recorded = try await trace.stateSignatures(chapterSlug: chapter.chapter.slug)
                for panel in chapter.panels {
                    guard let outcome = panel.shownOutcome else { continue }
                    // An unchanged panel's state is already there (renderer warnings aside, which
                    // are not part of the signature).
                    if (panel.image?.warnings.isEmpty ?? true), let signature = recorded[panel.sheet.id],
                        signature == TraceStore.stateSignature(chainKey: panel.chainKey, status: outcome.status.rawValue, reasons: outcome.reasons)
                    {
                        continue
                    }
                    var state = PanelState(
                        chapterSlug: chapter.chapter.slug, panelID: panel.sheet.id, contentHash: panel.sheet.contentHash,
                        status: outcome.status.rawValue, reasons: outcome.reasons,
                        resultsJSON: ChapterExport.stages(outcome).compact(), runID: runID, updatedAt: Date())
                    state.chainKey = panel.chainKey
                    try await trace.setPanelState(state)
                }
            }
            let counts = report.counts
            try await trace.finishRun(runID, outcome: RunOutcome(
                status: report.stopped == nil ? "finished" : "stopped", passed: counts[.passed] ?? 0,
                failed: counts[.failed] ?? 0, forced: counts[.forced] ?? 0, skipped: counts[.skipped] ?? 0,
                callsMade: report.callsMade, callsCached: report.callsCached, costUSD: report.costUSD))
            try await trace.recordSnapshots(try await snapshots(report, trace: trace, day: CalendarDay(Date())))
            try await trace.flush()
        } catch {
            throw .write("\(error)")
        }
    }
}
