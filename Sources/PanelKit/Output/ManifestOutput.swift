import Foundation

/// `generated/<slug>/manifest.json`, written when the image phase changed it. Images of panels the
/// image phase dropped from the manifest (deleted from the Markdown) move to
/// `generated/<slug>/orphans/`, so the folder holds only what the document points at.
struct ManifestOutput: RunOutput {
    var name: String { "manifest.json" }
    var readsEarlierOutputs: Bool { false }

    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        var written: [WrittenFile] = []
        for (index, chapter) in run.chapters.enumerated() {
            guard let manifest = chapter.manifest, manifest != chapter.manifestBefore else { continue }
            let path = (chapter.directory as NSString).appendingPathComponent("manifest.json")
            try moveOrphans(chapter, manifest: manifest)
            written += try writeFile(Array(manifest.json.serialized().utf8), to: path, chapter: index)
        }
        return written
    }

    func moveOrphans(_ chapter: ChapterRecord, manifest: ImageManifest) throws(RunFailure) {
        let files = FileManager.default
        let gone = (chapter.manifestBefore?.entries ?? []).filter { manifest.entry($0.panelID) == nil }
        // The image and, with `image_candidates`, every candidate file.
        for path in gone.flatMap({ [$0.path] + $0.candidates }) {
            let image = ((chapter.input.folder as NSString).appendingPathComponent(path) as NSString).standardizingPath
            guard files.fileExists(atPath: image) else { continue }
            let orphans = (chapter.directory as NSString).appendingPathComponent("orphans")
            let target = (orphans as NSString).appendingPathComponent((image as NSString).lastPathComponent)
            do {
                try files.createDirectory(atPath: orphans, withIntermediateDirectories: true)
                if files.fileExists(atPath: target) { try files.removeItem(atPath: target) }
                try files.moveItem(atPath: image, toPath: target)
            } catch {
                throw .write("cannot move \(image) to \(orphans): \(error.localizedDescription)")
            }
        }
    }
}
