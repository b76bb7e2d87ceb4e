import Foundation

/// What will happen to one panel's image, and why.
struct ImagePlanItem: Sendable {
    enum State: String, Sendable {
        /// No image yet.
        case new
        /// An image exists but its panel, its prompt or its file changed (or `--force-images`).
        case stale
        /// The image on disk is current: nothing to do.
        case cached
        /// The panel failed the gate (or a stage): no image.
        case failed
        /// Left out by `--panel`, or not made because of the cost cap.
        case skipped
        /// The writer's own image (`panelproc pin`): never regenerated.
        case pinned
    }

    var panelIndex: Int
    var panelID: String
    var state: State
    var reason: String
    var request: ImageRequest?
    var promptHash: String
    /// Relative to the Markdown file's folder (what the H4 line holds).
    var relativePath: String
    var absolutePath: String
    /// The panel's setting named no known location (a non-blocking checklist item).
    var locationWarning: String?
    /// A pinned panel whose text changed since the pin, or a pick the regeneration will clear.
    var controlNote: String?

    var needsGeneration: Bool { state == .new || state == .stale }
}

/// What the image phase did for one panel. The gate's verdict is not touched: a refusal is shown
/// beside it (`PanelRecord.status`).
public struct ImageOutcome: Sendable {
    enum Result: Sendable {
        /// The image on disk is current.
        case current
        /// Made this run.
        case made
        /// The provider refused (content policy, a rejected key).
        case refused(ProviderError)
        /// Not made: the cost cap would have been passed.
        case leftForCostCap
        /// Nothing to make: the panel did not pass the gate, or `--panel` left it out.
        case notPlanned
    }

    var plan: ImagePlanItem
    var result: Result
    /// The image the panel has now, if any.
    var entry: ImageManifest.Entry?

    /// The renderer's warnings (text that does not fit its balloon).
    var warnings: [String] { entry?.warnings ?? [] }
    /// What the summary says about picks and pins (a pick cleared, a pin whose text changed).
    var notes: [String] = []
}

/// The image phase: plans and makes one image per panel that passed the gate; writes each image
/// atomically before anything points at it, and returns the manifest as it should be saved.
struct ImagePhase: Sendable {
    var provider: any ImageProvider
    var size: ImageSize
    var prices: Prices
    var forceImages: Bool
    /// `--panel`: only these panels (full ids or `p01-03`); empty means all.
    var onlyPanels: Set<String>
    /// The run's shared limiter: image calls take a slot too, and a 429 they see slows every call.
    var rateLimiter: RateLimiter?
    /// Images made at once.
    var concurrency = 8
    /// The chapter palette the sketches are tinted with (set per chapter by `run`).
    var palette: [String] = []
    /// Nouns drawn as props when the scene names them (`props` in panelproc.yml).
    var propWords: [String] = SceneReading.defaultPropWords
    /// Images per panel (`image_candidates`, `--candidates`).
    var candidates = 1
    /// The chapter's `visual_thesis` (set per chapter by `configured(for:)`).
    var visualThesis: String?

    /// This phase with the chapter's palette and visual thesis: the run and the dry run both plan
    /// with it, so they agree on every prompt hash.
    func configured(for chapter: Chapter) -> ImagePhase {
        var phase = self
        phase.palette = chapter.settings.palette
        phase.visualThesis = chapter.settings.visualThesis?.trimmingWhitespace().nonEmpty
        return phase
    }

    init(provider: any ImageProvider, size: ImageSize, prices: Prices = Prices(), forceImages: Bool = false,
                onlyPanels: Set<String> = [])
    {
        self.provider = provider
        self.size = size
        self.prices = prices
        self.forceImages = forceImages
        self.onlyPanels = onlyPanels
    }

    func selected(_ panel: ComicPanelImageSheet) -> Bool {
        onlyPanels.isEmpty || onlyPanels.contains(panel.id) || onlyPanels.contains(panel.localID)
    }

    /// The image request for a panel: its prompts, and reference pictures where the provider takes them.
    func request(for panel: ComicPanelImageSheet, results: StageResults, characters: CharacterDatabase?, forced: Bool = false)
        -> ImageRequest?
    {
        guard let prompt = results.imagePrompt else { return nil }
        var references: [ReferenceImageFile] = []
        var names: [String] = []
        var appearances: [String: String] = [:], kinds: [String: String] = [:]
        for id in results.roleValidation?.resolvedIDs ?? [] {
            guard let character = characters?.character(id: id), !names.contains(character.name) else { continue }
            names.append(character.name)
            appearances[character.name] = character.appearance
            if let kind = character.kind { kinds[character.name] = kind }
            guard provider.acceptsReferenceImages, let database = characters else { continue }
            for reference in database.references(for: character) where FileManager.default.fileExists(atPath: reference.absolutePath) {
                references.append(ReferenceImageFile(characterID: id, path: reference.absolutePath,
                                                     mimeType: Self.mimeType(forPath: reference.absolutePath)))
            }
        }
        var layout = PanelLayout(panelID: panel.id, title: panel.title, shot: panel.shotType, characters: names,
                                 bubbles: results.bubbles?.bubbles ?? [])
        layout.forced = forced
        layout.appearances = appearances
        layout.kinds = kinds
        layout.palette = palette
        layout.setting = SceneReading.setting(of: panel)
        layout.props = SceneReading.props(of: panel, words: propWords)
        var text = prompt.prompt
        if let line = ImageControlPrompt.alwaysInclude(visualThesis: visualThesis, palette: palette) { text = line + "\n" + text }
        if case .resolved(let location)? = characters?.location(for: panel) {
            text += "\n" + ImageControlPrompt.locationLine(location)
            if provider.acceptsReferenceImages {
                for reference in location.approvedReferences.prefix(max(0, 4 - references.count))
                where FileManager.default.fileExists(atPath: reference.absolutePath) {
                    references.append(ReferenceImageFile(characterID: location.id, path: reference.absolutePath,
                                                         mimeType: Self.mimeType(forPath: reference.absolutePath)))
                }
            }
        }
        var request = ImageRequest(prompt: text, negativePrompt: prompt.negativePrompt, size: size, references: references,
                                   layout: layout)
        request.count = max(candidates, 1)
        return request
    }

    /// Everything that decides the picture; a change makes the image stale.
    func promptHash(_ request: ImageRequest) -> String {
        var text = "\(provider.name)\n\(provider.model)\n\(request.size)\n\(request.prompt)\n\(request.negativePrompt)\n"
        for reference in request.references {
            let digest = (try? FileIO.readSource(path: reference.path)).map { SHA256.hex($0.bytes) } ?? "missing"
            text += "ref \(reference.characterID) \(digest)\n"
        }
        let layout = request.layout
        text += "layout \(layout.title ?? "")|\(layout.shot?.rawValue ?? "")|\(layout.characters.joined(separator: ","))\n"
        text += layout.lookDescription + "\n"
        if layout.forced { text += "forced\n" }
        if request.count > 1 { text += "candidates \(request.count)\n" }
        for bubble in layout.bubbles { text += "bubble \(bubble.kind.rawValue)|\(bubble.speaker ?? "")|\(bubble.text)\n" }
        return SHA256.hex(text)
    }

    static func mimeType(forPath path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg": return "image/jpeg"
        case "webp": return "image/webp"
        default: return "image/png"
        }
    }

    static func fileExtension(forMimeType mimeType: String) -> String {
        switch mimeType {
        case "image/jpeg": return "jpg"
        case "image/webp": return "webp"
        default: return "png"
        }
    }

    /// What to do for each panel of a chapter.
    func plan(chapter: Chapter, outcomes: [PanelOutcome?], characters: CharacterDatabase?, manifest: ImageManifest,
                     chapterDirectory: String, markdownFolder: String) -> [ImagePlanItem]
    {
        chapter.panels.indices.map { index in
            let panel = chapter.panels[index]
            let absolute = ((chapterDirectory as NSString).appendingPathComponent("images") as NSString)
                .appendingPathComponent(panel.localID + ".png")
            var item = ImagePlanItem(panelIndex: index, panelID: panel.id, state: .new, reason: "no image yet", request: nil,
                                     promptHash: "", relativePath: Self.relativePath(absolute, from: markdownFolder),
                                     absolutePath: absolute)
            let existing = manifest.entry(panel.id)
            if case .unknown(let setting, let nearest)? = characters?.location(for: panel) {
                item.locationWarning = "the setting \"\(setting)\" is not a known location"
                    + (nearest.isEmpty ? "" : " (nearest: \(nearest.joined(separator: ", ")))")
                    + "; add it to `locations` in the character database if it is a place that recurs"
            }
            if let existing, existing.status == "generated" || existing.isPinned {
                item.absolutePath = ((markdownFolder as NSString).appendingPathComponent(existing.path) as NSString).standardizingPath
                item.relativePath = existing.path
            }
            guard let outcome = outcomes[index], outcome.status == .passed || outcome.status == .forced,
                let request = request(for: panel, results: outcome.results, characters: characters, forced: outcome.status == .forced)
            else {
                item.state = .failed
                item.reason = outcomes[index]?.reasons.first ?? "the panel did not pass the gate"
                return item
            }
            item.request = request
            item.promptHash = promptHash(request)
            if let existing, existing.isPinned {
                // Never regenerated: not by --force-images, not when the text changes.
                item.state = .pinned
                item.reason = existing.contentHash == panel.contentHash ? "pinned" : "pinned, text changed since pin"
                if existing.contentHash != panel.contentHash { item.controlNote = "\(panel.localID): pinned, text changed since pin" }
                return item
            }
            let current = existing.map {
                $0.status == "generated" && $0.contentHash == panel.contentHash && $0.promptHash == item.promptHash
                    && FileManager.default.fileExists(atPath: item.absolutePath)
            } ?? false
            if !selected(panel) {
                item.state = current ? .cached : .skipped
                item.reason = current ? "image is current" : "not among --panel"
            } else if current && !forceImages {
                item.state = .cached
                item.reason = "image is current"
            } else if let existing, existing.status == "generated" {
                item.state = .stale
                if forceImages { item.reason = "--force-images" }
                else if existing.contentHash != panel.contentHash { item.reason = "the panel changed" }
                else if existing.promptHash != item.promptHash { item.reason = "the image prompt changed" }
                else { item.reason = "the image file is missing" }
                if let picked = existing.picked {
                    item.controlNote = "\(panel.localID): pick of candidate \(picked) cleared (\(item.reason); new candidates made)"
                }
            } else if let existing, existing.status != "generated" {
                item.reason = "the last attempt \(existing.status): \(existing.reason ?? "")"
            }
            return item
        }
    }

    /// Plans and makes a chapter's images: each panel's outcome, and the manifest with every image
    /// made this run recorded (and one provenance entry when any was made). The manifest never
    /// disagrees with the document: a panel that now fails has its image marked `stale`, a panel
    /// deleted from the Markdown loses its entry (`ManifestOutput` moves its file to `orphans/`),
    /// and the manifest names the Markdown file that owns the folder (`source`).
    func run(_ chapter: ChapterRecord, manifest: ImageManifest, ledger: CostLedger, trace: (any CallTrace)?, runID: Int64?)
        async -> (outcomes: [ImageOutcome], manifest: ImageManifest)
    {
        var manifest = manifest
        if let path = chapter.input.path {
            let absolute = FileIO.absolute(path, from: FileManager.default.currentDirectoryPath)
            manifest.source = Self.relativePath(absolute, from: chapter.directory)
        }
        let phase = configured(for: chapter.chapter)
        let plan = phase.plan(chapter: chapter.chapter, outcomes: chapter.panels.map(\.text), characters: chapter.characters,
                        manifest: manifest, chapterDirectory: chapter.directory, markdownFolder: chapter.input.folder)
        let made = await phase.generate(plan, ledger: ledger, trace: trace, runID: runID ?? 0, chapterSlug: chapter.chapter.slug)
        var generated: [String] = []
        let outcomes = made.map { made -> ImageOutcome in
            let item = made.item
            let panel = chapter.chapter.panels[item.panelIndex]
            switch item.state {
            case .cached:
                return ImageOutcome(plan: item, result: .current, entry: manifest.entry(panel.id))
            case .pinned:
                return ImageOutcome(plan: item, result: .current, entry: manifest.entry(panel.id), notes: [item.controlNote].compactMap { $0 })
            case .new, .stale:
                if let image = made.image {
                    var entry = ImageManifest.Entry(
                        panelID: panel.id, status: "generated", contentHash: panel.contentHash, promptHash: item.promptHash,
                        provider: provider.name, model: image.metadata.model, size: size.description,
                        path: item.relativePath, generatedAt: made.generatedAt, metadata: image.metadata,
                        costUSD: made.costUSD, reason: nil, warnings: image.warnings)
                    entry.forced = item.request?.layout.forced ?? false
                    entry.candidates = made.candidates
                    manifest.upsert(entry)
                    generated.append(panel.id)
                    return ImageOutcome(plan: item, result: .made, entry: entry, notes: [item.controlNote].compactMap { $0 })
                }
                if let error = made.error {
                    manifest.markStale(panel.id, reason: "the image was refused: \(error.message)")
                    return ImageOutcome(plan: item, result: .refused(error), entry: nil)
                }
                return ImageOutcome(plan: item, result: made.skippedForCost ? .leftForCostCap : .notPlanned, entry: nil)
            case .failed:
                // Only a verdict: a panel the cost cap left unreached keeps its image.
                if chapter.panels[item.panelIndex].text?.status == .failed {
                    manifest.markStale(panel.id, reason: "the panel failed: \(item.reason)")
                }
                return ImageOutcome(plan: item, result: .notPlanned, entry: nil)
            case .skipped:
                return ImageOutcome(plan: item, result: .notPlanned, entry: nil)
            }
        }
        let panelIDs = Set(chapter.chapter.panels.map(\.id))
        manifest.entries.removeAll { !panelIDs.contains($0.panelID) }
        if !generated.isEmpty {
            manifest.runs.append(ImageManifest.Provenance(
                runID: runID, at: Self.timestamp(), provider: provider.name, model: provider.model,
                generated: generated, costUSD: made.reduce(0) { $0 + $1.costUSD }))
        }
        return (outcomes, manifest)
    }

    static func relativePath(_ path: String, from folder: String) -> String {
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? FileIO.normalized(path) : FileIO.absolute(path) }
        let target = absolute(path).split(separator: "/")
        let base = absolute(folder).split(separator: "/")
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + target[common...].map(String.init)).joined(separator: "/")
    }

    /// The result of making one image.
    struct Made: Sendable {
        var item: ImagePlanItem
        var image: GeneratedImage?
        var error: ProviderError?
        var costUSD: Double
        var generatedAt: String
        /// Not made because the cost cap would have been passed.
        var skippedForCost: Bool
        /// With several candidates: each one's path, relative like `item.relativePath`.
        var candidates: [String] = []
    }

    /// Makes every image the plan needs, at most `concurrency` at once; stops scheduling when the
    /// ledger's cap would be passed. Images are written to disk before this returns.
    func generate(_ items: [ImagePlanItem], ledger: CostLedger, trace: (any CallTrace)?,
                         runID: Int64, chapterSlug: String) async -> [Made]
    {
        let semaphore = AsyncSemaphore(max(concurrency, 1))
        let estimate = prices.image(provider.model)
        var made: [Made?] = Array(repeating: nil, count: items.count)
        await withTaskGroup(of: (Int, Made).self) { group in
            for (index, item) in items.enumerated() where item.needsGeneration {
                group.addTask { [provider, rateLimiter] in
                    await semaphore.acquire()
                    defer { Task { await semaphore.release() } }
                    let count = max(item.request?.count ?? 1, 1)
                    guard await ledger.reserve(estimate * Double(count)), let request = item.request else {
                        return (index, Made(item: item, image: nil, error: nil, costUSD: 0, generatedAt: "", skippedForCost: true))
                    }
                    let requestText = JSONValue.object([
                        ("prompt", .string(request.prompt)), ("negative_prompt", .string(request.negativePrompt)),
                        ("size", .string(request.size.description)),
                        ("references", .array(request.references.map { .string($0.path) })),
                    ] + (count > 1 ? [("n", JSONValue.int(count))] : [])).compact()
                    var record = CallRecord(runID: runID, chapterSlug: chapterSlug, panelID: item.panelID, stage: "image",
                                            promptName: "image", promptVersion: 1, provider: provider.name, model: provider.model,
                                            requestHash: item.promptHash, request: requestText, startedAt: Date())
                    let callID = try? await trace?.callStarted(record)
                    let started = ContinuousClock.now
                    var result = Made(item: item, image: nil, error: nil, costUSD: 0, generatedAt: Self.timestamp(), skippedForCost: false)
                    do throws(ProviderError) {
                        await rateLimiter?.acquire()
                        let limiter = rateLimiter
                        let outer = RetryingHTTPClient.attemptObserver
                        let observer: @Sendable (HTTPAttempt) -> Void = { attempt in
                            if let limiter { Task { await limiter.observe(attempt) } }
                            outer?(attempt)
                        }
                        let generated = await RetryingHTTPClient.capturingAttempts(observer, waiting: .freeing(semaphore, pacedBy: limiter)) { () async throws(ProviderError) in
                            count > 1 ? try await provider.generateCandidates(request) : [try await provider.generate(request)]
                        }
                        let images = try generated.get()
                        guard var image = images.first else { throw ProviderError(.invalidAnswer, "\(provider.name) returned no image") }
                        let cost = images.reduce(0) { $0 + ($1.metadata.costUSD ?? estimate) }
                        image.metadata.costUSD = cost
                        var target = item
                        let ext = Self.fileExtension(forMimeType: image.mimeType)
                        if ext != "png" {
                            target.absolutePath = (item.absolutePath as NSString).deletingPathExtension + "." + ext
                            target.relativePath = (item.relativePath as NSString).deletingPathExtension + "." + ext
                        }
                        do throws(FileIO.WriteError) {
                            if images.count > 1 {
                                // images/<id>.cN.<ext>, then candidate 1 as the panel's image.
                                for (number, candidate) in images.enumerated() {
                                    let candidateExt = Self.fileExtension(forMimeType: candidate.mimeType)
                                    let path = Self.candidatePath(item.absolutePath, number: number + 1, ext: candidateExt)
                                    try FileIO.writeAtomically(candidate.bytes, to: path)
                                    result.candidates.append(Self.candidatePath(item.relativePath, number: number + 1, ext: candidateExt))
                                }
                                image.warnings = images[0].warnings
                            }
                            try FileIO.writeAtomically(image.bytes, to: target.absolutePath)
                            result.item = target
                            result.image = image
                        } catch {
                            result.error = ProviderError(.unavailable, error.description)
                        }
                        result.costUSD = cost
                    } catch {
                        result.error = error
                    }
                    await ledger.settle(reserved: estimate, actual: result.costUSD)
                    let elapsed = ContinuousClock.now - started
                    record.latencyMS = elapsed.totalSeconds * 1000
                    record.finishedAt = Date()
                    record.costUSD = result.costUSD
                    record.providerRequestID = result.image?.metadata.requestID
                    if let image = result.image {
                        record.status = .succeeded
                        record.response = ImageManifest.metadataJSON(image.metadata).compact()
                    } else {
                        record.status = .failed
                        record.error = result.error?.message
                    }
                    if let trace, let callID {
                        try? await trace.callFinished(callID, record)
                        try? await trace.flush()
                    }
                    return (index, result)
                }
            }
            for await (index, result) in group { made[index] = result }
        }
        return made.enumerated().map { index, result in
            result ?? Made(item: items[index], image: nil, error: nil, costUSD: 0, generatedAt: "", skippedForCost: false)
        }
    }

    /// `images/p01-03.png` → `images/p01-03.c2.png`.
    static func candidatePath(_ path: String, number: Int, ext: String) -> String {
        (path as NSString).deletingPathExtension + ".c\(number)." + ext
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
