import Foundation

/// `generated/<slug>/index.html` for every chapter with panels, then `generated/index.html` for
/// every chapter gallery under each output folder (this run's and earlier ones'). Skipped with
/// `--no-gallery`. Written after the images, the page PNGs and the PDF it links to.
struct GalleryOutput: RunOutput {
    var name: String { "gallery" }
    /// Sources of extra per-chapter sections, shown under the chapter header in this order.
    static let sectionSources: [any GallerySectionSource] = [PacingGallerySection(), ContinuityGallerySection()]

    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        guard settings.writeGallery else { return [] }
        var written: [WrittenFile] = []
        var roots: [String] = []
        for (index, chapter) in run.chapters.enumerated() where chapter.hasGallery(settings) {
            let sections = Self.sectionSources.flatMap { $0.sections(for: chapter, in: run, settings: settings) }
            let gallery = GalleryChapter(chapter, pageImages: true, pdf: true, json: settings.writeJSON, sections: sections)
            let path = (chapter.directory as NSString).appendingPathComponent("index.html")
            written += try writeFile(Array(GalleryHTML.chapter(gallery).utf8), to: path, chapter: index)
            let root = (chapter.directory as NSString).deletingLastPathComponent
            if !roots.contains(root) { roots.append(root) }
        }
        for root in roots {
            let path = (root as NSString).appendingPathComponent("index.html")
            written += try writeFile(Array(GalleryHTML.index(Self.index(of: root)).utf8), to: path)
        }
        return written
    }

    /// Every chapter gallery panelproc wrote under `root`, by folder name.
    static func index(of root: String) -> GalleryIndex {
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        let entries = folders.compactMap { folder -> GalleryIndex.Entry? in
            let page = ((root as NSString).appendingPathComponent(folder) as NSString).appendingPathComponent("index.html")
            guard let source = try? FileIO.readSource(path: page) else { return nil }
            return GalleryHTML.readSummary(String(decoding: source.bytes, as: UTF8.self), href: folder + "/index.html")
        }
        return GalleryIndex(entries: entries)
    }
}

extension ChapterRecord {
    /// Whether this run writes the chapter's gallery, pages and PDF: it has panels, `--no-gallery`
    /// was not given, and the run writes something else under `generated/<slug>` (images or
    /// `chapter.json`). A text-only run that writes nothing there writes no gallery either.
    func hasGallery(_ settings: RunSettings) -> Bool {
        settings.writeGallery && !panels.isEmpty && (manifest != nil || settings.writeJSON)
    }
}
