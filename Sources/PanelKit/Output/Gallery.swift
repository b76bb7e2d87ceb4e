import Foundation

/// What one chapter's `generated/<slug>/index.html` shows, built from the run's records and
/// nothing else: pure data, so its tests need no browser. `GalleryHTML` turns it into a page.
///
/// Every string here is the writer's text or a file name, as plain text: the renderer escapes all
/// of it. Links are relative to the chapter's folder.
struct GalleryChapter: Equatable {
    var slug: String
    var title: String
    /// The Markdown file's name (nil for standard input).
    var sourceFile: String?
    var counts: [(status: PanelStatus, count: Int)]
    /// Theme name and panel count, most common first.
    var themes: [(theme: String, count: Int)]
    var costUSD: Double
    var pages: [GalleryPage]
    /// The chapter's other files: the page PNGs' sheet, `thumbnails.pdf`, `chapter.json`.
    var downloads: [GalleryLink]
    /// Sections other outputs add under the chapter header (for example a pacing chart), in order.
    var sections: [GallerySection]

    var panelCount: Int { pages.reduce(0) { $0 + $1.cards.count } }

    static func == (lhs: GalleryChapter, rhs: GalleryChapter) -> Bool {
        lhs.slug == rhs.slug && lhs.title == rhs.title && lhs.sourceFile == rhs.sourceFile
            && lhs.counts.map(\.status) == rhs.counts.map(\.status) && lhs.counts.map(\.count) == rhs.counts.map(\.count)
            && lhs.themes.map(\.theme) == rhs.themes.map(\.theme) && lhs.themes.map(\.count) == rhs.themes.map(\.count)
            && lhs.costUSD == rhs.costUSD && lhs.pages == rhs.pages && lhs.downloads == rhs.downloads && lhs.sections == rhs.sections
    }
}

/// A link the gallery shows: its text and a relative path.
struct GalleryLink: Equatable {
    var text: String
    var href: String
}

/// One comic page of the gallery: its cards in reading order and its composed page PNG.
struct GalleryPage: Equatable {
    var label: String
    /// `pages/page-NN.png`, when the page PNGs are written.
    var pageImage: String?
    var cards: [GalleryCard]
}

/// One panel's card.
struct GalleryCard: Equatable {
    struct Line: Equatable {
        /// `speech`, `caption`, `sfx`, …
        var kind: String
        var speaker: String?
        var text: String
    }

    /// `p01-03`: the card's anchor and the text of its heading.
    var id: String
    var title: String?
    var status: PanelStatus
    /// Why a panel failed or was forced (empty otherwise).
    var reasons: [String]
    /// The current image, relative to the chapter folder; nil shows a placeholder box.
    var image: String?
    var bubbles: [Line]
    var theme: String?
    var prompt: String?
    var negativePrompt: String?
    var costUSD: Double
    /// `01-paper-and-promises.md:20`: where the panel starts in the Markdown as written back.
    var source: String
    /// The image candidates (relative to the chapter folder) and which one is used (GalleryControl.swift).
    var candidates: [String] = []
    var picked = 1
    /// The pinned image's original file name, shown as a badge.
    var pin: String?
}

/// A section an output adds to a chapter's gallery page: a heading and its content. Text is
/// escaped; `trustedHTML` is for markup panelproc itself generates (an SVG chart), never for the
/// writer's text.
struct GallerySection: Equatable {
    enum Content: Equatable {
        case text(String)
        case trustedHTML(String)
    }

    /// The section's anchor (`[a-z0-9-]`).
    var id: String
    var heading: String
    var content: Content
}

/// Something that adds sections to each chapter's gallery page. List new ones in
/// `GalleryOutput.sectionSources`.
protocol GallerySectionSource: Sendable {
    func sections(for chapter: ChapterRecord, in run: RunReport, settings: RunSettings) -> [GallerySection]
}

extension GalleryChapter {
    /// The gallery of one chapter of a finished run. `pageImages`: whether `pages/page-NN.png` exist.
    init(_ record: ChapterRecord, pageImages: Bool, pdf: Bool, json: Bool, sections: [GallerySection] = []) {
        slug = record.chapter.slug
        title = record.written.title?.trimmingWhitespace().nonEmpty ?? record.chapter.slug
        sourceFile = record.input.fileName
        var byStatus: [PanelStatus: Int] = [:]
        var byTheme: [String: Int] = [:]
        var cost = 0.0
        for panel in record.panels {
            byStatus[panel.status, default: 0] += 1
            if let theme = panel.results.theme?.theme { byTheme[theme, default: 0] += 1 }
            cost += panel.costUSD
        }
        counts = PanelStatus.allCases.map { ($0, byStatus[$0] ?? 0) }
        themes = byTheme.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
        costUSD = ChapterExport.roundedCost(cost)
        let groups = ChapterPageGroups(pages: record.panels.map(\.sheet.page))
        pages = groups.groups.map { group in
            GalleryPage(label: group.label, pageImage: pageImages ? "pages/" + group.fileName : nil,
                        cards: group.panelIndices.map { GalleryCard(record, panel: $0) })
        }
        var downloads: [GalleryLink] = []
        if pdf { downloads.append(GalleryLink(text: "Thumbnail sheet (PDF)", href: "thumbnails.pdf")) }
        if json { downloads.append(GalleryLink(text: "chapter.json", href: "chapter.json")) }
        self.downloads = downloads
        self.sections = sections
    }
}

extension GalleryCard {
    init(_ record: ChapterRecord, panel index: Int) {
        let panel = record.panels[index]
        let sheet = panel.sheet
        id = sheet.localID
        title = sheet.title
        status = panel.status
        reasons = status == .failed || status == .forced || status == .skipped ? panel.reasons : []
        // Only a current image is shown: a failed or skipped panel gets a placeholder even when
        // an older picture is still on disk.
        if status != .failed, status != .skipped, let entry = panel.currentImage {
            image = ImagePhase.relativePath(FileIO.absolute(entry.path, from: record.input.folder), from: record.directory)
        } else {
            image = nil
        }
        let results = panel.results
        bubbles = (results.bubbles?.bubbles).map { $0.map { Line(kind: $0.kind.rawValue, speaker: $0.speaker, text: $0.text) } }
            ?? sheet.lettering.map { Line(kind: $0.kind.rawValue, speaker: $0.speaker, text: $0.text) }
        theme = results.theme?.theme
        prompt = results.imagePrompt?.prompt
        negativePrompt = results.imagePrompt?.negativePrompt.nonEmpty
        costUSD = ChapterExport.roundedCost(panel.costUSD)
        let line = index < record.written.panels.count ? record.written.panels[index].lines.lowerBound : sheet.lines.lowerBound
        source = "\(record.input.fileName ?? "<stdin>"):\(line)"
        if image != nil { GalleryControl.fill(&self, entry: panel.currentImage, record: record) }
    }
}

/// `generated/index.html`: every chapter under one output folder.
struct GalleryIndex: Equatable {
    struct Entry: Equatable {
        var title: String
        /// `<slug>/index.html`
        var href: String
        var sourceFile: String?
        var panels: Int
        var counts: [PanelStatus: Int]
        var costUSD: Double
    }

    var entries: [Entry]
}

extension String {
    /// nil for an empty or blank string.
    var nonEmpty: String? { trimmingWhitespace().isEmpty ? nil : self }
}
