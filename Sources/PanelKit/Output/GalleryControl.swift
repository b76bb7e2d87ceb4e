import Foundation

/// The gallery's part of candidates, picks and pins: a strip of small candidate thumbnails under
/// a panel's image (the one in use outlined) and a `pinned` badge with the original file name.
/// Styles are inline so the page stays self-contained; every text is escaped.
enum GalleryControl {
    static func fill(_ card: inout GalleryCard, entry: ImageManifest.Entry?, record: ChapterRecord) {
        guard let entry else { return }
        card.candidates = entry.candidates.map { path in
            let absolute = ((record.input.folder as NSString).appendingPathComponent(path) as NSString).standardizingPath
            return ImagePhase.relativePath(absolute, from: record.directory)
        }
        card.picked = entry.picked ?? 1
        card.pin = entry.isPinned ? (entry.pin?.originalName ?? "") : nil
    }

    static func html(_ card: GalleryCard) -> String {
        var html = ""
        if let pin = card.pin {
            html += "<p class=\"pin\"><span class=\"badge pinned\" style=\"background:#2b6cb0;color:#fff\">pinned</span> "
                + "<code>\(GalleryHTML.escape(pin))</code></p>\n"
        }
        if card.candidates.count > 1 {
            html += "<p class=\"candidates\" style=\"display:flex;gap:4px;margin:4px 0\">"
            for (index, path) in card.candidates.enumerated() {
                let number = index + 1
                let chosen = number == card.picked
                let border = chosen ? "2px solid #2b6cb0" : "1px solid #ccc"
                html += "<a href=\"\(GalleryHTML.href(path))\" title=\"candidate \(number)\(chosen ? " (in use)" : "")\">"
                    + "<img src=\"\(GalleryHTML.href(path))\" alt=\"candidate \(number)\" style=\"width:64px;border:\(border)\"></a>"
            }
            html += "</p>\n<p class=\"pick-hint\" style=\"font-size:smaller\">candidate \(card.picked) in use; "
                + "<code>panelproc pick \(GalleryHTML.escape(card.id)) N</code> chooses another</p>\n"
        }
        return html
    }
}
