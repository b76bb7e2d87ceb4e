import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Pin your own image")
struct PinTests {
    let slug = "01-paper-and-promises"
    /// A real PNG (the sketch of a tiny panel) standing in for an artist's drawing.
    static func artwork() throws -> [UInt8] {
        let layout = PanelLayout(panelID: "art", title: "artist", shot: .medium, characters: ["Ada"], bubbles: [])
        return try SketchImageProvider().render(ImageRequest(prompt: "", negativePrompt: "", size: ImageSize(width: 200, height: 120),
                                                             references: [], layout: layout)).bytes
    }

    @Test("pin copies the image, records pinned with its SHA-256 and name; --force-images and a text change never regenerate it; unpin does")
    func pinLifecycle() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let provider = RecordingImageProvider()
        try await book.run(["01-paper-and-promises.md"], with: provider)
        let art = try Self.artwork()
        try Data(art).write(to: book.url("bank-hall.png"))
        let markdown = try book.bytes("01-paper-and-promises.md")
        let message = try ImageControl.pin(try book.target("p01-03", in: "01-paper-and-promises.md"), image: book.url("bank-hall.png").path,
                                           maxBytes: 20 << 20)
        #expect(message.contains("pinned bank-hall.png"))
        let path = "generated/\(slug)/images/p01-03.png"
        #expect(try book.bytes(path) == art)
        #expect(try book.bytes("01-paper-and-promises.md") == markdown)
        let entry = try #require(try book.manifest(slug).entry("\(slug)/p01-03"))
        #expect(entry.status == "pinned")
        #expect(entry.pin == .init(sha256: SHA256.hex(art), originalName: "bank-hall.png"))
        let json = JSONValue(try LocatedJSON.parse(try book.bytes("generated/\(slug)/chapter.json"), file: "chapter.json"))
        #expect(json["panels"]?.array?.first { $0["id"]?.string == "\(slug)/p01-03" }?["image"]?["pinned"]?["original_name"]?.string == "bank-hall.png")

        // --force-images makes every other image again, never the pinned one.
        let before = provider.requests.count
        let forced = try await book.run(["01-paper-and-promises.md"], with: provider) { $0.forceImages = true }
        #expect(provider.requests.count == before + 3)
        #expect(provider.requests(for: "p01-03").count == 1)
        #expect(forced.imagesMade == 3)
        #expect(try book.bytes(path) == art)
        #expect(try book.text("01-paper-and-promises.md").contains("](\(path))"))

        // The text changes: still pinned, and the summary and the dry run say so.
        try book.replace("winks at Mira", with: "winks slowly at Mira", in: "01-paper-and-promises.md")
        let plan = try await book.plan(["01-paper-and-promises.md"], with: provider)
        #expect(plan.panels.first { $0.panelID.hasSuffix("p01-03") }?.image == "pinned (text changed since pin)")
        let changed = try await book.run(["01-paper-and-promises.md"], with: provider)
        #expect(changed.imageControlNotes == ["p01-03: pinned, text changed since pin"])
        #expect(provider.requests(for: "p01-03").count == 1)
        #expect(try book.bytes(path) == art)

        // unpin: the next run makes a new image.
        _ = try ImageControl.unpin(try book.target("p01-03", in: "01-paper-and-promises.md"))
        #expect(try book.manifest(slug).entry("\(slug)/p01-03") == nil)
        try await book.run(["01-paper-and-promises.md"], with: provider)
        #expect(provider.requests(for: "p01-03").count == 2)
        #expect(try book.bytes(path) != art)
        #expect(try book.manifest(slug).entry("\(slug)/p01-03")?.status == "generated")
    }

    @Test("A JPEG pin keeps its format: images/<id>.jpg, and the run points the image line at it")
    func jpegPin() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("JFIF fake body".utf8)
        try Data(jpeg).write(to: book.url("photo.jpeg"))
        _ = try ImageControl.pin(try book.target("p01-01", in: "01-paper-and-promises.md"), image: book.url("photo.jpeg").path, maxBytes: 1 << 20)
        #expect(try book.bytes("generated/\(slug)/images/p01-01.jpg") == jpeg)
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider())
        #expect(try book.text("01-paper-and-promises.md").contains("(generated/\(slug)/images/p01-01.jpg)"))
    }

    @Test("pin refuses a missing file, a non-image, a GIF, an image over the limit, a folder and an unknown panel: exit 2, nothing changed",
          arguments: ["missing", "text", "gif", "large", "folder", "panel"])
    func pinBadInput(kind: String) async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider())
        let manifest = try book.bytes("generated/\(slug)/manifest.json")
        let image = try book.bytes("generated/\(slug)/images/p01-03.png")
        var file = book.url("input").path
        var panel = "p01-03"
        var limit = 20 << 20
        switch kind {
        case "missing": file = book.url("nowhere.png").path
        case "text": try Data("just words".utf8).write(to: book.url("input"))
        case "gif": try Data(Array("GIF89a".utf8) + [0, 1, 0, 1]).write(to: book.url("input"))
        case "large":
            try Data(try Self.artwork()).write(to: book.url("input"))
            limit = 100
        case "folder": file = book.url("characters").path
        default:
            try Data(try Self.artwork()).write(to: book.url("input"))
            panel = "p09-09"
        }
        let error = inputError { () throws(RunFailure) in
            try ImageControl.pin(try PanelTarget.locate(panel, file: book.url("01-paper-and-promises.md").path, settings: RunSettings()),
                                 image: file, maxBytes: limit)
        }
        let expected = ["missing": "no such file", "text": "is not an image", "gif": "is a GIF image; pin takes PNG, JPEG or WebP",
                        "large": "over the 0.0 MB limit", "folder": "is a folder, not an image", "panel": "no panel p09-09"][kind]!
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(try book.bytes("generated/\(slug)/manifest.json") == manifest)
        #expect(try book.bytes("generated/\(slug)/images/p01-03.png") == image)
    }

    @Test("unpin refuses a panel that is not pinned")
    func unpinNotPinned() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider())
        let error = inputError { () throws(RunFailure) in try ImageControl.unpin(try book.target("p01-01", in: "01-paper-and-promises.md")) }
        #expect(error?.message == "p01-01 is not pinned")
    }
}

@Suite("Pinned images: header sizes and chapter.json")
struct PinnedEntryTests {
    @Test("The pixel size from a PNG, a JPEG and a WebP (VP8, VP8L, VP8X) header")
    func dimensions() throws {
        let png = try PinTests.artwork()
        #expect(ImageDimensions.of(png) == ImageSize(width: 200, height: 120))
        // SOI, an APP0 segment, then SOF0 with height 480 and width 640.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03]
        #expect(ImageDimensions.of(jpeg) == ImageSize(width: 640, height: 480))
        let riff = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8)
        let vp8x = riff + Array("VP8X".utf8) + [10, 0, 0, 0, 0, 0, 0, 0] + [0x1F, 0x03, 0x00, 0xDF, 0x01, 0x00]
        #expect(ImageDimensions.of(vp8x) == ImageSize(width: 800, height: 480))
        let vp8 = riff + Array("VP8 ".utf8) + [0, 0, 0, 0, 0, 0, 0, 0x9D, 0x01, 0x2A] + [0x40, 0x01, 0xF0, 0x00]
        #expect(ImageDimensions.of(vp8) == ImageSize(width: 320, height: 240))
        let width = 100 - 1, height = 50 - 1, bits = width | height << 14
        let vp8l = riff + Array("VP8L".utf8) + [0, 0, 0, 0, 0x2F] + [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24 & 0xFF)]
            + [0, 0, 0, 0, 0]
        #expect(ImageDimensions.of(vp8l) == ImageSize(width: 100, height: 50))
        #expect(ImageDimensions.of(Array("not an image".utf8)) == nil)
    }

    @Test("chapter.json with a pinned and a picked panel still validates against the schema")
    func schema() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider()) { $0.imageControl.candidates = 2 }
        try Data(try PinTests.artwork()).write(to: book.url("art.png"))
        _ = try ImageControl.pin(try book.target("p01-03", in: "01-paper-and-promises.md"), image: book.url("art.png").path, maxBytes: 1 << 20)
        _ = try ImageControl.pick(try book.target("p01-01", in: "01-paper-and-promises.md"), candidate: 2)
        let entry = try #require(try book.manifest("01-paper-and-promises").entry("01-paper-and-promises/p01-03"))
        #expect(entry.size == "200x120")
        #expect(entry.promptHash == entry.pin?.sha256)
        let path = book.url("generated/01-paper-and-promises/chapter.json").path
        let first = try await validateWithJSONSchema([path])
        #expect(first.status == 0, "\(first.stdoutText)\(first.stderr)")
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider()) { $0.imageControl.candidates = 2 }
        let json = try book.text("generated/01-paper-and-promises/chapter.json")
        #expect(json.contains("\"pinned\"") && json.contains("\"picked\": 2"))
        let again = try await validateWithJSONSchema([path])
        #expect(again.status == 0, "\(again.stdoutText)\(again.stderr)")
    }
}
