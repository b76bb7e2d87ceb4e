import Foundation

/// `generated/<slug>/manifest.json`, written when the image phase changed it.
struct ManifestOutput: RunOutput {
    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        var written: [WrittenFile] = []
        for (index, chapter) in run.chapters.enumerated() {
            guard let manifest = chapter.manifest, manifest != chapter.manifestBefore else { continue }
            let path = (chapter.directory as NSString).appendingPathComponent("manifest.json")
            try writeFile(Array(manifest.json.serialized().utf8), to: path)
            written.append(WrittenFile(chapter: index, path: path))
        }
        return written
    }
}
