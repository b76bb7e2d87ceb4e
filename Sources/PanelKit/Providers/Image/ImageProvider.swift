/// Pixel size of an image to generate.
public struct ImageSize: Sendable, Equatable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// `1024x768`
    public var description: String { "\(width)x\(height)" }

    /// Parses `1024x768`.
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else { return nil }
        self.init(width: width, height: height)
    }
}

/// A character's reference picture, sent to providers that accept reference images.
public struct ReferenceImageFile: Sendable, Equatable {
    public var characterID: String
    /// Absolute path, inside the character database's folder.
    public var path: String
    public var mimeType: String

    public init(characterID: String, path: String, mimeType: String) {
        self.characterID = characterID
        self.path = path
        self.mimeType = mimeType
    }
}

/// What the offline sketch renderer lays out: the panel's structure rather than a prompt.
public struct PanelLayout: Sendable, Equatable {
    public var panelID: String
    public var title: String?
    public var shot: ShotType?
    /// Canonical names of the characters to draw, in order.
    public var characters: [String]
    /// The panel's bubbles in reading order.
    public var bubbles: [Bubble]

    public init(panelID: String, title: String?, shot: ShotType?, characters: [String], bubbles: [Bubble]) {
        self.panelID = panelID
        self.title = title
        self.shot = shot
        self.characters = characters
        self.bubbles = bubbles
    }
}

/// One image to generate.
public struct ImageRequest: Sendable, Equatable {
    public var prompt: String
    public var negativePrompt: String
    public var size: ImageSize
    public var references: [ReferenceImageFile]
    public var layout: PanelLayout

    public init(prompt: String, negativePrompt: String, size: ImageSize, references: [ReferenceImageFile], layout: PanelLayout) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.size = size
        self.references = references
        self.layout = layout
    }
}

/// What the provider reports about an image it made.
public struct ImageMetadata: Sendable, Equatable {
    public var model: String
    public var seed: Int?
    public var requestID: String?
    public var revisedPrompt: String?
    public var costUSD: Double?

    public init(model: String, seed: Int? = nil, requestID: String? = nil, revisedPrompt: String? = nil, costUSD: Double? = nil) {
        self.model = model
        self.seed = seed
        self.requestID = requestID
        self.revisedPrompt = revisedPrompt
        self.costUSD = costUSD
    }
}

/// A generated image.
public struct GeneratedImage: Sendable, Equatable {
    public var bytes: [UInt8]
    public var mimeType: String
    public var metadata: ImageMetadata
    /// Problems a person should see but that do not fail the panel (text overflowing a bubble).
    public var warnings: [String]

    public init(bytes: [UInt8], mimeType: String, metadata: ImageMetadata, warnings: [String] = []) {
        self.bytes = bytes
        self.mimeType = mimeType
        self.metadata = metadata
        self.warnings = warnings
    }
}

/// Makes one picture per panel: `sketch` offline, `openai` or `gemini` over HTTP.
public protocol ImageProvider: Sendable {
    var name: String { get }
    var model: String { get }
    /// Whether character reference pictures can be attached; otherwise appearances go in the prompt.
    var acceptsReferenceImages: Bool { get }
    func generate(_ request: ImageRequest) async throws(ProviderError) -> GeneratedImage
}
