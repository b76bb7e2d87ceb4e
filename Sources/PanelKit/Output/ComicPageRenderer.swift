import Foundation

/// One composed comic page: what `pages/page-NN.png` and a page of `thumbnails.pdf` show.
struct ComicPageSheet {
    struct Panel {
        /// `p01-03`
        var id: String
        var title: String?
        var status: PanelStatus
        var reason: String?
        /// The current image (absolute path); nil draws a hatched box with the id.
        var imagePath: String?
        /// For a sketch: what it draws and its size, so a page draws it again at its cell's scale
        /// (vectors in the PDF: crisp in print, and small) instead of decoding and scaling its PNG.
        var sketch: (layout: PanelLayout, size: ImageSize)?
    }

    var heading: String
    var footer: String
    var layout: ComicPageLayout
    /// By panel index.
    var panels: [Int: Panel]
    /// SHA-256 of everything the page shows (its images by their manifest hashes): an unchanged
    /// page is not drawn again.
    var fingerprint = ""
}

/// The thumbnail sheet's cover: the chapter in a few lines.
struct ComicSheetCover {
    var title: String
    var lines: [String]
}

/// A chapter's pages and cover, from the run's records.
struct ChapterSheets {
    var cover: ComicSheetCover
    var pages: [(group: ChapterPageGroups.Group, sheet: ComicPageSheet)]

    /// `aspect`: the panel images' width over height.
    init(_ record: ChapterRecord, size: ImageSize, aspect: Double = 1.5) {
        let title = record.written.title?.trimmingWhitespace().nonEmpty ?? record.chapter.slug
        let groups = ChapterPageGroups(pages: record.panels.map(\.sheet.page)).groups
        let folder = record.input.folder
        pages = groups.map { group in
            let layout = ComicPageLayout(
                panels: group.panelIndices.map { ($0, [.wide, .establishing].contains(record.panels[$0].sheet.shotType)) },
                width: Double(size.width), height: Double(size.height), aspect: aspect)
            var panels: [Int: ComicPageSheet.Panel] = [:]
            for index in group.panelIndices {
                let panel = record.panels[index]
                let current = panel.status != .failed && panel.status != .skipped ? panel.currentImage : nil
                let path = current.map { FileIO.absolute($0.path, from: folder) }
                // A sketch is drawn from its layout, not its file: a deleted file still shows as missing.
                let shown = path.map(FileManager.default.fileExists(atPath:)) == true ? current : nil
                var sketch: (PanelLayout, ImageSize)?
                if let shown, shown.provider == "sketch", let request = panel.image?.plan.request, shown.promptHash == panel.image?.plan.promptHash {
                    var layout = request.layout
                    layout.variant = shown.picked ?? 1  // the candidate in use (`panelproc pick`)
                    sketch = (layout, request.size)
                }
                panels[index] = ComicPageSheet.Panel(
                    id: panel.sheet.localID, title: panel.sheet.title, status: panel.status, reason: panel.reasons.first,
                    imagePath: shown == nil ? nil : path,
                    sketch: sketch)
            }
            var sheet = ComicPageSheet(heading: "\(title) · \(group.label)", footer: "\(group.sequence) / \(groups.count)",
                                       layout: layout, panels: panels)
            var text = "page v5|\(size)|\(sheet.heading)|\(sheet.footer)\n"
            for cell in layout.cells {
                let panel = record.panels[cell.panelIndex]
                let shown = panels[cell.panelIndex]
                // The image as the manifest names it, relative to the Markdown: a book folder that
                // moves (or is checked out elsewhere) keeps its fingerprints and its pages.
                let picture = shown?.imagePath == nil ? "" : panel.currentImage?.path ?? ""
                text += "\(cell.rect)|\(shown?.id ?? "")|\(shown?.title ?? "")|\(panel.status.rawValue)|\(shown?.reason ?? "")|"
                    + "\(picture)|\(panel.currentImage?.contentHash ?? "")|\(panel.currentImage?.promptHash ?? "")"
                    + (panel.currentImage?.picked.map { "|picked \($0)" } ?? "") + (panel.currentImage?.pin.map { "|pin \($0.sha256)" } ?? "") + "\n"
            }
            sheet.fingerprint = SHA256.hex(text)
            return (group, sheet)
        }
        var counts: [PanelStatus: Int] = [:]
        for panel in record.panels { counts[panel.status, default: 0] += 1 }
        var lines: [String] = []
        if let file = record.input.fileName { lines.append(file) }
        lines.append("\(record.panels.count) panels on \(groups.count) page\(groups.count == 1 ? "" : "s"): "
            + PanelStatus.allCases.compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }.joined(separator: ", "))
        lines.append("")
        let listed = 40
        for group in groups.prefix(listed) {
            let ids = group.panelIndices.map { index -> String in
                let panel = record.panels[index]
                return panel.sheet.localID + (panel.status == .passed ? "" : " (\(panel.status.rawValue))")
            }
            lines.append("\(group.label): " + ids.joined(separator: ", "))
        }
        if groups.count > listed { lines.append("… and \(groups.count - listed) more pages") }
        cover = ComicSheetCover(title: title, lines: lines)
    }
}

/// Draws composed pages and the cover on any `SketchCanvas` (a PNG or a PDF page): the same
/// drawing code for both.
enum ComicPageRenderer {
    /// Decodes the page's images that are not sketches, each scaled to its cell (a missing or
    /// unreadable file draws as a hatched box).
    static func images(for page: ComicPageSheet) -> [Int: SketchImage] {
        var images: [Int: SketchImage] = [:]
        for cell in page.layout.cells {
            guard page.panels[cell.panelIndex]?.sketch == nil, let path = page.panels[cell.panelIndex]?.imagePath, let source = try? FileIO.readSource(path: path),
                  let image = SketchImage(png: source.bytes) else { continue }
            images[cell.panelIndex] = image.scaled(toFit: cell.rect.width.rounded(.down), cell.rect.height.rounded(.down))
        }
        return images
    }

    /// Sketches are drawn from their layouts (crisp at any scale, and no file to decode); other
    /// pictures from `images`.
    static func draw(_ page: ComicPageSheet, images: [Int: SketchImage], on canvas: SketchCanvas) {
        let layout = page.layout
        let unit = min(layout.width, layout.height)
        canvas.rectangle(SketchRect(x: 0, y: 0, width: layout.width, height: layout.height), fill: .white)
        let small = SketchTextStyle(font: SketchFont(size: (layout.header.height * 0.62).rounded()), color: .grey(0.25),
                                    alignment: .left, singleLine: true)
        canvas.drawText(page.heading, in: layout.header, style: small)
        var footerStyle = small
        footerStyle.alignment = .right
        canvas.drawText(page.footer, in: layout.footer, style: footerStyle)

        let border = SketchStroke(color: .grey(0.1), width: max(2, (unit * 0.003).rounded()))
        for cell in layout.cells {
            guard let panel = page.panels[cell.panelIndex] else { continue }
            if let sketch = panel.sketch {
                canvas.rectangle(cell.rect, fill: .grey(0.93))
                canvas.transformed(fitting: Double(sketch.size.width), Double(sketch.size.height), in: cell.rect) {
                    _ = SketchRenderer.draw(sketch.layout, size: sketch.size, on: canvas)
                }
            } else if let image = images[cell.panelIndex] {
                canvas.rectangle(cell.rect, fill: .grey(0.93))
                canvas.drawImage(image, fittingIn: cell.rect)
            } else {
                missing(panel, in: cell.rect, unit: unit, on: canvas)
            }
            let pictured = panel.sketch != nil || images[cell.panelIndex] != nil
            if pictured, panel.status == .forced || panel.status == .stale {
                tag(panel.status.rawValue, in: cell.rect, unit: unit, color: SketchColor(0.75, 0.4, 0), on: canvas)
            }
            canvas.rectangle(cell.rect, stroke: border)
        }
    }

    /// A hatched box with the panel's id, its status and the first reason.
    private static func missing(_ panel: ComicPageSheet.Panel, in rect: SketchRect, unit: Double, on canvas: SketchCanvas) {
        let failed = panel.status == .failed
        let ink = failed ? SketchColor(0.7, 0.15, 0.12) : .grey(0.45)
        canvas.rectangle(rect, fill: failed ? SketchColor(0.99, 0.95, 0.94) : .grey(0.96))
        canvas.hatch(rect, spacing: (unit * 0.025).rounded(), stroke: SketchStroke(color: ink.withAlpha(0.25), width: max(1, unit * 0.002)))
        let size = min(max(unit * 0.03, 10), rect.height * 0.2)
        let label = SketchRect(center: rect.center, width: min(rect.width * 0.85, size * 18), height: min(rect.height * 0.8, size * 9))
        canvas.rectangle(label, fill: .white, stroke: SketchStroke(color: ink, width: max(1, unit * 0.002)))
        var text = panel.id + (panel.title.map { " · " + $0 } ?? "") + "\n" + (failed ? "FAILED" : panel.status.rawValue.uppercased())
        if let reason = panel.reason { text += ": " + reason }
        canvas.drawText(text, in: label.insetBy(size * 0.5, size * 0.3),
                        style: SketchTextStyle(font: SketchFont(size: size * 0.7, bold: false), color: ink))
    }

    private static func tag(_ text: String, in rect: SketchRect, unit: Double, color: SketchColor, on canvas: SketchCanvas) {
        let size = max(unit * 0.018, 9)
        let box = SketchRect(x: rect.maxX - size * 6 - 4, y: rect.y + 4, width: size * 6, height: size * 1.6)
        canvas.rectangle(box, fill: color)
        canvas.drawText(text, in: box.insetBy(size * 0.2, size * 0.1), style: SketchTextStyle(font: SketchFont(size: size, bold: true), color: .white))
    }

    static func drawCover(_ cover: ComicSheetCover, width: Double, height: Double, on canvas: SketchCanvas) {
        let unit = min(width, height)
        canvas.rectangle(SketchRect(x: 0, y: 0, width: width, height: height), fill: .white)
        let margin = (width * 0.08).rounded()
        let titleRect = SketchRect(x: margin, y: margin, width: width - 2 * margin, height: unit * 0.12)
        canvas.drawText(cover.title, in: titleRect, style: SketchTextStyle(font: SketchFont(size: unit * 0.045, bold: true), alignment: .left))
        canvas.line(from: SketchPoint(margin, titleRect.maxY + unit * 0.01), to: SketchPoint(width - margin, titleRect.maxY + unit * 0.01),
                    stroke: SketchStroke(color: .grey(0.2), width: max(1, unit * 0.002)))
        let body = SketchRect(x: margin, y: titleRect.maxY + unit * 0.03, width: width - 2 * margin,
                              height: height - titleRect.maxY - unit * 0.03 - margin)
        // Text is centred in its box: give it a box its own height, from the top.
        let text = cover.lines.joined(separator: "\n")
        let style = SketchTextStyle(font: SketchFont(size: unit * 0.018), color: .grey(0.15), alignment: .left)
        let measured = canvas.measureText(text, style: style, wrapWidth: body.width)
        canvas.drawText(text, in: SketchRect(x: body.x, y: body.y, width: body.width, height: min(measured.height, body.height)), style: style)
    }
}

extension SketchColor {
    func withAlpha(_ alpha: Double) -> SketchColor { SketchColor(red, green, blue, alpha) }
}
