/// The pacing chart (`pacing.svg`, written beside the gallery by `PacingOutput`) and the chapter's
/// score, on each chapter's gallery page.
struct PacingGallerySection: GallerySectionSource {
    func sections(for chapter: ChapterRecord, in run: RunReport, settings: RunSettings) -> [GallerySection] {
        guard !chapter.panels.isEmpty else { return [] }
        let report = PacingReport(chapter.written, thresholds: settings.pacing)
        // Numbers and a link panelproc made itself: nothing of the writer's text.
        let html = "<p>Pacing score \(report.totals.score) of 100: \(report.totals.words) words on \(report.totals.pages) "
            + "page\(report.totals.pages == 1 ? "" : "s"); the numbers are in <a href=\"pacing.json\">pacing.json</a>.</p>\n"
            + "<img src=\"pacing.svg\" alt=\"Pacing: words and panels per page\" width=\"800\" style=\"max-width:100%;height:auto\">"
        return [GallerySection(id: "pacing", heading: "Pacing", content: .trustedHTML(html))]
    }
}
