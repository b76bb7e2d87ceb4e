import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// A provider that records every request and answers with a PNG-signed payload unique to the
/// prompt and the candidate number, so candidates differ and tests can tell them apart.
final class RecordingImageProvider: ImageProvider, @unchecked Sendable {
    let name = "recording"
    let model = "recording-1"
    let acceptsReferenceImages: Bool
    private let lock = NSLock()
    private var seen: [ImageRequest] = []

    init(acceptsReferenceImages: Bool = false) { self.acceptsReferenceImages = acceptsReferenceImages }

    var requests: [ImageRequest] { lock.withLock { seen } }
    func requests(for localID: String) -> [ImageRequest] { requests.filter { $0.layout.panelID.hasSuffix("/" + localID) } }

    func generate(_ request: ImageRequest) async throws(ProviderError) -> GeneratedImage {
        lock.withLock { seen.append(request) }
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + Array(SHA256.hex("\(request.prompt)|\(request.layout.variant)").utf8)
        return GeneratedImage(bytes: bytes, mimeType: "image/png", metadata: ImageMetadata(model: model))
    }
}

extension ImageBook {
    /// Runs like `panelproc -i --json` with any provider.
    @discardableResult
    func run(_ names: [String], with provider: any ImageProvider, configure: (inout RunSettings) -> Void = { _ in }) async throws -> RunReport {
        var settings = RunSettings()
        settings.writeJSON = true
        settings.inPlace = true
        configure(&settings)
        let pipeline = Pipeline(settings: settings, imageProvider: provider)
        return try await pipeline.run(try pipeline.prepare(files: names.map(url)))
    }

    /// `--dry-run`'s plan.
    func plan(_ names: [String], with provider: any ImageProvider, configure: (inout RunSettings) -> Void = { _ in }) async throws -> RunPlan {
        var settings = RunSettings()
        configure(&settings)
        let pipeline = Pipeline(settings: settings, imageProvider: provider)
        return try await pipeline.plan(try pipeline.prepare(files: names.map(url)))
    }

    func bytes(_ name: String) throws -> [UInt8] { try RepoPaths.bytes(url(name)) }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: url(name).path) }

    func manifest(_ slug: String) throws -> ImageManifest {
        try ImageManifest.load(path: url("generated/\(slug)/manifest.json").path, chapterSlug: slug)
    }

    func target(_ panel: String, in file: String) throws(RunFailure) -> PanelTarget {
        try PanelTarget.locate(panel, file: url(file).path, settings: RunSettings())
    }

    /// Writes `text` to `name`.
    func write(_ text: String, to name: String) throws { try Data(text.utf8).write(to: url(name)) }

    /// Replaces the first `old` in `name` with `new`.
    func replace(_ old: String, with new: String, in name: String) throws {
        let text = try self.text(name)
        let range = try #require(text.range(of: old), "\(old) not in \(name)")
        try write(text.replacingCharacters(in: range, with: new), to: name)
    }
}

/// The error an image control call threw, as an input error (a test fails on anything else).
func inputError(_ body: () throws(RunFailure) -> String) -> InputError? {
    do throws(RunFailure) {
        _ = try body()
        Issue.record("expected an input error")
        return nil
    } catch {
        guard case .input(let input) = error else {
            Issue.record("expected an input error, got \(error)")
            return nil
        }
        return input
    }
}
