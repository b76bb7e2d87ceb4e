import Foundation

/// The one value every phase of a run reads: `panelproc.yml`, then `PANELPROC_*` environment
/// variables, then flags (`FlagSettings`), each overriding the one before, resolved once by
/// `RunSettings.resolve`. Paths are absolute once resolved.
public struct RunSettings: Sendable, Equatable {
    /// The built-in text engines and model servers.
    public enum TextProviderKind: String, Sendable, CaseIterable {
        /// The built-in deterministic engine.
        case offline
        /// Any OpenAI-compatible chat-completions server.
        case openai
    }

    /// Where images come from.
    public enum ImageProviderKind: String, Sendable, CaseIterable {
        case sketch, openai, gemini, none
    }

    // Flags only (no file or environment form).
    /// `--json`: write `generated/<slug>/chapter.json`.
    public var writeJSON = false
    /// `-i`: rewrite each Markdown file in place.
    public var inPlace = false
    /// `--force`: panels that fail the gate continue, marked `forced`.
    public var force = false
    /// `--no-cache` turns this off: ask the provider even when the trace holds the answer.
    public var useCache = true
    /// `--force-images`: make every image again.
    public var forceImages = false
    /// `--take-over`: a `generated/<slug>/` folder whose manifest names another Markdown file
    /// becomes this file's (the old file was renamed).
    public var takeOver = false
    /// `--panel`: only these panels get new images (full ids or `p01-03`); empty means all.
    public var onlyPanels: Set<String> = []
    /// `--max-bubbles`: wins over front matter and the file.
    public var maxBubblesOverride: Int?
    /// `--no-gallery` turns this off: the HTML gallery, the page PNGs and `thumbnails.pdf`.
    public var writeGallery = true
    /// How the run is recorded in the trace.
    public var command = "panelproc"

    /// Where `generated/<chapter-slug>/` goes; nil means `generated` beside each Markdown file.
    public var outputDirectory: String?
    /// Default `max_bubbles` for chapters whose front matter does not set it.
    public var maxBubbles: Int?
    /// A character database path (absolute).
    public var characters: String?
    /// The SQLite trace and cache; nil means `.panelproc/trace.sqlite` beside the first chapter.
    public var trace: String?
    /// Calls in flight at once.
    public var concurrency: Int = 8
    /// Calls a minute; nil for no limit.
    public var rpm: Int?
    var unknownRoles: GateRules.UnknownRolePolicy = .reject
    public var maxWordsPerBubble: Int = 25
    public var commonExampleOverlap: Double = 0.2
    var taxonomy: ThemeTaxonomy = .standard
    /// A folder of prompt templates replacing the bundled ones.
    public var promptsDirectory: String?
    public var imageProvider = ImageProviderKind.sketch
    public var imageModel: String?
    var imageSize = ImageSize(width: 768, height: 512)
    /// `page_size`: a composed comic page (`pages/page-NN.png`), portrait by default.
    var pageSize = ImageSize(width: 1200, height: 1800)
    /// `props`: nouns the sketch draws as labelled boxes when a scene names them.
    var propWords = SceneReading.defaultPropWords
    public var imageQuality: String?
    /// Base URLs for the HTTP providers (tests point them at a loopback server).
    public var openAIBaseURL: String?
    public var geminiBaseURL: String?
    /// The environment variables holding the keys (never the keys themselves).
    public var openAIKeyVariable = "OPENAI_API_KEY"
    public var geminiKeyVariable = "GEMINI_API_KEY"
    public var maxCostUSD: Double?
    var prices = Prices()
    public var textProvider = TextProviderKind.offline
    /// The text model (`openai` provider); nil means `gpt-4o-mini`.
    public var textModel: String?
    /// `json_schema` (default) or `json_object` for servers without schema support.
    var responseFormat: OpenAICompatibleTextProvider.ResponseFormat = .jsonSchema
    public var temperature: Double?
    public var seed: Int?
    /// `max_tokens`, `call_timeout`, `context_window`.
    var callLimits = CallLimits()
    /// HTTP tries per call, the first included (default 5), and the first backoff wait in
    /// seconds (default 1; then 2, 4, 8, 16 s at most).
    public var retryAttempts: Int?
    public var retryBaseDelay: Double?
    /// `pacing:`: the thresholds of `panelproc pacing` and `pacing.json`, and the optional model pass.
    public var pacing = PacingThresholds()
    /// `call_mode`, `fused_checklist`, `models`, `fallback_model` (`Config/CallSettings.swift`).
    public var calls = CallSettings()
    /// `image_candidates`, `pin_max_mb`, `--candidates`: candidates, picks and pins (docs/images.md).
    public var imageControl = ImageControlSettings()
    /// `continuity:` and `--strict-continuity`: the continuity checker's model pass and exit status.
    public var continuity = ContinuitySettings()
    /// The `panelproc.yml` that was read, if any.
    public var file: String?
    /// Keys the file holds that panelproc does not know.
    public var warnings: [Diagnostic] = []

    public init() {}

    public static let fileName = "panelproc.yml"

    /// Finds `panelproc.yml` in `folder` or the nearest parent folder that has one.
    public static func find(from folder: String) -> String? {
        var current = URL(fileURLWithPath: folder).standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    /// Reads the file (if any), then applies the environment, then the flags.
    public static func resolve(file: String?, environment: [String: String], flags: FlagSettings = FlagSettings())
        throws(InputError) -> RunSettings
    {
        var settings = RunSettings()
        if let file {
            try settings.read(file: file)
        }
        try settings.apply(environment: environment)
        settings.apply(flags)
        return settings
    }

    private mutating func read(file path: String) throws(InputError) {
        let source = try FileIO.readSource(path: path)
        try InputValidation.validate(source, file: path)
        let folder = (path as NSString).deletingLastPathComponent
        file = path
        for field in try YAMLFields.read(source, lines: 1..<(source.lineCount + 1), file: path, what: "configuration") {
            switch field.key {
            case "output_dir": outputDirectory = try field.text().map { FileIO.absolute($0, from: folder) }
            case "max_bubbles": maxBubbles = try field.integer(in: 1...20)
            case "characters": characters = try field.text().map { FileIO.absolute($0, from: folder) }
            case "trace": trace = try field.text().map { FileIO.absolute($0, from: folder) }
            case "prompts_dir": promptsDirectory = try field.text().map { FileIO.absolute($0, from: folder) }
            case "concurrency": concurrency = try field.integer(in: 1...256) ?? concurrency
            case "rpm": rpm = try field.integer(in: 1...1_000_000)
            case "max_words_per_bubble": maxWordsPerBubble = try field.integer(in: 1...200) ?? maxWordsPerBubble
            case "common_example_overlap": commonExampleOverlap = try field.number(in: 0...1) ?? commonExampleOverlap
            case "unknown_roles":
                unknownRoles = try field.choice(of: GateRules.UnknownRolePolicy.self) ?? unknownRoles
            case "themes":
                taxonomy = try Self.readTaxonomy(field)
            case "image_provider": imageProvider = try field.choice(of: ImageProviderKind.self) ?? imageProvider
            case "image_model": imageModel = try field.text()
            case "image_quality": imageQuality = try field.text()
            case "image_size":
                guard let raw = try field.text() else { break }
                guard let size = ImageSize(raw), (64...4096).contains(size.width), (64...4096).contains(size.height) else {
                    throw InputError(file: path, location: field.location, message: "`image_size` should look like 768x512, found `\(raw)`")
                }
                imageSize = size
            case "props": propWords = try field.list() ?? propWords
            case "page_size":
                guard let raw = try field.text() else { break }
                guard let size = ImageSize(raw), (200...8000).contains(size.width), (200...8000).contains(size.height) else {
                    throw InputError(file: path, location: field.location,
                                     message: "`page_size` should look like 1200x1800 (200 to 8000 pixels a side), found `\(raw)`")
                }
                pageSize = size
            case "openai_base_url": openAIBaseURL = try field.text()
            case "gemini_base_url": geminiBaseURL = try field.text()
            case "openai_api_key_env": openAIKeyVariable = try field.text() ?? openAIKeyVariable
            case "gemini_api_key_env": geminiKeyVariable = try field.text() ?? geminiKeyVariable
            case "provider": textProvider = try field.choice(of: TextProviderKind.self) ?? textProvider
            case "model": textModel = try field.text()
            case "response_format":
                responseFormat = try field.choice(of: OpenAICompatibleTextProvider.ResponseFormat.self) ?? responseFormat
            case "temperature": temperature = try field.number(in: 0...2)
            case "seed": seed = try field.integer(in: Int(Int32.min)...Int(Int32.max))
            case "max_tokens": try callLimits.readMaxTokens(field)
            case "call_timeout": try callLimits.readCallTimeout(field)
            case "context_window": try callLimits.readContextWindow(field)
            case "retry_attempts": retryAttempts = try field.integer(in: 1...20)
            case "retry_base_delay": retryBaseDelay = try field.number(in: 0...60)
            case "pacing": pacing = try PacingThresholds.read(field)
            case "call_mode", "fused_checklist", "models", "fallback_model": try calls.read(field)
            case "image_candidates", "pin_max_mb": try imageControl.read(field)
            case "continuity": continuity = try ContinuitySettings.read(field)
            case "max_cost_usd": maxCostUSD = try field.number(in: 0...1_000_000)
            case "prices":
                var byModel: [String: Prices.Price] = [:]
                for model in try field.mapping() {
                    var price = Prices.Price()
                    for part in try model.mapping() {
                        switch part.key {
                        case "per_image": price.perImage = try part.number(in: 0...10_000)
                        case "input_per_1k": price.per1kInput = try part.number(in: 0...10_000)
                        case "output_per_1k": price.per1kOutput = try part.number(in: 0...10_000)
                        case "batch_input_per_1k": price.batchPer1kInput = try part.number(in: 0...10_000)
                        case "batch_output_per_1k": price.batchPer1kOutput = try part.number(in: 0...10_000)
                        default:
                            throw InputError(file: path, location: part.keyLocation,
                                             message: "a price is `per_image`, `input_per_1k`, `output_per_1k`, `batch_input_per_1k` or `batch_output_per_1k`, not `\(part.key)`")
                        }
                    }
                    byModel[model.key] = price
                }
                prices = Prices(byModel: byModel)
            default:
                warnings.append(Diagnostic(.warning, file: path, location: field.keyLocation,
                                           message: "unknown setting `\(field.key)`; known: \(Self.knownKeys.joined(separator: ", "))"))
            }
        }
    }

    static let knownKeys = ["output_dir", "max_bubbles", "characters", "trace", "prompts_dir", "concurrency", "rpm",
                            "max_words_per_bubble", "common_example_overlap", "unknown_roles", "themes", "image_provider",
                            "image_model", "image_size", "page_size", "props", "image_quality", "openai_base_url", "gemini_base_url",
                            "openai_api_key_env", "gemini_api_key_env", "max_cost_usd", "prices", "provider", "model",
                            "response_format", "temperature", "seed", "max_tokens", "call_timeout", "context_window", "retry_attempts",
                            "retry_base_delay", "pacing", "continuity"] + ImageControlSettings.keys + CallSettings.keys

    /// `themes:` maps each theme name to a description and keywords:
    /// `trade: {description: buying and selling, keywords: [pay, buy]}`. The last theme is the fallback.
    private static func readTaxonomy(_ field: YAMLFields.Field) throws(InputError) -> ThemeTaxonomy {
        var themes: [ThemeTaxonomy.Theme] = []
        for entry in try field.mapping() {
            var description = entry.key
            var keywords: [String] = []
            if entry.node.mapping != nil {
                for part in try entry.mapping() {
                    switch part.key {
                    case "description": description = try part.text() ?? description
                    case "keywords": keywords = try part.list() ?? []
                    default:
                        throw InputError(file: field.file, location: part.keyLocation,
                                         message: "a theme has `description` and `keywords`, not `\(part.key)`")
                    }
                }
            } else {
                keywords = try entry.list() ?? []
            }
            themes.append(ThemeTaxonomy.Theme(name: entry.key, description: description, keywords: keywords))
        }
        guard !themes.isEmpty else { return .standard }
        return ThemeTaxonomy(themes: themes)
    }

    private mutating func apply(environment: [String: String]) throws(InputError) {
        let cwd = FileManager.default.currentDirectoryPath
        if let value = environment["PANELPROC_OUTPUT_DIR"], !value.isEmpty {
            outputDirectory = FileIO.absolute(value, from: cwd)
        }
        if let value = environment["PANELPROC_CHARACTERS"], !value.isEmpty {
            characters = FileIO.absolute(value, from: cwd)
        }
        if let value = environment["OPENAI_BASE_URL"], !value.isEmpty {
            openAIBaseURL = value
        }
        if let value = environment["PANELPROC_MAX_BUBBLES"], !value.isEmpty {
            guard let count = Int(value), (1...20).contains(count) else {
                throw InputError(file: "PANELPROC_MAX_BUBBLES", message: "should be a whole number from 1 to 20, found `\(value)`",
                                 hint: "unset it or set it to a number such as 3")
            }
            maxBubbles = count
        }
    }
}
