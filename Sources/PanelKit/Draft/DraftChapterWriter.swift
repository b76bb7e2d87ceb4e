/// Writes the pages step's answer as chapter Markdown in panelproc's own convention: front
/// matter, `# Title`, `## Page N`, `### Panel N`, the shot as a leading capital label, fields
/// (`**Characters:**`, `**Teaching point:**`, `**Caption:**`, `**Notes:**`) and `**Speaker:**`
/// dialogue. Whatever a model wrote is made to read as what it is: one line per entry, scene
/// text that never reads as a speaker or a header, speakers under the cast's names, and lettering
/// within the bubble cap (the lines past it are kept in a `Notes:` field, not dropped).
struct DraftChapterWriter {
    var request: DraftRequest
    var cast: [DraftCharacter]
    var maxBubbles: Int
    /// The ideal panels per page, for the notes.
    var panelsPerPage: ClosedRange<Double>

    struct Output: Sendable {
        var markdown: String
        /// Speakers the answer used that are not in the cast (they are proposed as they are).
        var extraSpeakers: [String]
        var notes: [String]
    }

    static let shotLabels: [String: String] = [
        "establishing": "ESTABLISHING SHOT", "wide": "WIDE SHOT", "long": "LONG SHOT", "full": "FULL SHOT",
        "medium": "MEDIUM SHOT", "medium-close-up": "MEDIUM CLOSE-UP", "close-up": "CLOSE-UP",
        "extreme-close-up": "EXTREME CLOSE-UP", "over-the-shoulder": "OVER-THE-SHOULDER SHOT", "birds-eye": "BIRD'S-EYE VIEW",
        "low-angle": "LOW-ANGLE SHOT", "high-angle": "HIGH-ANGLE SHOT", "insert": "INSERT",
    ]

    func write(pages answer: JSONValue) -> Output {
        var notes: [String] = []
        var extra: [String] = []
        var castByKey: [String: String] = [:]
        for character in cast { castByKey[NameFolding.fold(character.name)] = character.name }

        func speaker(_ written: String) -> String {
            let name = DraftCast.speakerName(written, fallbackNumber: 1)
            if let known = castByKey[NameFolding.fold(written)] ?? castByKey[NameFolding.fold(name)] { return known }
            if !extra.contains(name) {
                extra.append(name)
                notes.append("pages: the speaker \"\(written)\" is not in the cast; proposed as \"\(name)\"")
            }
            castByKey[NameFolding.fold(name)] = name
            return name
        }

        var out = "---\n"
        out += "title: " + Self.quoted(request.title) + "\n"
        if !request.tone.isEmpty { out += "tone: " + Self.quoted(request.tone) + "\n" }
        if !request.audience.isEmpty { out += "audience: " + Self.quoted(request.audience) + "\n" }
        out += "---\n\n# " + Self.heading(request.title) + "\n\n"
        out += "*Drafted by `panelproc draft` from the premise:* " + Self.oneLine(request.premise) + "\n"

        let pages = answer["pages"]?.array ?? []
        if pages.count != request.pages {
            notes.append("pages: \(request.pages) page\(request.pages == 1 ? "" : "s") asked for, the answer has \(pages.count)")
        }
        for (pageIndex, page) in pages.enumerated() {
            let panels = page["panels"]?.array ?? []
            if !panelsPerPage.contains(Double(panels.count)) {
                notes.append("page \(pageIndex + 1): \(panels.count) panel\(panels.count == 1 ? "" : "s"), outside the ideal \(PacingThresholds.format(panelsPerPage.lowerBound))–\(PacingThresholds.format(panelsPerPage.upperBound))")
            }
            out += "\n## Page \(pageIndex + 1)\n"
            for (panelIndex, panel) in panels.enumerated() {
                out += "\n### Panel \(panelIndex + 1)\n\n"
                out += sceneParagraph(panel) + "\n"
                var names: [String] = []
                for written in panel["characters"]?.strings ?? [] where !written.trimmingWhitespace().isEmpty {
                    let name = speaker(written)
                    if !names.contains(name) { names.append(name) }
                }
                var fields: [String] = []
                if !names.isEmpty { fields.append("**Characters:** " + names.joined(separator: ", ")) }
                if let point = nonEmpty(panel["teaching_point"]?.string) { fields.append("**Teaching point:** " + point) }
                var lettering: [String] = []
                if let caption = nonEmpty(panel["caption"]?.string) { lettering.append("**Caption:** " + caption) }
                for line in panel["dialogue"]?.array ?? [] {
                    guard let text = nonEmpty(line["text"]?.string) else { continue }
                    lettering.append("**" + speaker(line["speaker"]?.string ?? "") + ":** " + text)
                }
                if lettering.count > maxBubbles {
                    let cut = lettering[maxBubbles...].map { $0.replacingOccurrences(of: "**", with: "") }
                    notes.append("page \(pageIndex + 1) panel \(panelIndex + 1): \(cut.count) line\(cut.count == 1 ? "" : "s") past the bubble cap of \(maxBubbles), kept under Notes")
                    lettering = Array(lettering.prefix(maxBubbles))
                    fields.append("**Notes:** past the bubble cap of \(maxBubbles): " + cut.joined(separator: " / "))
                }
                if !fields.isEmpty { out += "\n" + fields.joined(separator: "\n\n") + "\n" }
                if !lettering.isEmpty { out += "\n" + lettering.joined(separator: "\n") + "\n" }
            }
        }
        return Output(markdown: out, extraSpeakers: extra, notes: notes)
    }

    /// `WIDE SHOT: <scene text>`; text that would read as a speaker or a field loses its colon.
    private func sceneParagraph(_ panel: JSONValue) -> String {
        var scene = Self.oneLine(panel["scene"]?.string ?? "")
        if scene.isEmpty { scene = "TODO: what the panel shows." }
        if let (_, rest) = ShotType.leadingPrefix(of: scene), !rest.isEmpty { scene = rest }
        switch LineClassifier.classify(scene) {
        case .text, .label: break
        default:
            if let colon = scene.firstIndex(of: ":") { scene.replaceSubrange(colon...colon, with: " —") }
        }
        let label = Self.shotLabels[panel["shot"]?.string ?? ""] ?? "MEDIUM SHOT"
        return label + ": " + scene
    }

    private func nonEmpty(_ text: String?) -> String? {
        let line = Self.oneLine(text ?? "")
        return line.isEmpty ? nil : line
    }

    /// The H1: the title, unless it would read as a page or panel header (`Page One`) or a
    /// near miss of one, which gets `Chapter: ` in front.
    static func heading(_ title: String) -> String {
        let line = oneLine(title)
        if MarkerRecognizer.recognize(line) != nil || NearMissMarker.suggestion(line) != nil { return "Chapter: " + line }
        return line
    }

    /// White space runs (new lines included) collapsed to one space.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A YAML double-quoted scalar (JSON's escapes are YAML's).
    static func quoted(_ text: String) -> String {
        var out = ""
        JSONValue.writeString(oneLine(text), to: &out)
        return out
    }
}
