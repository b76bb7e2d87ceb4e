import Foundation

/// What will happen to one panel's image, and why.
public struct ImagePlanItem: Sendable {
    public enum State: String, Sendable {
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
    }

    public var panelIndex: Int
    public var panelID: String
    public var state: State
    public var reason: String
    public var request: ImageRequest?
    public var promptHash: String
    /// Relative to the Markdown file's folder (what the H4 line holds).
    public var relativePath: String
    public var absolutePath: String

    public var needsGeneration: Bool { state == .new || state == .stale }
}

/// Prices in US dollars, per model: per image, and per 1,000 tokens in and out.
public struct Prices: Sendable, Equatable {
    public struct Price: Sendable, Equatable {
        public var perImage: Double?
        public var per1kInput: Double?
        public var per1kOutput: Double?

        public init(perImage: Double? = nil, per1kInput: Double? = nil, per1kOutput: Double? = nil) {
            self.perImage = perImage
            self.per1kInput = per1kInput
            self.per1kOutput = per1kOutput
        }
    }

    public var byModel: [String: Price]

    public init(byModel: [String: Price] = [:]) { self.byModel = byModel }

    public func image(_ model: String) -> Double { byModel[model]?.perImage ?? 0 }

    public func text(_ model: String, tokensIn: Int?, tokensOut: Int?) -> Double {
        guard let price = byModel[model] else { return 0 }
        return Double(tokensIn ?? 0) / 1000 * (price.per1kInput ?? 0) + Double(tokensOut ?? 0) / 1000 * (price.per1kOutput ?? 0)
    }
}

/// Money spent so far in a run, and the cap that stops new work.
public actor CostLedger {
    public private(set) var spentUSD = 0.0
    private var reservedUSD = 0.0
    public let capUSD: Double?
    public private(set) var capReached = false

    public init(capUSD: Double?) { self.capUSD = capUSD }

    /// Reserves `estimate` for one piece of work; false (and the cap is marked reached) when it
    /// would pass the cap. What is already in flight always finishes.
    public func reserve(_ estimate: Double) -> Bool {
        if let capUSD, spentUSD + reservedUSD + estimate > capUSD + 1e-9 {
            capReached = true
            return false
        }
        reservedUSD += estimate
        return true
    }

    public func settle(reserved: Double, actual: Double) {
        reservedUSD -= reserved
        spentUSD += actual
    }

    public func record(_ actual: Double) { spentUSD += actual }
}

/// Plans and makes one image per panel that passed the gate; writes each image atomically before
/// anything points at it.
public struct ImageStep: Sendable {
    public var provider: any ImageProvider
    public var size: ImageSize
    public var prices: Prices
    public var forceImages: Bool
    /// `--panel`: only these panels (full ids or `p01-03`); empty means all.
    public var onlyPanels: Set<String>
    /// The run's shared limiter: image calls take a slot too, and a 429 they see slows every call.
    public var rateLimiter: RateLimiter?

    public init(provider: any ImageProvider, size: ImageSize, prices: Prices = Prices(), forceImages: Bool = false,
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
    func request(for panel: ComicPanelImageSheet, results: StageResults, characters: CharacterDatabase?) -> ImageRequest? {
        guard let prompt = results.imagePrompt else { return nil }
        var references: [ReferenceImageFile] = []
        var names: [String] = []
        for id in results.roleValidation?.resolvedIDs ?? [] {
            guard let character = characters?.character(id: id), !names.contains(character.name) else { continue }
            names.append(character.name)
            guard provider.acceptsReferenceImages, let database = characters else { continue }
            for reference in database.references(for: character) where FileManager.default.fileExists(atPath: reference.absolutePath) {
                references.append(ReferenceImageFile(characterID: id, path: reference.absolutePath,
                                                     mimeType: Self.mimeType(forPath: reference.absolutePath)))
            }
        }
        let layout = PanelLayout(panelID: panel.id, title: panel.title, shot: panel.shotType, characters: names,
                                 bubbles: results.bubbles?.bubbles ?? [])
        return ImageRequest(prompt: prompt.prompt, negativePrompt: prompt.negativePrompt, size: size, references: references,
                            layout: layout)
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
    public func plan(chapter: Chapter, outcomes: [PanelOutcome?], characters: CharacterDatabase?, manifest: ImageManifest,
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
            if let existing, existing.status == "generated" {
                item.absolutePath = ((markdownFolder as NSString).appendingPathComponent(existing.path) as NSString).standardizingPath
                item.relativePath = existing.path
            }
            guard let outcome = outcomes[index], outcome.status == .passed || outcome.status == .forced,
                let request = request(for: panel, results: outcome.results, characters: characters)
            else {
                item.state = .failed
                item.reason = outcomes[index]?.reasons.first ?? "the panel did not pass the gate"
                return item
            }
            item.request = request
            item.promptHash = promptHash(request)
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
            } else if let existing, existing.status != "generated" {
                item.reason = "the last attempt \(existing.status): \(existing.reason ?? "")"
            }
            return item
        }
    }

    /// `relativePath`, for tests.
    public static func relativePathForTests(_ path: String, from folder: String) -> String { relativePath(path, from: folder) }

    static func relativePath(_ path: String, from folder: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: folder).standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + target[common...]).joined(separator: "/")
    }

    /// The result of making one image.
    public struct Made: Sendable {
        public var item: ImagePlanItem
        public var image: GeneratedImage?
        public var error: ProviderError?
        public var costUSD: Double
        public var generatedAt: String
        /// Not made because the cost cap would have been passed.
        public var skippedForCost: Bool
    }

    /// Makes every image the plan needs, at most `concurrency` at once; stops scheduling when the
    /// ledger's cap would be passed. Images are written to disk before this returns.
    public func generate(_ items: [ImagePlanItem], concurrency: Int, ledger: CostLedger, trace: (any CallTrace)?,
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
                    guard await ledger.reserve(estimate), let request = item.request else {
                        return (index, Made(item: item, image: nil, error: nil, costUSD: 0, generatedAt: "", skippedForCost: true))
                    }
                    let requestText = JSONValue.object([
                        ("prompt", .string(request.prompt)), ("negative_prompt", .string(request.negativePrompt)),
                        ("size", .string(request.size.description)),
                        ("references", .array(request.references.map { .string($0.path) })),
                    ]).compact()
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
                            try await provider.generate(request)
                        }
                        var image = try generated.get()
                        let cost = image.metadata.costUSD ?? estimate
                        image.metadata.costUSD = cost
                        var target = item
                        let ext = Self.fileExtension(forMimeType: image.mimeType)
                        if ext != "png" {
                            target.absolutePath = (item.absolutePath as NSString).deletingPathExtension + "." + ext
                            target.relativePath = (item.relativePath as NSString).deletingPathExtension + "." + ext
                        }
                        do throws(FileIO.WriteError) {
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
                    record.latencyMS = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
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

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
