import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// A request for the sketch provider: only the size and the layout matter to it.
func sketchRequest(_ layout: PanelLayout, width: Int = 768, height: Int = 512) -> ImageRequest {
    ImageRequest(prompt: "unused by the sketch renderer", negativePrompt: "", size: ImageSize(width: width, height: height),
                 references: [], layout: layout)
}

/// The realistic panel of the sample PNG: two characters, speech, caption and SFX, medium shot.
let samplePanel = PanelLayout(
    panelID: "p01-03", title: "The price of apples", shot: .medium, characters: ["Mira", "Theo"],
    bubbles: [
        Bubble(kind: .caption, speaker: nil, text: "Saturday morning, at the market."),
        Bubble(kind: .speech, speaker: "Mira", text: "Is that enough for three apples?"),
        Bubble(kind: .sfx, speaker: nil, text: "CLINK!"),
        Bubble(kind: .speech, speaker: "Theo", text: "Two coins more, and they're yours."),
    ])

/// Width and height from a PNG's IHDR chunk, after checking the signature and the closing IEND.
func pngDimensions(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    guard bytes.count > 45, Array(bytes.prefix(8)) == signature,
          Array(bytes[12..<16]) == Array("IHDR".utf8),
          Array(bytes[(bytes.count - 8)..<(bytes.count - 4)]) == Array("IEND".utf8)
    else { return nil }
    func bigEndian(_ offset: Int) -> Int { bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (bigEndian(16), bigEndian(20))
}

@Suite("Sketch renderer: offline layout thumbnails")
struct SketchImageProviderTests {
    let provider = SketchImageProvider()

    @Test("Identity: name, model, no reference images")
    func identity() {
        #expect(provider.name == "sketch")
        #expect(provider.model == "panelproc-sketch-1")
        #expect(!provider.acceptsReferenceImages)
    }

    @Test("A valid PNG whose IHDR matches the requested size", arguments: [(768, 512), (512, 768), (1024, 1024), (300, 200), (64, 40)])
    func validPNG(size: (Int, Int)) async throws {
        let image = try await provider.generate(sketchRequest(samplePanel, width: size.0, height: size.1))
        #expect(image.mimeType == "image/png")
        let dimensions = try #require(pngDimensions(image.bytes))
        #expect(dimensions.width == size.0)
        #expect(dimensions.height == size.1)
        #expect(image.metadata.model == "panelproc-sketch-1")
        #expect(image.metadata.costUSD == 0)
    }

    @Test("Same request, same bytes")
    func deterministic() async throws {
        let first = try await provider.generate(sketchRequest(samplePanel))
        let second = try await provider.generate(sketchRequest(samplePanel))
        #expect(first.bytes == second.bytes)
        #expect(first.warnings == second.warnings)
        #expect(first.metadata == second.metadata)
    }

    @Test("Same bytes under 16 concurrent renders")
    func deterministicConcurrently() async throws {
        let reference = try await provider.generate(sketchRequest(samplePanel)).bytes
        let other = PanelLayout(panelID: "p02-01", title: nil, shot: .establishing, characters: ["Ada", "Bo", "Cy"],
                                bubbles: [Bubble(kind: .thought, speaker: "Bo", text: "Where is everyone?")])
        let otherReference = try await provider.generate(sketchRequest(other, width: 640, height: 480)).bytes
        let provider = self.provider
        for _ in 0..<3 {
            let results = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let image = index.isMultiple(of: 2)
                            ? try await provider.generate(sketchRequest(samplePanel))
                            : try await provider.generate(sketchRequest(other, width: 640, height: 480))
                        return (index, image.bytes)
                    }
                }
                var all: [(Int, [UInt8])] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 16)
            for (index, bytes) in results {
                #expect(bytes == (index.isMultiple(of: 2) ? reference : otherReference), "render \(index) differs")
            }
        }
    }

    @Test("Same bytes on 16 threads rendering at once")
    func deterministicOnThreads() throws {
        // The task group above runs on the cooperative pool (as many threads as cores); here every
        // render has its own thread, so Pango's per-thread font maps are all in use at once.
        let layouts = [samplePanel] + ShotType.allCases.prefix(3).enumerated().map { index, shot in
            PanelLayout(panelID: "p07-0\(index)", title: nil, shot: shot, characters: Array(["Ada", "Bo", "Cy"].prefix(index + 1)),
                        bubbles: [Bubble(kind: .speech, speaker: "Bo", text: "Number \(index), over here!"),
                                  Bubble(kind: .sfx, speaker: nil, text: "BAM")])
        }
        let provider = self.provider
        let references = try layouts.map { try provider.render(sketchRequest($0)).bytes }
        let collected = Collected()
        let finished = DispatchGroup()
        for index in 0..<16 {
            finished.enter()
            Thread {
                for round in 0..<4 {
                    let which = (index + round) % layouts.count
                    let bytes = try? provider.render(sketchRequest(layouts[which])).bytes
                    collected.add(which, bytes ?? [])
                }
                finished.leave()
            }.start()
        }
        finished.wait()
        #expect(collected.count == 64)
        for (which, reference) in references.enumerated() {
            #expect(collected.distinct(which) == [reference], "layout \(which) rendered differently on some thread")
        }
    }

    @Test("A different panel gives different bytes")
    func differentPanel() async throws {
        let first = try await provider.generate(sketchRequest(samplePanel)).bytes
        var renamed = samplePanel
        renamed.panelID = "p01-04"
        var reworded = samplePanel
        reworded.bubbles[1].text = "Is that enough for four apples?"
        var reshot = samplePanel
        reshot.shot = .wide
        for changed in [renamed, reworded, reshot] {
            #expect(try await provider.generate(sketchRequest(changed)).bytes != first)
        }
    }

    @Test("A long bubble in a small image is reported; a short one is not")
    func overflow() async throws {
        let long = Array(repeating: "The merchant explains at great length why the price of apples has risen this season.", count: 8)
            .joined(separator: " ")
        let layout = PanelLayout(panelID: "p03-02", title: "Overflow", shot: .medium, characters: ["Mira"],
                                 bubbles: [Bubble(kind: .speech, speaker: "Mira", text: "Hello."),
                                           Bubble(kind: .speech, speaker: "Mira", text: long)])
        let image = try await provider.generate(sketchRequest(layout, width: 320, height: 200))
        #expect(image.warnings == ["bubble 2 (\"The merchant explains…\") overflows its balloon at the minimum font size"])
        #expect(pngDimensions(image.bytes) != nil)

        let short = PanelLayout(panelID: "p03-02", title: "Overflow", shot: .medium, characters: ["Mira"],
                                bubbles: [Bubble(kind: .speech, speaker: "Mira", text: "Hello."),
                                          Bubble(kind: .speech, speaker: "Mira", text: "Is that enough?")])
        #expect(try await provider.generate(sketchRequest(short, width: 320, height: 200)).warnings.isEmpty)
        // The sample panel fits at its usual size.
        #expect(try await provider.generate(sketchRequest(samplePanel)).warnings.isEmpty)
    }

    @Test("Every kind of bubble can overflow, and is named by its position", arguments: Bubble.Kind.allCases)
    func overflowEveryKind(kind: Bubble.Kind) async throws {
        let long = String(repeating: "word ", count: 400)
        let layout = PanelLayout(panelID: "p03-03", title: nil, shot: nil, characters: ["Mira"],
                                 bubbles: [Bubble(kind: kind, speaker: "Mira", text: long)])
        let image = try await provider.generate(sketchRequest(layout, width: 256, height: 192))
        #expect(image.warnings == ["bubble 1 (\"word word word…\") overflows its balloon at the minimum font size"])
    }

    @Test("No characters and no bubbles")
    func empty() async throws {
        for shot in [nil] + ShotType.allCases.map(Optional.some) {
            let layout = PanelLayout(panelID: "p00-00", title: nil, shot: shot, characters: [], bubbles: [])
            let image = try await provider.generate(sketchRequest(layout))
            #expect(pngDimensions(image.bytes)?.width == 768)
            #expect(image.warnings.isEmpty)
        }
    }

    @Test("Every shot type renders, with 1 to 8 characters and unmatched speakers",
          arguments: [nil] + ShotType.allCases.map(Optional.some))
    func allShots(shot: ShotType?) async throws {
        var seen: Set<[UInt8]> = []
        for count in [1, 2, 3, 6, 8] {
            let names = ["Mira", "Theo", "Ada", "Bo", "Cy", "Dee", "Eli", "Fay"].prefix(count)
            let layout = PanelLayout(
                panelID: "p05-0\(count)", title: "Shots", shot: shot, characters: Array(names),
                bubbles: [Bubble(kind: .speech, speaker: "Theo", text: "Over here!"),
                          Bubble(kind: .thought, speaker: "Nobody", text: "Hmm."),
                          Bubble(kind: .caption, speaker: nil, text: "Later."),
                          Bubble(kind: .sfx, speaker: nil, text: "BANG")])
            let image = try await provider.generate(sketchRequest(layout, width: 640, height: 400))
            #expect(pngDimensions(image.bytes)?.height == 400)
            #expect(image.warnings.isEmpty, "\(image.warnings)")
            seen.insert(image.bytes)
        }
        #expect(seen.count == 5)
    }

    @Test("Many bubbles go on several rows and still render")
    func manyBubbles() async throws {
        let bubbles = (1...7).map { Bubble(kind: $0 == 4 ? .caption : .speech, speaker: $0.isMultiple(of: 2) ? "Mira" : "Theo",
                                            text: "Line \($0).") }
        let layout = PanelLayout(panelID: "p06-01", title: nil, shot: .full, characters: ["Mira", "Theo"], bubbles: bubbles)
        let image = try await provider.generate(sketchRequest(layout))
        #expect(pngDimensions(image.bytes) != nil)
        #expect(image.warnings.isEmpty, "\(image.warnings)")
    }

    @Test("An impossible size is refused, not a crash")
    func impossibleSize() async throws {
        for size in [ImageSize(width: 0, height: 512), ImageSize(width: 512, height: -3), ImageSize(width: 40_000, height: 10)] {
            let request = ImageRequest(prompt: "", negativePrompt: "", size: size, references: [], layout: samplePanel)
            await #expect(throws: ProviderError.self) { try await provider.generate(request) }
            do {
                _ = try await provider.generate(request)
            } catch {
                #expect(error.kind == .refused)
                #expect(error.message.contains("\(size.width)x\(size.height)"))
            }
        }
    }

}

/// Every shot type with one, three and two (portrait) figures, a crowd with an off-panel voice, and
/// a balloon too long for its panel. With `PANELPROC_SKETCH_GALLERY=/some/folder` the PNGs are
/// also written there, for a person to look at.
@Suite("Sketch gallery: every framing draws, differently")
struct SketchGalleryTests {
    let provider = SketchImageProvider()
    let folder = ProcessInfo.processInfo.environment["PANELPROC_SKETCH_GALLERY"]

    func render(_ layout: PanelLayout, _ size: ImageSize, name: String) async throws -> GeneratedImage {
        let image = try await provider.generate(ImageRequest(prompt: "", negativePrompt: "", size: size, references: [], layout: layout))
        if let folder {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(image.bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name)-\(size).png"))
        }
        return image
    }

    @Test("Each shot type gives its own picture at the requested size; the usual lettering fits")
    func everyShot() async throws {
        var pictures: [[UInt8]: String] = [:]
        for shot in [nil] + ShotType.allCases.map(Optional.some) {
            for (count, size) in [(1, ImageSize(width: 768, height: 512)), (3, ImageSize(width: 768, height: 512)),
                                  (2, ImageSize(width: 512, height: 768))] {
                let names = ["Mira", "Theo", "Ada"].prefix(count)
                let layout = PanelLayout(
                    panelID: "g-\(shot?.rawValue ?? "none")-\(count)", title: "Gallery", shot: shot, characters: Array(names),
                    bubbles: [Bubble(kind: .caption, speaker: nil, text: "Meanwhile, back at the stall."),
                              Bubble(kind: .speech, speaker: "Mira", text: "Is that enough for three apples?"),
                              Bubble(kind: .thought, speaker: count > 1 ? "Theo" : "Mira", text: "She has no idea."),
                              Bubble(kind: .sfx, speaker: nil, text: "THUD")])
                let name = "\(shot?.rawValue ?? "none")-\(count)"
                let image = try await render(layout, size, name: name)
                let dimensions = try #require(pngDimensions(image.bytes))
                #expect(dimensions.width == size.width && dimensions.height == size.height, "\(name)")
                #expect(image.warnings.isEmpty, "\(name): \(image.warnings)")
                #expect(pictures[image.bytes] == nil, "\(name) draws the same picture as \(pictures[image.bytes] ?? "")")
                pictures[image.bytes] = name
            }
        }
    }

    @Test("A crowd of eight and an off-panel voice fit; a long speech still draws in a small panel")
    func crowdAndOverflow() async throws {
        let crowd = PanelLayout(panelID: "g-crowd", title: "Eight people and an off-panel voice", shot: .wide,
                                characters: ["Mira", "Theo", "Ada", "Bartholomew", "Cy", "Dee", "Eli", "Fay"],
                                bubbles: [Bubble(kind: .speech, speaker: "Voice", text: "Everyone, over here!"),
                                          Bubble(kind: .speech, speaker: "Fay", text: "Who said that?")])
        #expect(try await render(crowd, ImageSize(width: 768, height: 512), name: "crowd").warnings.isEmpty)
        let long = String(repeating: "The merchant explains at great length why apples cost more. ", count: 6)
        let overflow = PanelLayout(panelID: "g-overflow", title: nil, shot: .medium, characters: ["Mira", "Theo"],
                                   bubbles: [Bubble(kind: .speech, speaker: "Theo", text: long),
                                             Bubble(kind: .speech, speaker: "Mira", text: "Oh.")])
        let small = try await render(overflow, ImageSize(width: 320, height: 200), name: "overflow")
        let dimensions = try #require(pngDimensions(small.bytes))
        #expect(dimensions.width == 320 && dimensions.height == 200)
    }
}

/// Renders collected from several threads.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var byLayout: [Int: Set<[UInt8]>] = [:]
    private var added = 0

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return added
    }

    func add(_ layout: Int, _ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        byLayout[layout, default: []].insert(bytes)
        added += 1
    }

    func distinct(_ layout: Int) -> Set<[UInt8]> {
        lock.lock()
        defer { lock.unlock() }
        return byLayout[layout] ?? []
    }
}
