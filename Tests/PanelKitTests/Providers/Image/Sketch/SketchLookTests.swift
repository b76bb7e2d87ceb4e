@testable import PanelKit
import Testing

private func panel(_ markdown: String) throws -> ComicPanelImageSheet {
    let chapter = try ChapterParser().parse(SourceText(bytes: Array(("## Page 1\n\n### Panel 1\n\n" + markdown).utf8)), file: "t.md")
    return try #require(chapter.panels.first)
}

private func near(_ a: SketchColor, _ b: SketchColor) -> Bool { a.distance(to: b) < 0.01 }

@Suite("Truer sketches: colours, setting, props and silhouettes from the text")
struct SketchLookTests {
    @Test("A figure's colour is the first colour word of its appearance that is not hair, eyes or skin")
    func appearanceColors() {
        let words = SketchLook.colorWords
        #expect(SketchLook.color(ofAppearance: "ten-year-old girl, short curly black hair, yellow raincoat, red rubber boots") == words["yellow"])
        #expect(SketchLook.color(ofAppearance: "broad-shouldered man in his fifties, grey beard, green apron, flat cap") == words["green"])
        #expect(SketchLook.color(ofAppearance: "small elderly woman, silver braid, round glasses, knitted purple shawl") == words["purple"])
        #expect(SketchLook.color(ofAppearance: "tall woman in a navy bank uniform, tight bun, brass name badge") == words["navy"])
        #expect(SketchLook.color(ofAppearance: "a tall stranger with kind eyes") == nil)
        #expect(SketchLook.color(ofPaletteEntry: "warm orange") == words["orange"])
    }

    @Test("Two characters of one panel never share a colour, even with the same raincoat; the rest keep theirs")
    func distinctColors() {
        let colors = SketchLook.figureColors(names: ["Mira", "Twin", "Theo"],
                                             appearances: ["Mira": "yellow raincoat", "Twin": "a yellow raincoat too", "Theo": "green apron"])
        #expect(colors["Mira"] == SketchLook.colorWords["yellow"])
        #expect(colors["Theo"] == SketchLook.colorWords["green"])
        let all = ["Mira", "Twin", "Theo"].compactMap { colors[$0] }
        for (index, color) in all.enumerated() {
            for other in all[(index + 1)...] { #expect(color.distance(to: other) >= 0.12) }
        }
        // Without a colour word: the stable hash colour, the same every time.
        #expect(SketchLook.figureColors(names: ["Zed"], appearances: [:])["Zed"] == SketchScene.tint(for: "Zed"))
    }

    @Test("The composition tints figures, background and ground from the text, and knows non-human kinds")
    func composition() throws {
        var layout = PanelLayout(panelID: "c/p01-01", title: nil, shot: .wide, characters: ["Mira", "Rex", "Crate"], bubbles: [])
        layout.appearances = ["Mira": "short curly black hair, yellow raincoat", "Rex": "a scruffy brown dog"]
        layout.kinds = ["Rex": "animal", "Crate": "object"]
        layout.palette = ["teal", "warm orange"]
        let canvas = try SketchCanvas(width: 768, height: 512)
        let composition = SketchRenderer.compose(layout, size: ImageSize(width: 768, height: 512), canvas: canvas)
        let figures = composition.scene.figures
        #expect(near(figures[0].tint, SketchLook.colorWords["yellow"]!.mixed(with: .white, amount: 0.25)))
        #expect(figures.map(\.kind) == [.human, .animal, .object])
        #expect(near(composition.background, SketchLook.colorWords["teal"]!.mixed(with: .white, amount: 0.86)))
        #expect(near(try #require(composition.ground), SketchLook.colorWords["orange"]!.mixed(with: .white, amount: 0.72)))
        // A dog draws a different picture from a person of the same name and colour.
        var person = layout
        person.kinds = [:]
        #expect(try SketchRenderer.render(layout, size: ImageSize(width: 768, height: 512)).png
            != SketchRenderer.render(person, size: ImageSize(width: 768, height: 512)).png)
    }

    @Test("The footer never covers a figure or a label; props never cover a figure, a label or the setting's label",
          arguments: ShotType.allCases)
    func footerClear(shot: ShotType) throws {
        for count in [0, 1, 2, 3, 5, 8] {
            for (width, height) in [(768, 512), (512, 768), (300, 200)] {
                var layout = PanelLayout(panelID: "c/p01-0\(count)", title: "A long panel title that goes on", shot: shot,
                                         characters: (0..<count).map { "Person \($0)" }, bubbles: [])
                layout.setting = "the bank counter"
                layout.props = ["ledger", "lantern", "a very long prop name indeed", "fourth"]
                let canvas = try SketchCanvas(width: width, height: height)
                let composition = SketchRenderer.compose(layout, size: ImageSize(width: width, height: height), canvas: canvas)
                let others = composition.figureBoxes + composition.nameLabels.map(\.box) + [composition.settingLabel].compactMap { $0 }
                    + composition.props.map(\.box)
                for box in others { #expect(!box.intersects(composition.footer), "\(shot) \(count) \(width)x\(height)") }
                #expect(composition.footer.minY >= composition.frame.maxY)
                #expect(composition.props.count <= 3)
                for prop in composition.props {
                    let rest = composition.figureBoxes + composition.nameLabels.map(\.box) + [composition.settingLabel].compactMap { $0 }
                    #expect(!rest.contains { $0.intersects(prop.box) }, "\(prop.name) \(shot) \(count)")
                }
            }
        }
    }

    @Test("Each name label is drawn in the box the layout measured for it: a white box its name's lettering fills")
    func labelsWhereLaidOut() throws {
        let size = ImageSize(width: 768, height: 512)
        // Names of very different lengths: one drawn in the other's box would not fill it.
        let layout = PanelLayout(panelID: "c/p01-01", title: nil, shot: .medium, characters: ["Al", "Bartholomew Quincey"], bubbles: [])
        let composition = SketchRenderer.compose(layout, size: size, canvas: try SketchCanvas(width: size.width, height: size.height))
        #expect(composition.nameLabels.map(\.name) == ["Al", "Bartholomew Quincey"])
        let image = try #require(SketchImage(png: try SketchRenderer.render(layout, size: size).png))
        let pixels = image.rgbPixels
        for label in composition.nameLabels {
            let inside = label.box.insetBy(2, 2)
            var white = 0
            var inked: ClosedRange<Int>?
            for y in Int(inside.minY.rounded(.up))..<Int(inside.maxY) {
                for x in Int(inside.minX.rounded(.up))..<Int(inside.maxX) {
                    let pixel = pixels[y * size.width + x]
                    if pixel == 0xFF_FFFF { white += 1 }
                    if pixel & 0xFF <= 0x20, (pixel >> 8) & 0xFF <= 0x20, pixel >> 16 <= 0x20 {
                        inked = inked.map { min($0.lowerBound, x)...max($0.upperBound, x) } ?? x...x
                    }
                }
            }
            let span = Double(inked.map { $0.upperBound - $0.lowerBound + 1 } ?? 0)
            // The box is the name's width plus padding: its lettering spans much of it.
            #expect(white > 0 && span > label.box.width * 0.4, "\(label.name) at \(label.box): \(white) white pixels, lettering \(span) px wide")
        }
    }

    @Test("The setting comes from the Setting field, else the scene's first place; props from Props or the listed nouns")
    func sceneReading() throws {
        let fielded = try panel("Mira waits.\n\n**Setting:** the old bank, rainy night\n\n**Props:** ledger, lantern, stamp, quill\n")
        #expect(SceneReading.setting(of: fielded) == "the old bank, rainy night")
        #expect(SceneReading.props(of: fielded, words: SceneReading.defaultPropWords) == ["ledger", "lantern", "stamp"])
        let prose = try panel("WIDE SHOT: A busy market at sunrise. Mira stands at Theo's apple stall, holding out a crumpled banknote.\n")
        #expect(SceneReading.setting(of: prose) == "Theo's apple stall")
        #expect(SceneReading.props(of: prose, words: SceneReading.defaultPropWords) == ["apple", "stall", "banknote"])
        let looking = try panel("CLOSE-UP: Theo squints at the watermark.\n")
        #expect(SceneReading.setting(of: looking) == nil)
        #expect(SceneReading.props(of: looking, words: ["watermark"]) == ["watermark"])
    }
}
