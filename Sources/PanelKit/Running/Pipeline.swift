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
    }

    public var parsePhase: ParsePhase { ParsePhase(settings: settings) }

    /// Runs every panel of every chapter through the phases and writes the outputs.
    public func run(_ chapters: [PreparedChapter]) async throws(RunFailure) -> RunReport {
        var report = RunReport()
        var records = chapters.map(record)
        let ledger = CostLedger(capUSD: settings.maxCostUSD)
        let limiter = rateLimiter ?? RateLimiter(rpm: settings.rpm)
        var trace: TraceStore?

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
            let counters = RunCounters()
            var caller = ModelCaller(provider: textProvider, library: library, trace: trace, runID: report.runID ?? 0,
                                     useCache: settings.useCache, concurrency: settings.concurrency, counters: counters)
            caller.prices = settings.prices
            caller.ledger = ledger
            caller.rateLimiter = limiter
            let outcomes = await textPhase(model: caller).run(chapters)
            let costByPanel = await counters.costByPanel
            for (chapterIndex, chapterOutcomes) in outcomes.enumerated() {
                for (panelIndex, outcome) in chapterOutcomes.enumerated() {
                    records[chapterIndex].panels[panelIndex].text = outcome
                    records[chapterIndex].panels[panelIndex].textCostUSD = costByPanel[records[chapterIndex].panels[panelIndex].sheet.id] ?? 0
                }
            }
            report.callsMade = await counters.callsMade
            report.callsCached = await counters.callsCached
            report.stopped = outcomes.joined().compactMap { $0?.stopsRun }.first.map(RunStop.text)
        }

        if let imageProvider, report.stopped == nil {
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
        }
        report.costUSD = await ledger.spentUSD
        report.costCapReached = await ledger.capReached

        for index in records.indices { assemble(&records[index], from: chapters[index]) }
        report.chapters = records
        for output in outputs {
            let written = try output.write(report, settings: settings)
            for file in written {
                if let chapter = file.chapter { report.chapters[chapter].files.append(file.path) }
                report.proposedRoles += file.added
            }
        }
        if let trace, let runID = report.runID { try await record(report, in: trace, runID: runID) }
        return report
    }

    /// The chain over every panel at once, with this run's settings.
    func textPhase(model: any StageModel) -> TextPhase {
        TextPhase(model: model, taxonomy: settings.taxonomy, rules: settings.gateRules, force: settings.force, progress: progress)
    }

    func imagePhase(_ provider: any ImageProvider, limiter: RateLimiter?) -> ImagePhase {
        var phase = ImagePhase(provider: provider, size: settings.imageSize, prices: settings.prices, forceImages: settings.forceImages,
                               onlyPanels: settings.onlyPanels)
        // One limiter for the whole run: a 429 from either kind of call slows both.
        phase.rateLimiter = limiter
        phase.concurrency = settings.concurrency
        phase.propWords = settings.propWords
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

    /// The document with an image line for every panel whose image is current (every other line
    /// stays as written), and the chapter as that document reads.
    func assemble(_ chapter: inout ChapterRecord, from prepared: PreparedChapter) {
        var links: [String: ImageLink] = [:]
        for panel in chapter.panels {
            guard let image = panel.currentImage else { continue }
            links[panel.sheet.id] = ImageLink(alt: panel.sheet.markerText, path: image.path)
        }
        chapter.markdown = Splicer.splice(chapter.chapter, links: links)
        if chapter.markdownChanged, let again = parsePhase.reparse(chapter.markdown, like: prepared) {
            chapter.written = again
        }
    }

    /// Each panel's latest state, and the run's counts, in the trace.
    private func record(_ report: RunReport, in trace: TraceStore, runID: Int64) async throws(RunFailure) {
        do {
            for chapter in report.chapters {
                for panel in chapter.panels {
                    guard let outcome = panel.shownOutcome else { continue }
                    try await trace.setPanelState(PanelState(
                        chapterSlug: chapter.chapter.slug, panelID: panel.sheet.id, contentHash: panel.sheet.contentHash,
                        status: outcome.status.rawValue, reasons: outcome.reasons,
                        resultsJSON: ChapterExport.stages(outcome).compact(), runID: runID, updatedAt: Date()))
                }
            }
            let counts = report.counts
            try await trace.finishRun(runID, outcome: RunOutcome(
                status: report.stopped == nil ? "finished" : "stopped", passed: counts[.passed] ?? 0,
                failed: counts[.failed] ?? 0, forced: counts[.forced] ?? 0, skipped: counts[.skipped] ?? 0,
                callsMade: report.callsMade, callsCached: report.callsCached, costUSD: report.costUSD))
            try await trace.flush()
        } catch {
            throw .write("\(error)")
        }
    }
}
