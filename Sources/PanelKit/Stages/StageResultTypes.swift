/// `theme`: one theme of the taxonomy.
public struct ThemeResult: StageResult, Equatable {
    public var theme: String
    var confidence: Double
    var rationale: String
    var traceID: String?
    init(theme: String, confidence: Double, rationale: String, traceID: String? = nil) {
        self.theme = theme
        self.confidence = confidence
        self.rationale = rationale
        self.traceID = traceID
    }

    var json: JSONValue {
        .object([("theme", .string(theme)), ("confidence", .double(confidence)), ("rationale", .string(rationale)),
                 ("trace_id", .optional(traceID))])
    }
}

/// `roles`: who the panel needs, as found in the text.
struct RolesResult: StageResult, Equatable {
    struct Role: Sendable, Equatable, Codable {
        var name: String
        /// `field`, `speaker` or `scene`: where the role was found.
        var evidence: String

        init(name: String, evidence: String) {
            self.name = name
            self.evidence = evidence
        }
    }

    var roles: [Role]
    var traceID: String?

    init(roles: [Role], traceID: String? = nil) {
        self.roles = roles
        self.traceID = traceID
    }

    var json: JSONValue {
        .object([("roles", .array(roles.map { .object([("name", .string($0.name)), ("evidence", .string($0.evidence))]) })),
                 ("trace_id", .optional(traceID))])
    }
}

/// `rewrite`: the scene in the chapter's tone, every required role by canonical name.
struct RewriteResult: StageResult, Equatable {
    var text: String
    var traceID: String?

    init(text: String, traceID: String? = nil) {
        self.text = text
        self.traceID = traceID
    }

    var json: JSONValue {
        .object([("text", .string(text)), ("trace_id", .optional(traceID))])
    }
}

/// `role_validation` (no model): how each role resolved, and what the rewrite got wrong.
struct RoleValidationResult: StageResult, Equatable {
    var resolutions: [RoleResolution]
    /// Canonical names of resolved roles that the rewrite leaves out.
    var missingFromRewrite: [String]
    /// Names in the rewrite that are neither in the panel's own text nor in the database.
    var invented: [String]
    /// Set when roles were required but no database was found; lists where panelproc looked.
    var databaseMissing: [String]?
    /// Names the writer used that the database does not know (a warning, not a blocker: they may
    /// be places or things).
    var unlisted: [String] = []

    init(resolutions: [RoleResolution], missingFromRewrite: [String], invented: [String], databaseMissing: [String]?) {
        self.resolutions = resolutions
        self.missingFromRewrite = missingFromRewrite
        self.invented = invented
        self.databaseMissing = databaseMissing
    }

    var unresolved: [RoleResolution] {
        resolutions.filter { if case .resolved = $0.outcome { return false } else { return true } }
    }

    var resolvedIDs: [String] {
        resolutions.compactMap { if case .resolved(let id, _) = $0.outcome { return id } else { return nil } }
    }

    var json: JSONValue {
        .object([
            ("roles", .array(resolutions.map { resolution in
                switch resolution.outcome {
                case .resolved(let id, let via):
                    return .object([("role", .string(resolution.role)), ("status", .string("resolved")),
                                    ("character_id", .string(id)), ("via", .string(via.rawValue)), ("candidates", .array([]))])
                case .ambiguous(let candidates):
                    return .object([("role", .string(resolution.role)), ("status", .string("ambiguous")),
                                    ("character_id", .null), ("via", .null), ("candidates", .array(candidates.map(JSONValue.string)))])
                case .unknown(let suggestions):
                    return .object([("role", .string(resolution.role)), ("status", .string("unknown")),
                                    ("character_id", .null), ("via", .null), ("candidates", .array(suggestions.map(JSONValue.string)))])
                }
            })),
            ("missing_from_rewrite", .array(missingFromRewrite.map(JSONValue.string))),
            ("invented", .array(invented.map(JSONValue.string))),
            ("database_missing", databaseMissing.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("unlisted", .array(unlisted.map(JSONValue.string))),
        ])
    }
}

/// `image_prompt`: what to draw and what to avoid.
struct ImagePromptResult: StageResult, Equatable {
    var prompt: String
    var negativePrompt: String
    var traceID: String?

    init(prompt: String, negativePrompt: String, traceID: String? = nil) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.traceID = traceID
    }

    var json: JSONValue {
        .object([("prompt", .string(prompt)), ("negative_prompt", .string(negativePrompt)),
                 ("trace_id", .optional(traceID))])
    }
}

/// One speech, thought, caption or SFX bubble.
struct Bubble: Sendable, Equatable, Codable {
    /// The model answers `speech`, `thought`, `caption` or `sfx`; the writer's modifiers and
    /// full-script labels refine them: `(SHOUT)`/`(BURST)` → `burst`, `(WHISPER)` → `whisper`,
    /// `(ELECTRONIC)`/`(RADIO)`/`(PHONE)` → `electronic`, `(WEAK)` → `weak`, `TITLE:` → `title`,
    /// `CREDITS:` → `credits`.
    enum Kind: String, Sendable, CaseIterable, Codable {
        case speech, thought, caption, sfx, burst, whisper, electronic, weak, title, credits

        /// Kinds a character says or thinks, drawn with a tail or dots toward them.
        var isSpoken: Bool { [.speech, .thought, .burst, .whisper, .electronic, .weak].contains(self) }
    }

    var kind: Kind
    /// The speaker's canonical name (nil for SFX, titles and credits; a caption's narrator).
    var speaker: String?
    var text: String
    /// The writer's balloon number (`3 MIRA: …`), when the script numbers its lettering.
    var number: Int?
    /// `(OFF)`, `(O.S.)`: the speaker is not in the panel; the tail points off its edge.
    var offPanel: Bool
    /// `(CONT'D)`: the same speaker's next balloon.
    var continued: Bool

    init(kind: Kind, speaker: String?, text: String, number: Int? = nil, offPanel: Bool = false, continued: Bool = false) {
        self.kind = kind
        self.speaker = speaker
        self.text = text
        self.number = number
        self.offPanel = offPanel
        self.continued = continued
    }

    var wordCount: Int { text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count }
}

/// `bubbles`: the panel's lettering, in reading order.
struct BubblesResult: StageResult, Equatable {
    var bubbles: [Bubble]
    var traceID: String?

    init(bubbles: [Bubble], traceID: String? = nil) {
        self.bubbles = bubbles
        self.traceID = traceID
    }

    var json: JSONValue {
        .object([
            ("bubbles", .array(bubbles.map { bubble in
                .object([("kind", .string(bubble.kind.rawValue)), ("speaker", .optional(bubble.speaker)), ("text", .string(bubble.text))])
            })),
            ("trace_id", .optional(traceID)),
        ])
    }
}

/// One line of the checklist: from the model, or from panelproc's own rules.
struct ChecklistItem: Sendable, Equatable, Codable {
    enum Source: String, Sendable, Codable { case model, rule }

    var id: String
    var passed: Bool
    var blocker: Bool
    var note: String
    var source: Source

    init(id: String, passed: Bool, blocker: Bool, note: String, source: Source) {
        self.id = id
        self.passed = passed
        self.blocker = blocker
        self.note = note
        self.source = source
    }

    var blocks: Bool { blocker && !passed }
}

/// `checklist`: the gate. Any failed blocker fails the panel.
struct ChecklistResult: StageResult, Equatable {
    var items: [ChecklistItem]
    var traceID: String?

    init(items: [ChecklistItem], traceID: String? = nil) {
        self.items = items
        self.traceID = traceID
    }

    var failedBlockers: [ChecklistItem] { items.filter(\.blocks) }

    var json: JSONValue {
        .object([
            ("items", .array(items.map { item in
                .object([("id", .string(item.id)), ("passed", .bool(item.passed)), ("blocker", .bool(item.blocker)),
                         ("note", .string(item.note)), ("source", .string(item.source.rawValue))])
            })),
            ("trace_id", .optional(traceID)),
        ])
    }
}
