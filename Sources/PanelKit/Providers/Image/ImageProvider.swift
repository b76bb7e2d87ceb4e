/// Pixel size of an image to generate.
struct ImageSize: Sendable, Equatable, CustomStringConvertible {
    var width: Int
    var height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// `1024x768`
    var description: String { "\(width)x\(height)" }

    /// Parses `1024x768`.
    init?(_ text: String) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else { return nil }
        self.init(width: width, height: height)
    }
}

/// A character's reference picture, sent to providers that accept reference images.
struct ReferenceImageFile: Sendable, Equatable {
    var characterID: String
    /// Absolute path, inside the character database's folder.
    var path: String
    var mimeType: String

    init(characterID: String, path: String, mimeType: String) {
        self.characterID = characterID
        self.path = path
        self.mimeType = mimeType
    }
}

/// What the offline sketch renderer lays out: the panel's structure rather than a prompt.
struct PanelLayout: Sendable, Equatable {
    var panelID: String
    var title: String?
    var shot: ShotType?
    /// Canonical names of the characters to draw, in order.
    var characters: [String]
    /// The panel's bubbles in reading order.
    var bubbles: [Bubble]
    /// The panel failed the gate and `--force` let it through: the sketch carries a corner tag.
    var forced = false
    /// Each character's database `appearance` (their figure's colour comes from it), by name.
    var appearances: [String: String] = [:]
    /// Characters whose database `kind` is `animal`, `creature` or `object`, by name.
    var kinds: [String: String] = [:]
    /// The chapter's `palette`: the first entry tints the background, the second the ground.
    var palette: [String] = []
    /// The `Setting:` field, or the scene's first location phrase: a labelled backdrop band.
    var setting: String?
    /// Up to three props named in the scene: small labelled boxes.
    var props: [String] = []
    /// Which candidate this is (1…8): the sketch shuffles its placement from a seed that includes
    /// it; candidate 1 is the panel's usual picture.
    var variant = 1
    /// Set for `panelproc refs`: draw a reference sheet instead of a panel.
    var referenceSheet: ReferenceSheet?

    /// What a reference sheet shows: a character's turnaround, or a location's establishing view.
    struct ReferenceSheet: Sendable, Equatable {
        enum Subject: String, Sendable { case character, location }
        var subject: Subject
        var name: String
        /// The database's `appearance` (a character) or `description` (a location).
        var description: String
    }

    /// What the sketch's seed is made of: the panel id, and the candidate number after the first.
    var seedText: String { variant > 1 ? "\(panelID)#c\(variant)" : panelID }

    init(panelID: String, title: String?, shot: ShotType?, characters: [String], bubbles: [Bubble]) {
        self.panelID = panelID
        self.title = title
        self.shot = shot
        self.characters = characters
        self.bubbles = bubbles
    }

    /// The parts that decide the picture besides the bubbles, for the prompt hash.
    var lookDescription: String {
        let people = characters.map { "\($0)=\(kinds[$0] ?? "")/\(appearances[$0] ?? "")" }.joined(separator: ";")
        return "look \(people)|\(palette.joined(separator: ","))|\(setting ?? "")|\(props.joined(separator: ","))"
    }
}

/// One image to generate.
struct ImageRequest: Sendable, Equatable {
    var prompt: String
    var negativePrompt: String
    var size: ImageSize
    var references: [ReferenceImageFile]
    var layout: PanelLayout
    /// Images wanted from this request (`image_candidates`); the OpenAI provider sends it as `n`.
    var count = 1

    init(prompt: String, negativePrompt: String, size: ImageSize, references: [ReferenceImageFile], layout: PanelLayout) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.size = size
        self.references = references
        self.layout = layout
    }
}

/// What the provider reports about an image it made.
struct ImageMetadata: Sendable, Equatable {
    var model: String
    var seed: Int?
    var requestID: String?
    var revisedPrompt: String?
    var costUSD: Double?

    init(model: String, seed: Int? = nil, requestID: String? = nil, revisedPrompt: String? = nil, costUSD: Double? = nil) {
        self.model = model
        self.seed = seed
        self.requestID = requestID
        self.revisedPrompt = revisedPrompt
        self.costUSD = costUSD
    }
}

/// A generated image.
struct GeneratedImage: Sendable, Equatable {
    var bytes: [UInt8]
    var mimeType: String
    var metadata: ImageMetadata
    /// Problems a person should see but that do not fail the panel (text overflowing a bubble).
    var warnings: [String]

    init(bytes: [UInt8], mimeType: String, metadata: ImageMetadata, warnings: [String] = []) {
        self.bytes = bytes
        self.mimeType = mimeType
        self.metadata = metadata
        self.warnings = warnings
    }
}

/// Makes one picture per panel: `sketch` offline, `openai` or `gemini` over HTTP.
protocol ImageProvider: Sendable {
    var name: String { get }
    var model: String { get }
    /// Whether character reference pictures can be attached; otherwise appearances go in the prompt.
    var acceptsReferenceImages: Bool { get }
    func generate(_ request: ImageRequest) async throws(ProviderError) -> GeneratedImage
    /// `request.count` images, in candidate order. By default one call per candidate, each with
    /// `layout.variant` set (the sketch lays each out differently); OpenAI asks for `n` at once.
    func generateCandidates(_ request: ImageRequest) async throws(ProviderError) -> [GeneratedImage]
}

extension ImageProvider {
    func generateCandidates(_ request: ImageRequest) async throws(ProviderError) -> [GeneratedImage] {
        var images: [GeneratedImage] = []
        for variant in 1...max(request.count, 1) {
            var one = request
            one.count = 1
            one.layout.variant = variant
            images.append(try await generate(one))
        }
        return images
    }
}
