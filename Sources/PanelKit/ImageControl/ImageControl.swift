import Foundation

/// `panelproc pick`, `pin` and `unpin`: the writer's choices about one panel's image, recorded
/// in the manifest (and `chapter.json`). The Markdown's image line is never touched: it already
/// points at `images/<id>.png`, which holds the chosen picture. Every check runs before anything
/// is written, so bad input (exit 2) leaves every file as it was.
public enum ImageControl {
    /// Makes candidate `number` the panel's image. Returns what was done, for people.
    public static func pick(_ target: PanelTarget, candidate number: Int) throws(RunFailure) -> String {
        let panel = target.panel
        guard var entry = target.manifest.entry(panel.id) else {
            throw .input(InputError(file: target.displayName, message: "\(panel.localID) has no image yet",
                                    hint: "run panelproc with --candidates N (2-8) first, then pick one"))
        }
        if entry.isPinned {
            throw .input(InputError(file: target.displayName, message: "\(panel.localID) is pinned (\(entry.pin?.originalName ?? entry.path))",
                                    hint: "`panelproc unpin \(panel.localID)` returns it to generation; pick after the next run"))
        }
        guard entry.status == "generated", !entry.candidates.isEmpty else {
            throw .input(InputError(file: target.displayName,
                                    message: "\(panel.localID) has no candidates" + (entry.status == "generated" ? "" : " (its image is \(entry.status))"),
                                    hint: "run panelproc with --candidates N (2-8) to make several, then pick one"))
        }
        guard (1...entry.candidates.count).contains(number) else {
            throw .input(InputError(file: target.displayName,
                                    message: "\(panel.localID) has \(entry.candidates.count) candidates; there is no candidate \(number)",
                                    hint: "pick 1 to \(entry.candidates.count)"))
        }
        let source = target.absolute(entry.candidates[number - 1])
        let bytes: [UInt8]
        do { bytes = try FileIO.readSource(path: source).bytes } catch { throw .input(error) }
        entry.picked = number
        var manifest = target.manifest
        manifest.upsert(entry)
        do throws(FileIO.WriteError) {
            try FileIO.writeAtomically(bytes, to: target.absolute(entry.path))
        } catch {
            throw .write(error.description)
        }
        try target.save(manifest)
        return "\(panel.localID): candidate \(number) of \(entry.candidates.count) is the image now (\(entry.path))"
    }

    /// The formats `pin` takes, by their first bytes.
    static let pinnable = ["image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"]

    /// Copies the writer's own image into the panel's image path and marks it `pinned`.
    public static func pin(_ target: PanelTarget, image path: String, maxBytes: Int) throws(RunFailure) -> String {
        let panel = target.panel
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw .input(InputError(file: path, message: isFolder.boolValue ? "is a folder, not an image" : "no such file",
                                    hint: "name a PNG, JPEG or WebP file"))
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxBytes {
            throw .input(InputError(file: path, message: "is \(megabytes(size)), over the \(megabytes(maxBytes)) limit for pinned images",
                                    hint: "make it smaller, or raise `pin_max_mb` in panelproc.yml"))
        }
        let bytes: [UInt8]
        do { bytes = try FileIO.readSource(path: path).bytes } catch { throw .input(error) }
        guard bytes.count <= maxBytes else {
            throw .input(InputError(file: path, message: "is \(megabytes(bytes.count)), over the \(megabytes(maxBytes)) limit for pinned images",
                                    hint: "make it smaller, or raise `pin_max_mb` in panelproc.yml"))
        }
        guard let mimeType = ImageBytes.mimeType(of: bytes) else {
            throw .input(InputError(file: path, message: "is not an image (its first bytes are not those of a PNG, JPEG or WebP file)",
                                    hint: "export the drawing as PNG, JPEG or WebP"))
        }
        guard let ext = pinnable[mimeType] else {
            throw .input(InputError(file: path, message: "is a \(mimeType.replacingOccurrences(of: "image/", with: "").uppercased()) image; pin takes PNG, JPEG or WebP",
                                    hint: "convert it to PNG"))
        }
        let absolute = ((target.directory as NSString).appendingPathComponent("images") as NSString)
            .appendingPathComponent(panel.localID + "." + ext)
        let relative = ImagePhase.relativePath(absolute, from: target.prepared.input.folder)
        let digest = SHA256.hex(bytes)
        var entry = ImageManifest.Entry(
            panelID: panel.id, status: "pinned", contentHash: panel.contentHash, promptHash: digest, provider: "pinned", model: "",
            size: (ImageDimensions.of(bytes) ?? ImageSize(width: 0, height: 0)).description, path: relative, generatedAt: ImagePhase.timestamp(), metadata: ImageMetadata(model: ""), costUSD: 0, reason: nil)
        entry.pin = .init(sha256: digest, originalName: (path as NSString).lastPathComponent)
        var manifest = target.manifest
        manifest.upsert(entry)
        do throws(FileIO.WriteError) {
            try FileIO.writeAtomically(bytes, to: absolute)
        } catch {
            throw .write(error.description)
        }
        try target.save(manifest)
        return "\(panel.localID): pinned \((path as NSString).lastPathComponent) as \(relative) (sha256 \(digest.prefix(12))…); "
            + "it is never regenerated until `panelproc unpin \(panel.localID)`"
    }

    /// Returns a pinned panel to generation: its entry leaves the manifest, so the next run makes
    /// a new image (the pinned file stays where it is until then).
    public static func unpin(_ target: PanelTarget) throws(RunFailure) -> String {
        let panel = target.panel
        guard let entry = target.manifest.entry(panel.id), entry.isPinned else {
            throw .input(InputError(file: target.displayName, message: "\(panel.localID) is not pinned",
                                    hint: "`panelproc pin \(panel.localID) IMAGE` pins an image"))
        }
        var manifest = target.manifest
        manifest.entries.removeAll { $0.panelID == panel.id }
        try target.save(manifest)
        return "\(panel.localID): unpinned \(entry.pin?.originalName ?? entry.path); the next run makes a new image"
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1024 / 1024)
    }
}
