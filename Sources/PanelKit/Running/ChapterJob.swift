import Foundation

/// What one chapter run produced: the Markdown to write back and the files written beside it.
public struct ChapterResult: Sendable {
    public var input: InputDocument
    public var chapter: Chapter
    /// Each panel's outcome, by panel index (nil when the chain did not run for it).
    public var outcomes: [PanelOutcome?]
    /// The document with its image lines spliced in (the input bytes when nothing changed).
    public var markdown: [UInt8]
    /// Files written, for the summary.
    public var written: [String]
    public var diagnostics: [Diagnostic]

    public var markdownChanged: Bool { markdown != input.source.bytes }
}

/// A parsed chapter with the character database its panels resolve against.
public struct PreparedChapter: Sendable {
    public var input: InputDocument
    public var chapter: Chapter
    public var characters: CharacterDatabase?
    public var charactersSearched: [String]
}

/// What a whole run did, for the summary and the exit status.
public struct RunReport: Sendable {
    public var chapters: [ChapterResult]
    public var counts: [PanelStatus: Int]
    public var callsMade: Int
    public var callsCached: Int
    public var runID: Int64?
    public var tracePath: String?
    /// Set when a failure no panel could avoid stopped the run (exit 3).
    public var stopped: StageFailure?
    /// Roles written to `proposed.json` under the `propose` policy.
    public var proposedRoles: [String]
    public var imagesMade = 0
    public var imagesCurrent = 0
    public var imagesFailed = 0
    public var imagesSkippedForCost = 0
    public var costUSD = 0.0
    /// True when the cost cap stopped new work.
    public var costCapReached = false
}

/// A failure that stops a run after it started: an output or the trace could not be written (3),
/// or configuration such as a prompt template is broken (2).
public enum RunFailure: Error, Sendable, CustomStringConvertible {
    case input(InputError)
    case write(String)

    public var description: String {
        switch self {
        case .input(let error): return error.description
        case .write(let message): return message
        }
    }
}

/// Runs chapters from parsed input to outputs. The core below it takes and returns values; this
/// is the edge that touches the file system.
public struct ChapterJob: Sendable {
    public struct Options: Sendable {
        /// Write `generated/<slug>/chapter.json`.
        public var writeJSON = false
        /// `--max-bubbles`: wins over front matter and configuration.
        public var maxBubblesOverride: Int?
        /// `--force`: panels that fail the gate continue, marked `forced`.
        public var force = false
        /// The run's shared limiter, instead of one made from `rpm` (tests, benchmarks).
        public var rateLimiter: RateLimiter?
        /// `--no-cache`: ask the provider even when the trace holds the answer.
        public var useCache = true
        public var concurrency: Int?
        public var rpm: Int?
        public var tracePath: String?
        public var unknownRoles: GateRules.UnknownRolePolicy?
        /// How the run is recorded in the trace.
        public var command = "panelproc"
        /// `--force-images`: make every image again.
        public var forceImages = false
        /// `--panel`: only these panels get new images (full ids or `p01-03`).
        public var onlyPanels: Set<String> = []
        /// `--max-cost-usd`: no new work once the cap would be passed.
        public var maxCostUSD: Double?
        public init() {}
    }

    public var configuration: Configuration
    public var options: Options

    public init(configuration: Configuration, options: Options) {
        self.configuration = configuration
        self.options = options
    }

    public var parser: ChapterParser {
        var parserOptions = ChapterParser.Options()
        parserOptions.defaultMaxBubbles = configuration.maxBubbles ?? 3
        parserOptions.maxBubblesOverride = options.maxBubblesOverride
        return ChapterParser(options: parserOptions)
    }

    public var rules: GateRules {
        GateRules(maxWordsPerBubble: configuration.maxWordsPerBubble, commonExampleOverlap: configuration.commonExampleOverlap,
                  unknownRoles: options.unknownRoles ?? configuration.unknownRoles)
    }

    /// Parses without writing anything: input errors surface before any output exists.
    public func parse(_ input: InputDocument) throws(InputError) -> Chapter {
        try parser.parse(input.source, file: input.displayName, fileName: input.fileName)
    }

    /// Parses and loads the character database (only for chapters with panels: a document
    /// without panels is never affected by a missing or broken database).
    public func prepare(_ input: InputDocument, databases: inout [String: CharacterDatabase]) throws(InputError) -> PreparedChapter {
        let chapter = try parse(input)
        guard !chapter.panels.isEmpty else {
            return PreparedChapter(input: input, chapter: chapter, characters: nil, charactersSearched: [])
        }
        let located = CharacterDatabaseLocator.locate(chapterFolder: input.folder, frontMatterPath: chapter.frontMatter?.characters,
                                                      configuredPath: configuration.characters)
        guard let path = located.path else {
            return PreparedChapter(input: input, chapter: chapter, characters: nil, charactersSearched: located.searched)
        }
        if databases[path] == nil { databases[path] = try CharacterDatabase.load(path: path) }
        var withDigest = chapter
        withDigest.settings.charactersDigest = databases[path]?.digest
        withDigest = reHashed(withDigest)
        return PreparedChapter(input: input, chapter: withDigest, characters: databases[path], charactersSearched: located.searched)
    }

    /// Panel hashes cover the character database too: editing a character changes its panels.
    private func reHashed(_ chapter: Chapter) -> Chapter {
        var chapter = chapter
        for index in chapter.panels.indices {
            chapter.panels[index].contentHash = SHA256.hex(chapter.panels[index].contentHash + "\n" + (chapter.settings.charactersDigest ?? ""))
        }
        return chapter
    }

    /// The prompt templates, checked before anything is written: every model stage needs one.
    public func loadPrompts() throws(InputError) -> PromptLibrary {
        let library: PromptLibrary
        do {
            library = try PromptLibrary.load(folder: configuration.promptsDirectory)
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(file: configuration.promptsDirectory ?? "Prompts", message: "\(error)")
        }
        let needed = ["theme", "roles", "rewrite", "image_prompt", "bubbles", "checklist"]
        let missing = needed.filter { library.templates[$0] == nil }
        if !missing.isEmpty {
            throw InputError(file: configuration.promptsDirectory ?? "Prompts",
                             message: "no prompt template for \(missing.joined(separator: ", "))",
                             hint: "copy the missing <stage>.yml files from panelproc's Prompts/ folder")
        }
        return library
    }

    /// Two inputs whose outputs would land in the same folder (same chapter slug): the later one
    /// would silently replace the earlier one's chapter.json, manifest and images.
    public func outputCollision(_ chapters: [PreparedChapter]) -> InputError? {
        var seen: [String: PreparedChapter] = [:]
        for prepared in chapters where !prepared.chapter.panels.isEmpty {
            let directory = chapterDirectory(for: prepared.input, chapter: prepared.chapter)
            if let earlier = seen[directory] {
                return InputError(file: prepared.input.displayName,
                                  message: "this chapter and \(earlier.input.displayName) both have the slug \(prepared.chapter.slug), so both would write \(directory)",
                                  hint: "give one a different `chapter` or `title` in its front matter, or run them separately")
            }
            seen[directory] = prepared
        }
        return nil
    }

    /// `<output root>/<chapter-slug>`: `generated/` beside the Markdown file unless configured.
    public func chapterDirectory(for input: InputDocument, chapter: Chapter) -> String {
        let root = configuration.outputDirectory ?? (input.folder as NSString).appendingPathComponent("generated")
        return (root as NSString).appendingPathComponent(chapter.slug)
    }

    /// Where the trace goes: the flag, the configuration, or `.panelproc/trace.sqlite` beside the
    /// first chapter that has panels.
    public func tracePath(for chapters: [PreparedChapter]) -> String {
        if let path = options.tracePath ?? configuration.trace { return path }
        let folder = (chapters.first { !$0.chapter.panels.isEmpty } ?? chapters.first)?.input.folder
            ?? FileManager.default.currentDirectoryPath
        return (folder as NSString).appendingPathComponent(".panelproc/trace.sqlite")
    }

    /// Runs every panel of every chapter through the stage chain, then writes the exports.
    public func run(_ chapters: [PreparedChapter], provider: any TextProvider = OfflineTextProvider(),
                    imageProvider: (any ImageProvider)? = nil, imageSize: ImageSize = ImageSize(width: 768, height: 512),
                    prices: Prices = Prices(), progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(RunFailure) -> RunReport
    {
        var outcomes: [[PanelOutcome?]] = chapters.map { Array(repeating: nil, count: $0.chapter.panels.count) }
        var report = RunReport(chapters: [], counts: [:], callsMade: 0, callsCached: 0, runID: nil, tracePath: nil,
                               stopped: nil, proposedRoles: [])
        let ledger = CostLedger(capUSD: options.maxCostUSD)
        var trace: TraceStore?
        var textCostByPanel: [String: Double] = [:]
        var sharedLimiter: RateLimiter?
        let hasPanels = chapters.contains { !$0.chapter.panels.isEmpty }
        if hasPanels {
            let library: PromptLibrary
            do { library = try loadPrompts() } catch { throw .input(error) }
            let path = tracePath(for: chapters)
            let runID: Int64
            do {
                let store = try TraceStore(path: path)
                runID = try await store.beginRun(command: options.command, inputs: chapters.map(\.input.displayName))
                trace = store
            } catch {
                throw .write("\(error)")
            }
            report.runID = runID
            report.tracePath = path
            let counters = RunCounters()
            var caller = ModelCaller(provider: provider, library: library, trace: trace, runID: runID, useCache: options.useCache,
                                     concurrency: options.concurrency ?? configuration.concurrency,
                                     rpm: options.rpm ?? configuration.rpm, counters: counters)
            caller.prices = prices
            caller.ledger = ledger
            if let limiter = options.rateLimiter { caller.rateLimiter = limiter }
            sharedLimiter = caller.rateLimiter
            let runner = PipelineRunner(model: caller, taxonomy: configuration.taxonomy, rules: rules, force: options.force,
                                        progress: progress)
            outcomes = await runner.run(chapters.map {
                ChapterWork(chapter: $0.chapter, characters: $0.characters, charactersSearched: $0.charactersSearched)
            })
            report.callsMade = await counters.callsMade
            report.callsCached = await counters.callsCached
            report.stopped = outcomes.joined().compactMap { $0?.stopsRun }.first
            textCostByPanel = await counters.costByPanel
        }

        var imagesByChapter: [[ImageManifest.Entry?]] = chapters.map { Array(repeating: nil, count: $0.chapter.panels.count) }
        var writtenByChapter: [[String]] = chapters.map { _ in [] }
        if let imageProvider, report.stopped == nil {
            var step = ImageStep(provider: imageProvider, size: imageSize, prices: prices, forceImages: options.forceImages,
                                 onlyPanels: options.onlyPanels)
            // One limiter for the whole run: a 429 from either kind of call slows both.
            step.rateLimiter = sharedLimiter ?? RateLimiter(rpm: options.rpm ?? configuration.rpm)
            for (index, prepared) in chapters.enumerated() where !prepared.chapter.panels.isEmpty {
                let directory = chapterDirectory(for: prepared.input, chapter: prepared.chapter)
                let manifestPath = (directory as NSString).appendingPathComponent("manifest.json")
                var manifest: ImageManifest
                do { manifest = try ImageManifest.load(path: manifestPath, chapterSlug: prepared.chapter.slug) } catch { throw .input(error) }
                let before = manifest
                let plan = step.plan(chapter: prepared.chapter, outcomes: outcomes[index], characters: prepared.characters,
                                     manifest: manifest, chapterDirectory: directory, markdownFolder: prepared.input.folder)
                let made = await step.generate(plan, concurrency: options.concurrency ?? configuration.concurrency, ledger: ledger,
                                               trace: trace, runID: report.runID ?? 0, chapterSlug: prepared.chapter.slug)
                var generated: [String] = []
                for result in made {
                    let item = result.item
                    let panel = prepared.chapter.panels[item.panelIndex]
                    switch item.state {
                    case .cached:
                        imagesByChapter[index][item.panelIndex] = manifest.entry(panel.id)
                        addWarnings(manifest.entry(panel.id)?.warnings ?? [], to: &outcomes[index][item.panelIndex])
                        report.imagesCurrent += 1
                    case .new, .stale:
                        if let image = result.image {
                            let entry = ImageManifest.Entry(
                                panelID: panel.id, status: "generated", contentHash: panel.contentHash, promptHash: item.promptHash,
                                provider: imageProvider.name, model: image.metadata.model, size: imageSize.description,
                                path: item.relativePath, generatedAt: result.generatedAt, metadata: image.metadata,
                                costUSD: result.costUSD, reason: nil, warnings: image.warnings)
                            manifest.upsert(entry)
                            imagesByChapter[index][item.panelIndex] = entry
                            generated.append(panel.id)
                            report.imagesMade += 1
                            addWarnings(image.warnings, to: &outcomes[index][item.panelIndex])
                        } else if let error = result.error {
                            // A refusal fails this panel with the provider's reason; the others go on.
                            outcomes[index][item.panelIndex]?.status = .failed
                            outcomes[index][item.panelIndex]?.reasons.append("image: \(error.message)")
                            report.imagesFailed += 1
                            if error.kind == .unauthorized { report.stopped = StageFailure(stage: .checklist, message: error.message, stopsRun: true) }
                        } else if result.skippedForCost {
                            report.imagesSkippedForCost += 1
                        }
                    case .failed, .skipped:
                        break
                    }
                }
                if !generated.isEmpty {
                    manifest.runs.append(ImageManifest.Provenance(
                        runID: report.runID, at: ImageStep.timestamp(), provider: imageProvider.name, model: imageProvider.model,
                        generated: generated, costUSD: made.reduce(0) { $0 + $1.costUSD }))
                }
                if manifest != before {
                    do { try FileIO.writeAtomically(Array(manifest.json.serialized().utf8), to: manifestPath) } catch {
                        throw .write(error.description)
                    }
                    writtenByChapter[index].append(manifestPath)
                }
            }
        }
        report.costUSD = await ledger.spentUSD
        report.costCapReached = await ledger.capReached

        for (index, prepared) in chapters.enumerated() {
            for outcome in outcomes[index] { report.counts[outcome?.status ?? .skipped, default: 0] += 1 }
            // An image line for every panel whose image is current; every other line stays as written.
            var links: [String: ImageLink] = [:]
            for (panelIndex, entry) in imagesByChapter[index].enumerated() {
                guard let entry else { continue }
                let panel = prepared.chapter.panels[panelIndex]
                links[panel.id] = ImageLink(alt: panel.markerText, path: entry.path)
            }
            let markdown = Splicer.splice(prepared.chapter, links: links)
            // The export describes the document as written back, so its line numbers stay true and
            // a rerun writes the same bytes.
            var exported = prepared.chapter
            if markdown != prepared.input.source.bytes, var again = try? parser.parse(SourceText(bytes: markdown), file: prepared.input.displayName,
                                                                                       fileName: prepared.input.fileName),
                again.panels.map(\.id) == prepared.chapter.panels.map(\.id)
            {
                again.settings.charactersDigest = prepared.chapter.settings.charactersDigest
                exported = again.settings.charactersDigest == nil ? again : reHashed(again)
            }
            var written = writtenByChapter[index]
            if options.writeJSON {
                let path = (chapterDirectory(for: prepared.input, chapter: prepared.chapter) as NSString).appendingPathComponent("chapter.json")
                let costs = prepared.chapter.panels.enumerated().map { panelIndex, panel in
                    (textCostByPanel[panel.id] ?? 0) + (imagesByChapter[index][panelIndex]?.costUSD ?? 0)
                }
                let json = ChapterExport.json(for: exported, sourcePath: prepared.input.fileName, outcomes: outcomes[index],
                                              images: imagesByChapter[index], costs: costs)
                do { try FileIO.writeAtomically(Array(json.serialized().utf8), to: path) } catch { throw .write(error.description) }
                written.append(path)
            }
            report.chapters.append(ChapterResult(input: prepared.input, chapter: exported, outcomes: outcomes[index],
                                                 markdown: markdown, written: written, diagnostics: prepared.chapter.diagnostics))
        }

        if rules.unknownRoles == .propose {
            report.proposedRoles = try proposeUnknownRoles(chapters, outcomes)
        }
        if let trace, let runID = report.runID {
            do {
                for (index, prepared) in chapters.enumerated() {
                    for (panelIndex, panel) in prepared.chapter.panels.enumerated() {
                        guard let outcome = outcomes[index][panelIndex] else { continue }
                        try await trace.setPanelState(PanelState(
                            chapterSlug: prepared.chapter.slug, panelID: panel.id, contentHash: panel.contentHash,
                            status: outcome.status.rawValue, reasons: outcome.reasons,
                            resultsJSON: ChapterExport.stages(outcome).compact(), runID: runID, updatedAt: Date()))
                    }
                }
                try await trace.finishRun(runID, outcome: RunOutcome(
                    status: report.stopped == nil ? "finished" : "stopped", passed: report.counts[.passed] ?? 0,
                    failed: report.counts[.failed] ?? 0, forced: report.counts[.forced] ?? 0, skipped: report.counts[.skipped] ?? 0,
                    callsMade: report.callsMade, callsCached: report.callsCached, costUSD: report.costUSD))
                try await trace.flush()
            } catch {
                throw .write("\(error)")
            }
        }
        return report
    }

    /// Warnings from the renderer (text overflowing a bubble) join the checklist, not as blockers.
    private func addWarnings(_ warnings: [String], to outcome: inout PanelOutcome?) {
        for warning in warnings {
            outcome?.results.checklist?.items.append(
                ChecklistItem(id: "image_text_fits", passed: false, blocker: false, note: warning, source: .rule))
        }
    }

    /// The `propose` policy: unknown roles go to `proposed.json` beside the database for review.
    private func proposeUnknownRoles(_ chapters: [PreparedChapter], _ outcomes: [[PanelOutcome?]]) throws(RunFailure) -> [String] {
        var byDatabase: [String: [(role: String, panelID: String)]] = [:]
        for (index, prepared) in chapters.enumerated() {
            guard let database = prepared.characters else { continue }
            for (panelIndex, panel) in prepared.chapter.panels.enumerated() {
                for resolution in outcomes[index][panelIndex]?.results.roleValidation?.unresolved ?? [] {
                    if case .unknown = resolution.outcome { byDatabase[database.path, default: []].append((resolution.role, panel.id)) }
                }
            }
        }
        var added: [String] = []
        for (databasePath, roles) in byDatabase.sorted(by: { $0.key < $1.key }) {
            let path = ((databasePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("proposed.json")
            do { added += try ProposedCharacters.merge(unknownRoles: roles, into: path) } catch { throw .write(error.description) }
        }
        return added
    }
}
