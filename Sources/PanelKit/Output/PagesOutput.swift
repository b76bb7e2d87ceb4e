import Foundation

/// `generated/<slug>/pages/page-NN.png` (each comic page composed: its panels' images in a gutter
/// grid, a hatched box for a panel without a current image) and `generated/<slug>/thumbnails.pdf`
/// (a cover, then one PDF page per comic page, drawn by the same code). Skipped with `--no-gallery`.
struct PagesOutput: RunOutput {
    /// A PDF page is the PNG page scaled: 1200x1800 pixels become 480x720 points (6.67x10 in).
    static let pointsPerPixel = 0.4

    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        guard settings.writeGallery else { return [] }
        var written: [WrittenFile] = []
        for (index, chapter) in run.chapters.enumerated() where !chapter.panels.isEmpty {
            let aspect = Double(settings.imageSize.width) / Double(settings.imageSize.height)
            written += try write(chapter, size: settings.pageSize, aspect: aspect).map { WrittenFile(chapter: index, path: $0) }
        }
        return written
    }

    /// Writes one chapter's page PNGs (pages in parallel) and its PDF; removes page PNGs left from
    /// a longer version of the chapter.
    func write(_ chapter: ChapterRecord, size: ImageSize, aspect: Double) throws(RunFailure) -> [String] {
        let sheets = ChapterSheets(chapter, size: size, aspect: aspect)
        let folder = (chapter.directory as NSString).appendingPathComponent("pages")
        let paths = sheets.pages.map { (folder as NSString).appendingPathComponent($0.group.fileName) }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: sheets.pages.count) { index in
            let sheet = sheets.pages[index].sheet
            do {
                let canvas = try SketchCanvas(width: size.width, height: size.height)
                ComicPageRenderer.draw(sheet, images: ComicPageRenderer.images(for: sheet), on: canvas)
                try FileIO.writeAtomically(try canvas.pngBytes(), to: paths[index])
            } catch {
                failures.add("\(paths[index]): \(error)")
            }
        }
        if let failure = failures.first { throw .write(failure) }
        removeStalePages(in: folder, keeping: Set(sheets.pages.map(\.group.fileName)))

        let pdfPath = (chapter.directory as NSString).appendingPathComponent("thumbnails.pdf")
        do {
            let pdf = try SketchCanvas(pdfWidth: size.width, height: size.height, scale: Self.pointsPerPixel)
            ComicPageRenderer.drawCover(sheets.cover, width: Double(size.width), height: Double(size.height), on: pdf)
            for page in sheets.pages {
                pdf.showPage()
                ComicPageRenderer.draw(page.sheet, images: ComicPageRenderer.images(for: page.sheet), on: pdf)
            }
            try writeFile(try pdf.pdfBytes(), to: pdfPath)
        } catch let failure as RunFailure {
            throw failure
        } catch {
            throw .write("\(pdfPath): \(error)")
        }
        return paths + [pdfPath]
    }

    private func removeStalePages(in folder: String, keeping: Set<String>) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasPrefix("page-") && name.hasSuffix(".png") && !keeping.contains(name) {
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
    }

    /// The first failure of pages drawn in parallel.
    private final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []
        func add(_ message: String) { lock.lock(); messages.append(message); lock.unlock() }
        var first: String? { lock.lock(); defer { lock.unlock() }; return messages.sorted().first }
    }
}
