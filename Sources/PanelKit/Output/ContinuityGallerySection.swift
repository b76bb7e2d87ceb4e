/// The continuity checker's open alerts on each chapter's gallery page (decided ones are
/// counted, not shown). Every word of an alert may quote the writer's text: all of it is escaped.
struct ContinuityGallerySection: GallerySectionSource {
    func sections(for chapter: ChapterRecord, in run: RunReport, settings: RunSettings) -> [GallerySection] {
        guard !chapter.panels.isEmpty, let index = run.chapters.firstIndex(where: { $0.directory == chapter.directory }),
            index < run.continuity.count
        else { return [] }
        let report = run.continuity[index]
        let open = report.openAlerts
        let decided = report.alerts.count - open.count
        var html = "<p>\(open.count) open alert\(open.count == 1 ? "" : "s")"
            + (decided > 0 ? ", \(decided) decided in continuity.yml" : "")
            + "; all of them are in <a href=\"continuity.json\">continuity.json</a>.</p>\n"
        if !open.isEmpty {
            html += "<ul class=\"continuity\">\n"
            for alert in open {
                let fix = alert.suggestedFix.isEmpty ? "" : "<br><em>Fix:</em> \(GalleryHTML.escape(alert.suggestedFix))"
                html += "<li><strong>\(GalleryHTML.escape(alert.severity.rawValue)) \(GalleryHTML.escape(alert.type.rawValue))</strong> "
                    + "<a href=\"#\(GalleryHTML.escape(alert.conflict.panel))\">\(GalleryHTML.escape(alert.conflict.panel))</a>: "
                    + "\(GalleryHTML.escape(alert.title))<br>\(GalleryHTML.escape(alert.description))\(fix) "
                    + "<code>\(GalleryHTML.escape(alert.id))</code></li>\n"
            }
            html += "</ul>"
        }
        return [GallerySection(id: "continuity", heading: "Continuity", content: .trustedHTML(html))]
    }
}
