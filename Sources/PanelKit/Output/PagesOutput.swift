import Foundation

/// `generated/<slug>/pages/page-NN.png` (each comic page composed: its panels' images in a gutter
/// grid, a hatched box for a panel without a current image) and `generated/<slug>/thumbnails.pdf`
/// (a cover, then one PDF page per comic page, drawn by the same code). Skipped with `--no-gallery`.
struct PagesOutput: RunOutput {
    var name: String { "pages" }
    var readsEarlierOutputs: Bool { false }

    /// A PDF page is the PNG page scaled: 1200x1800 pixels become 480x720 points (6.67x10 in).
    static let pointsPerPixel = 0.4

    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        guard settings.writeGallery else { return [] }
        var written: [WrittenFile] = []
        for (index, chapter) in run.chapters.enumerated() where chapter.hasGallery(settings) {
            let aspect = Double(settings.imageSize.width) / Double(settings.imageSize.height)
            written += try write(chapter, size: settings.pageSize, aspect: aspect).map { WrittenFile(chapter: index, path: $0) }
        }
        return written
    }

    /// Writes one chapter's page PNGs and its PDF. One worker draws the PDF (the cover, then
    /// every page) while the others draw and write the page PNGs, each worker on one canvas of
    /// its own; the PDF's worker joins them when it is done. Sketches are drawn from their layouts on both
    /// (the same drawing as the panel's own PNG, without decoding it); other images are decoded
    /// and scaled to their cells. A page whose fingerprint (`pages/fingerprints.txt`) is unchanged
    /// and whose PNG exists is not drawn again; nor is the PDF when no page and not the cover
    /// changed. Removes page PNGs left from a longer version of the chapter. Returns the pages
    /// folder and the PDF's path.
    func write(_ chapter: ChapterRecord, size: ImageSize, aspect: Double) throws(RunFailure) -> [String] {
        let sheets = ChapterSheets(chapter, size: size, aspect: aspect)
        let folder = (chapter.directory as NSString).appendingPathComponent("pages")
        let paths = sheets.pages.map { (folder as NSString).appendingPathComponent($0.group.fileName) }
        let pdfPath = (chapter.directory as NSString).appendingPathComponent("thumbnails.pdf")
        let fingerprintsPath = (folder as NSString).appendingPathComponent("fingerprints.txt")
        let exists = { (path: String) in FileManager.default.fileExists(atPath: path) }

        let before = Self.fingerprints(at: fingerprintsPath)
        var after = sheets.pages.map { ($0.group.fileName, $0.sheet.fingerprint) }
        after.append(("thumbnails.pdf", SHA256.hex(([sheets.cover.title] + sheets.cover.lines + after.map(\.1)).joined(separator: "\n"))))
        let pageCurrent = sheets.pages.indices.map { before[after[$0].0] == after[$0].1 && exists(paths[$0]) }
        let pdfCurrent = before["thumbnails.pdf"] == after.last?.1 && exists(pdfPath)

        let pdf = PDFDocument()
        let failures = Failures()
        let stale = Queue(sheets.pages.indices.filter { !pageCurrent[$0] })
        // One worker a core for the page PNGs, and one more that draws the PDF first. Each worker
        // makes one canvas and draws all its pages on it: a fresh 1200x1800 surface a page meant
        // faulting in and zeroing 8 MB every time.
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        // Files are written (and synced) on a queue of their own, so a worker draws its next page
        // while the disk takes the last one; a few pages at most wait in memory.
        let writer = DispatchQueue(label: "panelproc.pages.writer")
        let writes = DispatchGroup()
        let waiting = DispatchSemaphore(value: 4)
        DispatchQueue.concurrentPerform(iterations: workers + 1) { job in
            if job == 0, !pdfCurrent {
                // Made, drawn and finished on this one thread: Pango's font map is per thread.
                do {
                    let canvas = try SketchCanvas(pdfWidth: size.width, height: size.height, scale: Self.pointsPerPixel)
                    ComicPageRenderer.drawCover(sheets.cover, width: Double(size.width), height: Double(size.height), on: canvas)
                    for page in sheets.pages {
                        canvas.showPage()
                        ComicPageRenderer.draw(page.sheet, images: ComicPageRenderer.images(for: page.sheet), on: canvas)
                    }
                    pdf.bytes = try canvas.pdfBytes()
                } catch {
                    failures.add("\(pdfPath): \(error)")
                }
            }
            var canvas: SketchCanvas?
            while let index = stale.next() {
                let sheet = sheets.pages[index].sheet
                do {
                    let page = try canvas ?? SketchCanvas(width: size.width, height: size.height, curveTolerance: SketchCanvas.pageCurveTolerance)
                    canvas = page
                    // The drawing starts by painting the whole page, so nothing of the last page stays.
                    ComicPageRenderer.draw(sheet, images: ComicPageRenderer.images(for: sheet), on: page)
                    let bytes = try page.fastPNGBytes()
                    let path = paths[index]
                    waiting.wait()
                    writer.async(group: writes) {
                        defer { waiting.signal() }
                        do { try FileIO.writeAtomically(bytes, to: path) } catch { failures.add("\(path): \(error)") }
                    }
                } catch {
                    failures.add("\(paths[index]): \(error)")
                }
            }
        }
        writes.wait()
        if let failure = failures.first { throw .write(failure) }
        removeStalePages(in: folder, keeping: Set(sheets.pages.map(\.group.fileName)))
        if let bytes = pdf.bytes { try writeFile(bytes, to: pdfPath) }
        let text = after.map { "\($0.1)  \($0.0)\n" }.joined()
        if Self.fingerprints(at: fingerprintsPath) != Dictionary(after, uniquingKeysWith: { $1 }) || !exists(fingerprintsPath) {
            try writeFile(Array(text.utf8), to: fingerprintsPath)
        }
        // The summary names the folder once rather than every page, and nothing when nothing changed.
        if pageCurrent.allSatisfy({ $0 }) && pdfCurrent { return [] }
        return [folder + "/", pdfPath]
    }

    /// `pages/fingerprints.txt`: one `<sha256>  <file>` line per page, then the PDF's.
    static func fingerprints(at path: String) -> [String: String] {
        guard let source = try? FileIO.readSource(path: path) else { return [:] }
        var result: [String: String] = [:]
        for line in String(decoding: source.bytes, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { result[parts[1].trimmingWhitespace()] = String(parts[0]) }
        }
        return result
    }

    /// The pages still to draw, handed out one at a time to whichever worker asks.
    private final class Queue: @unchecked Sendable {
        private let lock = NSLock()
        private let items: [Int]
        private var position = 0
        init(_ items: [Int]) { self.items = items }
        func next() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard position < items.count else { return nil }
            position += 1
            return items[position - 1]
        }
    }

    /// The PDF's bytes, set by the one worker that draws it and read after every worker is done.
    private final class PDFDocument: @unchecked Sendable {
        var bytes: [UInt8]?
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
