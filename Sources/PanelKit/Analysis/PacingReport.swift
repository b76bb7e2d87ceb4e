import Foundation

/// One warning of the pacing report: what kind, and a sentence that names the page.
public struct PacingWarning: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case wordy, cramped, sparse, longBalloon = "long-balloon", wallOfText = "wall-of-text"
        case talkingHeads = "talking-heads", noBreathingRoom = "no-breathing-room"
    }

    public var kind: Kind
    public var message: String
}

/// One page of the pacing report (page 0: the panels before the first page marker).
public struct PacingPage: Sendable, Equatable {
    public var page: Int
    /// The last page of a spread (`PAGES TWO–THREE`).
    public var lastPage: Int?
    public var words = 0
    public var panels = 0
    public var dialoguePanels = 0
    public var silentPanels = 0
    public var maxBalloonWords = 0
    public var warnings: [PacingWarning] = []
    /// One of its panels is marked Splash: a sparse page is meant.
    public var splash = false
    /// Its last panel ends on a question, an exclamation, an ellipsis or a But/Then/Suddenly caption.
    public var endsOnHook = false
    /// Score points this page costs (see `PacingReport.score`).
    var points = 0

    /// `5`, or `2–3` for a spread.
    public var label: String { lastPage.map { "\(page)–\($0)" } ?? String(page) }
}

/// The chapter's totals, means and ratios.
public struct PacingTotals: Sendable, Equatable {
    public var pages = 0
    public var panels = 0
    public var words = 0
    public var wordsPerPage = 0.0
    public var panelsPerPage = 0.0
    public var wordsPerPanel = 0.0
    public var dialogueRatio = 0.0
    public var silentRatio = 0.0
    public var warnings: [PacingWarning] = []
    public var score = 100
}

/// A qualitative note on the chapter, rule-based or from the optional model pass.
public struct PacingInsight: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case warning, suggestion, strength }
    public enum Severity: String, Sendable, CaseIterable { case low, medium, high }

    public var type: Kind
    public var severity: Severity
    public var pages: [Int]
    public var message: String
    public var suggestion: String

    var json: JSONValue {
        .object([
            ("type", .string(type.rawValue)), ("severity", .string(severity.rawValue)), ("pages", .array(pages.map(JSONValue.int))),
            ("message", .string(message)), ("suggestion", .string(suggestion)),
        ])
    }

    init(type: Kind, severity: Severity, pages: [Int], message: String, suggestion: String) {
        self.type = type
        self.severity = severity
        self.pages = pages
        self.message = message
        self.suggestion = suggestion
    }

    /// An insight as the `pacing` template's answer holds it; nil when it does not have that shape.
    init?(_ value: JSONValue) {
        guard let type = value["type"]?.string.flatMap(Kind.init), let severity = value["severity"]?.string.flatMap(Severity.init),
            let message = value["message"]?.string
        else { return nil }
        self.init(type: type, severity: severity, pages: value["pages"]?.array?.compactMap(\.integer) ?? [], message: message,
                  suggestion: value["suggestion"]?.string ?? "")
    }
}

/// The pacing of one chapter: per page and in total, computed from the parsed sheets only, the
/// same bytes every time. See the README ("Pacing") for every definition and the score.
public struct PacingReport: Sendable {
    public var slug: String
    public var file: String
    public var pages: [PacingPage]
    public var totals: PacingTotals
    /// Odd-numbered pages (right-hand pages in print), and those whose last panel is a hook.
    public var oddPages: [Int]
    public var hookPages: [Int]
    /// The model pass's notes (`pacing.model: true`), nil when it did not run.
    public var modelInsights: [PacingInsight]?

    public init(_ chapter: Chapter, thresholds: PacingThresholds = PacingThresholds()) {
        slug = chapter.slug
        file = chapter.file
        let analysis = PacingAnalysis(thresholds: thresholds)
        let pages = analysis.pages(chapter)
        self.pages = pages
        totals = analysis.totals(pages)
        let counted = PacingAnalysis.counted(pages)
        oddPages = counted.map(\.page).filter { $0 % 2 == 1 }
        hookPages = counted.filter { $0.page % 2 == 1 && $0.endsOnHook }.map(\.page)
    }

    /// Pages that count in per-page means: the numbered ones, or page 0 when there is no other.
    public var countedPages: [PacingPage] { PacingAnalysis.counted(pages) }

    /// `pacing.json`: exactly `chapter` and `pages` (and `insights` when the model pass ran).
    public var json: JSONValue {
        let chapter = JSONValue.object([
            ("pages", .int(totals.pages)), ("panels", .int(totals.panels)), ("words", .int(totals.words)),
            ("words_per_page", .double(Self.round(totals.wordsPerPage, 2))),
            ("panels_per_page", .double(Self.round(totals.panelsPerPage, 2))),
            ("words_per_panel", .double(Self.round(totals.wordsPerPanel, 2))),
            ("dialogue_ratio", .double(Self.round(totals.dialogueRatio, 3))),
            ("silent_ratio", .double(Self.round(totals.silentRatio, 3))),
            ("warnings", .array(totals.warnings.map { .string($0.message) })), ("score", .int(totals.score)),
        ])
        let pageObjects = pages.map { page in
            JSONValue.object([
                ("page", .int(page.page)), ("words", .int(page.words)), ("panels", .int(page.panels)),
                ("dialogue_panels", .int(page.dialoguePanels)), ("silent_panels", .int(page.silentPanels)),
                ("max_balloon_words", .int(page.maxBalloonWords)), ("warnings", .array(page.warnings.map { .string($0.message) })),
            ])
        }
        var members: [(String, JSONValue)] = [("chapter", chapter), ("pages", .array(pageObjects))]
        if let modelInsights { members.append(("insights", .array(modelInsights.map(\.json)))) }
        return .object(members)
    }

    /// Every warning, page by page and then the chapter's, and the page-turn hooks, as sentences.
    public var insights: [String] {
        var sentences = (pages.flatMap { $0.warnings.map(\.message) } + totals.warnings.map { "Chapter: " + $0.message }).map { $0 + "." }
        if !oddPages.isEmpty {
            let share = Int((Double(hookPages.count) / Double(oddPages.count) * 100).rounded())
            var sentence = "\(hookPages.count) of \(oddPages.count) odd pages (\(share)%) end on a page-turn hook"
            sentence += hookPages.isEmpty ? "; end a right-hand page on a question or a reveal to pull the reader over"
                : " (\(Self.pageList(hookPages)))"
            sentences.append(sentence + ".")
        }
        return sentences
    }

    /// The table on stdout: one row per page, then the chapter's totals and the insights.
    public var text: String {
        if pages.isEmpty { return "\(slug) (\(file))\nno pages or panels: nothing to pace\n" }
        var lines = ["\(slug) (\(file))", "page  panels  words  dialogue  silent  max balloon  warnings"]
        for page in pages {
            let flags = page.warnings.map(\.kind.rawValue).joined(separator: ", ")
            let label = page.label + (page.splash ? "*" : "")
            let numbers = String(format: "%6d %6d %9d %7d %12d", page.panels, page.words, page.dialoguePanels, page.silentPanels,
                                 page.maxBalloonWords)
            let row = label.padding(toLength: max(label.count, 6), withPad: " ", startingAt: 0) + numbers
            lines.append(flags.isEmpty ? row : row + "  " + flags)
        }
        lines.append(String(format: "chapter: %d pages, %d panels, %d words; %.2f words/page, %.2f panels/page, %.2f words/panel;",
                            totals.pages, totals.panels, totals.words, Self.round(totals.wordsPerPage, 2), Self.round(totals.panelsPerPage, 2),
                            Self.round(totals.wordsPerPanel, 2)))
        // The values as pacing.json rounds them (half away from zero), so the two always agree.
        lines.append(String(format: "  dialogue panels %.3f, silent panels %.3f; score %d/100", Self.round(totals.dialogueRatio, 3),
                            Self.round(totals.silentRatio, 3), totals.score))
        if pages.contains(where: \.splash) { lines.append("  (* a splash page)") }
        let insights = self.insights
        if !insights.isEmpty {
            lines.append("")
            lines += insights.map { "- " + $0 }
        }
        if let modelInsights, !modelInsights.isEmpty {
            lines.append("")
            lines.append("Notes (pacing pass):")
            for note in modelInsights {
                let pages = note.pages.isEmpty ? "" : " [p. \(note.pages.map(String.init).joined(separator: ", "))]"
                lines.append("- \(note.type.rawValue) (\(note.severity.rawValue))\(pages): \(note.message)"
                             + (note.suggestion.isEmpty ? "" : " \(note.suggestion)"))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func round(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    /// `page 3`, `pages 3 and 5`, `pages 1, 3 and 5`.
    static func pageList(_ pages: [Int]) -> String {
        let numbers = pages.map(String.init)
        switch numbers.count {
        case 0: return "no page"
        case 1: return "page \(numbers[0])"
        default: return "pages \(numbers.dropLast().joined(separator: ", ")) and \(numbers.last!)"
        }
    }
}

/// The arithmetic behind `PacingReport`.
struct PacingAnalysis {
    var thresholds: PacingThresholds

    /// Score points: a warning costs `warningPoints`, a value outside its ideal band (not past
    /// the warning) `missPoints`, a long balloon or a wall-of-text panel `itemPoints` each.
    static let warningPoints = 10, missPoints = 3, itemPoints = 5
    /// The chapter's ratios weigh more: they describe every page.
    static let chapterWarningPoints = 15, chapterMissPoints = 5

    /// Pages in order: page 0 first (when any panel comes before the first marker), then each page header.
    func pages(_ chapter: Chapter) -> [PacingPage] {
        var byID: [String: ComicPanelImageSheet] = [:]
        for panel in chapter.panels { byID[panel.id] = panel }
        var groups: [(page: Int, last: Int?, panels: [ComicPanelImageSheet])] = []
        let beforeFirst = chapter.panels.filter { $0.page == nil }
        // A document without panels has no pages to judge.
        if !beforeFirst.isEmpty || (chapter.pages.isEmpty && !chapter.panels.isEmpty) { groups.append((0, nil, beforeFirst)) }
        for header in chapter.pages { groups.append((header.number, header.lastNumber, header.panelIDs.compactMap { byID[$0] })) }
        // Panels before the first marker are not a page of their own when numbered pages follow:
        // their panel count and the ideal bands are not judged (long balloons and wordiness are).
        let prologue = !chapter.pages.isEmpty
        return groups.map { page($0.page, last: $0.last, $0.panels, isPage: $0.page > 0 || !prologue) }
    }

    func page(_ number: Int, last: Int?, _ panels: [ComicPanelImageSheet], isPage: Bool = true) -> PacingPage {
        var page = PacingPage(page: number, lastPage: last)
        page.panels = panels.count
        var longBalloons: [(String, Int)] = []
        var walls: [(String, Int)] = []
        for panel in panels {
            let lettering = panel.lettering
            let dialogue = lettering.filter { $0.kind == .dialogue }
            let captions = lettering.filter { $0.kind == .caption }
            var words = 0
            for line in dialogue {
                let count = PacingWords.count(line.text)
                words += count
                page.maxBalloonWords = max(page.maxBalloonWords, count)
                if count > thresholds.balloonWords { longBalloons.append((panel.localID, count)) }
            }
            for line in captions { words += PacingWords.count(line.text) }
            page.words += words
            if !dialogue.isEmpty { page.dialoguePanels += 1 }
            if dialogue.isEmpty && captions.isEmpty { page.silentPanels += 1 }
            if Double(words) > (thresholds.wordsPerPanel.warnAbove ?? .infinity) { walls.append((panel.localID, words)) }
            if Self.isSplash(panel) { page.splash = true }
        }
        if let lastPanel = panels.last { page.endsOnHook = Self.endsOnHook(lastPanel) }

        let name = number == 0 ? "The panels before the first page" : "Page \(page.label)"
        let words = Double(page.words), count = Double(page.panels)
        let wordBand = thresholds.wordsPerPage, panelBand = thresholds.panelsPerPage
        if let limit = wordBand.warnAbove, words > limit {
            page.warnings.append(PacingWarning(kind: .wordy, message: "\(name) has \(page.words) words, may read slowly: split dialogue or add a silent beat"))
        }
        if !isPage {
        } else if let limit = panelBand.warnAbove, count > limit {
            page.warnings.append(PacingWarning(kind: .cramped, message: "\(name) has \(page.panels) panels and may feel cramped: move a beat to the next page or merge panels"))
        } else if let limit = panelBand.warnBelow, count < limit, !page.splash, page.panels > 0 {
            page.warnings.append(PacingWarning(kind: .sparse, message: "\(name) has only \(page.panels) panel\(page.panels == 1 ? "" : "s") and may feel sparse: add a beat, or mark the panel Splash if it is meant"))
        }
        for (panel, count) in longBalloons {
            page.warnings.append(PacingWarning(kind: .longBalloon, message: "\(name): a balloon in \(panel) has \(count) words (over \(thresholds.balloonWords)): split it in two"))
        }
        for (panel, count) in walls {
            page.warnings.append(PacingWarning(kind: .wallOfText, message: "\(name): \(panel) has \(count) words, a wall of text: cut it or spread it over two panels"))
        }
        var points = page.warnings.reduce(0) { $0 + ([.longBalloon, .wallOfText].contains($1.kind) ? Self.itemPoints : Self.warningPoints) }
        if isPage, !page.warnings.contains(where: { $0.kind == .wordy }), wordBand.misses(words) { points += Self.missPoints }
        if isPage, !page.warnings.contains(where: { [.cramped, .sparse].contains($0.kind) }), panelBand.misses(count), !page.splash {
            points += Self.missPoints
        }
        page.points = points
        return page
    }

    func totals(_ pages: [PacingPage]) -> PacingTotals {
        var totals = PacingTotals()
        let counted = Self.counted(pages)
        totals.pages = counted.count
        totals.panels = pages.reduce(0) { $0 + $1.panels }
        totals.words = pages.reduce(0) { $0 + $1.words }
        let dialogue = pages.reduce(0) { $0 + $1.dialoguePanels }, silent = pages.reduce(0) { $0 + $1.silentPanels }
        if !counted.isEmpty {
            totals.wordsPerPage = Double(counted.reduce(0) { $0 + $1.words }) / Double(counted.count)
            totals.panelsPerPage = Double(counted.reduce(0) { $0 + $1.panels }) / Double(counted.count)
        }
        if totals.panels > 0 {
            totals.wordsPerPanel = Double(totals.words) / Double(totals.panels)
            totals.dialogueRatio = Double(dialogue) / Double(totals.panels)
            totals.silentRatio = Double(silent) / Double(totals.panels)
        }
        var points = 0
        func check(_ value: Double, _ band: PacingThresholds.Band, _ warning: PacingWarning) {
            if band.warns(value) {
                totals.warnings.append(warning)
                points += Self.chapterWarningPoints
            } else if band.misses(value) {
                points += Self.chapterMissPoints
            }
        }
        if totals.panels > 0 {
            check(totals.dialogueRatio, thresholds.dialoguePanels, PacingWarning(
                kind: .talkingHeads,
                message: "\(Self.percent(totals.dialogueRatio)) of panels have dialogue (talking heads): let some beats play without words"))
            check(totals.silentRatio, thresholds.silentPanels, PacingWarning(
                kind: .noBreathingRoom,
                message: "only \(Self.percent(totals.silentRatio)) of panels are silent (no breathing room): add a wordless panel at a turn"))
            check(totals.wordsPerPanel, thresholds.wordsPerPanel, PacingWarning(
                kind: .wallOfText,
                message: String(format: "%.2f words per panel on average (a wall of text): trim captions and long speeches", totals.wordsPerPanel)))
        }
        let pagePoints = counted.isEmpty ? 0 : Double(counted.reduce(0) { $0 + $1.points }) / Double(counted.count)
        totals.score = min(100, max(1, Int((100 - pagePoints - Double(points)).rounded())))
        return totals
    }

    /// The pages that count in `pages` and the per-page means: the numbered ones, or page 0 alone.
    static func counted(_ pages: [PacingPage]) -> [PacingPage] { pages.filter { $0.page > 0 || pages.count == 1 } }

    static func percent(_ ratio: Double) -> String { "\(Int((ratio * 100).rounded()))%" }

    /// A panel marked Splash: in its header (`Panel 1 (Splash)`, `PANEL 1: SPLASH`), its `Shot:`
    /// field, or as the first word of its description (`Splash page. The city at night.`; "a
    /// splash of rain" is not a mark).
    static func isSplash(_ panel: ComicPanelImageSheet) -> Bool {
        func words(_ text: String) -> [Substring] { text.lowercased().split(whereSeparator: { !$0.isLetter }) }
        return words(panel.markerText).contains("splash") || words(panel.field(.shot) ?? "").contains("splash")
            || words(panel.sceneDescriptionOriginal).first == "splash"
    }

    /// The panel's last spoken line or caption ends on `?`, `!` or an ellipsis, or one of its
    /// captions starts with "But", "Then" or "Suddenly".
    static func endsOnHook(_ panel: ComicPanelImageSheet) -> Bool {
        let lines = panel.lettering.filter { $0.kind == .dialogue || $0.kind == .caption }
        for caption in lines where caption.kind == .caption {
            let first = caption.text.trimmingWhitespace().split(whereSeparator: { !$0.isLetter }).first.map { $0.lowercased() }
            if let first, ["but", "then", "suddenly"].contains(first) { return true }
        }
        guard var text = lines.last?.text.trimmingWhitespace() else { return false }
        while let last = text.last, "\"'”’)*_ ".contains(last) { text.removeLast() }
        return text.hasSuffix("?") || text.hasSuffix("!") || text.hasSuffix("…") || text.hasSuffix("...")
    }
}
