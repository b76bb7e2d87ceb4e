import Foundation

/// One panel of one chapter, found for `panelproc pick`, `pin` or `unpin`: the chapter as the run
/// would prepare it (so its content hash is the run's), where its outputs live, and its manifest.
public struct PanelTarget: Sendable {
    var prepared: PreparedChapter
    var panelIndex: Int
    /// `generated/<slug>`.
    var directory: String
    var manifest: ImageManifest

    var panel: ComicPanelImageSheet { prepared.chapter.panels[panelIndex] }
    var manifestPath: String { (directory as NSString).appendingPathComponent("manifest.json") }
    var chapterJSONPath: String { (directory as NSString).appendingPathComponent("chapter.json") }
    /// The file a person named, for messages.
    var displayName: String { prepared.input.displayName }

    /// An absolute path for a manifest path (relative to the Markdown file's folder).
    func absolute(_ manifestPath: String) -> String {
        ((prepared.input.folder as NSString).appendingPathComponent(manifestPath) as NSString).standardizingPath
    }

    /// Finds `panelID` (`p01-03` or `<slug>/p01-03`) in `file`, or in the chapters under the
    /// working folder when no file is named. Not found: an input error suggesting the nearest ids.
    public static func locate(_ panelID: String, file: String?, settings: RunSettings) throws(RunFailure) -> PanelTarget {
        let files = file.map { [$0] } ?? StatusRun.candidateFiles(["."]).filter { path in
            (try? FileIO.readSource(path: path)).map { StatusRun.mayHavePanels($0.bytes) } ?? false
        }
        let parse = ParsePhase(settings: settings)
        var databases: [String: CharacterDatabase] = [:]
        var matches: [(PreparedChapter, Int)] = []
        var known: [String] = []
        for path in files {
            let prepared: PreparedChapter
            do {
                prepared = try parse.prepare(try InputDocument.read(path), databases: &databases)
            } catch {
                // A named file must parse; others found by searching are skipped when broken.
                if file != nil { throw .input(error) }
                continue
            }
            for (index, panel) in prepared.chapter.panels.enumerated() {
                known.append(file == nil ? panel.id : panel.localID)
                if panel.id == panelID || panel.localID == panelID { matches.append((prepared, index)) }
            }
        }
        let place = file ?? "the chapters under \(FileManager.default.currentDirectoryPath)"
        guard let (prepared, index) = matches.first else {
            let nearest = Self.nearest(panelID, in: known)
            throw .input(InputError(file: file ?? "panelproc", message: "no panel \(panelID) in \(place)",
                                    hint: nearest.isEmpty ? "the file has no panels" : "nearest panel ids: \(nearest.joined(separator: ", "))"))
        }
        if matches.count > 1 {
            throw .input(InputError(file: "panelproc", message: "\(panelID) is a panel of several chapters: "
                                        + matches.map { $0.0.chapter.panels[$0.1].id }.joined(separator: ", "),
                                    hint: "name the chapter file after the panel id, or use the full id (<slug>/\(panelID))"))
        }
        let directory = settings.chapterDirectory(for: prepared.input, slug: prepared.chapter.slug)
        let manifest: ImageManifest
        do {
            manifest = try ImageManifest.load(path: (directory as NSString).appendingPathComponent("manifest.json"),
                                              chapterSlug: prepared.chapter.slug)
        } catch {
            throw .input(error)
        }
        return PanelTarget(prepared: prepared, panelIndex: index, directory: directory, manifest: manifest)
    }

    /// The three ids closest to `id` by edit distance.
    static func nearest(_ id: String, in ids: [String]) -> [String] {
        ids.map { (NearMissMarker.distance(id.lowercased(), $0.lowercased()), $0) }.sorted { $0 < $1 }.prefix(3).map(\.1)
    }

    /// Writes the changed manifest and, when it exists, `chapter.json` with the panel's image
    /// replaced: atomically, the manifest first.
    func save(_ manifest: ImageManifest) throws(RunFailure) {
        do throws(FileIO.WriteError) {
            try FileIO.writeAtomically(Array(manifest.json.serialized().utf8), to: manifestPath)
        } catch {
            throw .write(error.description)
        }
        guard FileManager.default.fileExists(atPath: chapterJSONPath) else { return }
        let document: JSONValue
        do {
            document = try JSONValue.parse(String(decoding: try FileIO.readSource(path: chapterJSONPath).bytes, as: UTF8.self), file: chapterJSONPath)
        } catch {
            throw .input(error)
        }
        guard let updated = ImageControlJSON.replacingImage(in: document, panelID: panel.id, with: manifest.entry(panel.id)) else { return }
        do throws(FileIO.WriteError) {
            try FileIO.writeAtomically(Array(updated.serialized().utf8), to: chapterJSONPath)
        } catch {
            throw .write(error.description)
        }
    }
}
