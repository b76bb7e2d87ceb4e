import Foundation

/// The built-in offline image provider: a rough layout thumbnail a letterer can work from.
///
/// It draws the panel frame at the requested size, the framing of the shot, a labelled figure per
/// character and the panel's real bubbles in reading order, with tails toward their speakers and
/// the text wrapped and fitted. A bubble whose text does not fit at the minimum font size is drawn
/// clipped and reported in `GeneratedImage.warnings`. The same request gives the same PNG bytes:
/// nothing depends on the time, randomness or the machine's locale; panels differ through
/// SHA-256 of their id. It draws `request.layout` and `request.size` only: the prompt, the
/// negative prompt and reference images are not used.
struct SketchImageProvider: ImageProvider {
    let name = "sketch"
    let model = "panelproc-sketch-1"
    let acceptsReferenceImages = false

    init() {}

    func generate(_ request: ImageRequest) async throws(ProviderError) -> GeneratedImage {
        try render(request)
    }

    /// Renders on the calling thread, without suspending; `generate` is this. Throws `refused`
    /// for a size Cairo cannot draw (not positive, or a side over 16384 pixels).
    func render(_ request: ImageRequest) throws(ProviderError) -> GeneratedImage {
        let rendered: SketchRenderer.Output
        do {
            if let sheet = request.layout.referenceSheet {
                rendered = try SketchReferenceSheet.render(sheet, size: request.size)
            } else {
                rendered = try SketchRenderer.render(request.layout, size: request.size)
            }
        } catch {
            switch error {
            case .surface(let message), .png(let message): throw ProviderError(.refused, "sketch: \(message)")
            }
        }
        return GeneratedImage(
            bytes: rendered.png, mimeType: "image/png",
            metadata: ImageMetadata(model: model, seed: rendered.seed, costUSD: 0),
            warnings: rendered.warnings)
    }
}

/// One render, synchronous from start to end: the canvas never outlives it or crosses a suspension point.
enum SketchRenderer {
    struct Output {
        var png: [UInt8]
        var warnings: [String]
        var seed: Int
    }

    /// Where everything goes, before anything is drawn: the frame, the footer band under it (the
    /// panel id; it never covers a figure or label), the figures' and labels' boxes, the setting
    /// band and its label, and the prop boxes (placed where no figure or label is).
    struct Composition {
        var frame: SketchRect
        var footer: SketchRect
        var scene: SketchScene
        var figureBoxes: [SketchRect]
        var nameLabels: [SketchScene.NameLabel]
        var settingBand: SketchRect?
        var settingLabel: SketchRect?
        var props: [(name: String, box: SketchRect)]
        var background: SketchColor
        var ground: SketchColor?
        var groundTop: Double?
    }

    static func compose(_ layout: PanelLayout, size: ImageSize, canvas: SketchCanvas) -> Composition {
        let width = Double(size.width), height = Double(size.height)
        let unit = min(width, height)
        let seed = hexBytes(SHA256.hex(layout.seedText))
        let inset = max(2, (unit * 0.012).rounded())
        let footerHeight = slugStyle(unit: unit).font.size * 1.5
        let frame = SketchRect(x: inset, y: inset, width: width - 2 * inset, height: height - 3 * inset - footerHeight)
        let footer = SketchRect(x: inset, y: frame.maxY + inset, width: width - 2 * inset, height: footerHeight)

        let speakers = layout.bubbles.filter { !$0.offPanel && $0.kind.isSpoken }.compactMap(\.speaker)
        let names = shuffled(drawnCharacters(layout), seed: seed, variant: layout.variant, speakers: Set(speakers))
        let colors = SketchLook.figureColors(names: names, appearances: layout.appearances)
        var scene = SketchScene(shot: layout.shot, characters: names, frame: frame, seed: seed, colors: colors, kinds: layout.kinds)
        staged(&scene, seed: seed, variant: layout.variant)
        // What is drawn of each figure: drawing is clipped to the frame.
        let figureBoxes = scene.figures.map { $0.bounds.clipped(to: frame) }
        let labels = scene.nameLabels(on: canvas, unit: unit)

        let palette = layout.palette.compactMap(SketchLook.color(ofPaletteEntry:))
        let background = palette.first.map { $0.mixed(with: .white, amount: 0.86) } ?? .white
        let hasGround = ![.closeUp, .extremeCloseUp, .insert, .overTheShoulder, .birdsEye].contains(layout.shot ?? SketchScene.defaultShot)
        let groundTop = hasGround ? frame.y + frame.height * 0.62 : nil
        let ground = hasGround ? (palette.dropFirst().first ?? palette.first).map { $0.mixed(with: .white, amount: 0.72) } : nil

        let text = unit * 0.026
        var settingBand: SketchRect?, settingLabel: SketchRect?
        if let setting = layout.setting?.trimmingWhitespace(), !setting.isEmpty {
            let band = SketchRect(x: frame.x, y: frame.y + frame.height * 0.3, width: frame.width, height: frame.height * 0.16)
            let measured = canvas.measureText(setting.uppercased(), style: settingStyle(unit: unit), wrapWidth: nil)
            settingBand = band
            settingLabel = SketchRect(x: band.x + unit * 0.015, y: band.y + unit * 0.01,
                                      width: min(measured.width + text, band.width * 0.6), height: measured.height + text * 0.3)
        }
        var taken = figureBoxes + labels.map(\.box) + [settingLabel].compactMap { $0 }
        var props: [(String, SketchRect)] = []
        let propHeight = text * 1.6
        for prop in layout.props.prefix(3) {
            let measured = canvas.measureText(prop, style: propStyle(unit: unit), wrapWidth: nil)
            let boxWidth = min(measured.width + text, frame.width * 0.3)
            let y = frame.maxY - propHeight - unit * 0.02
            let steps = 12
            let candidates = (0...steps).map { step -> SketchRect in
                // From the edges inward: left, right, then closer to the middle.
                let fraction = step.isMultiple(of: 2) ? Double(step / 2) / Double(steps) : 1 - Double(step / 2) / Double(steps)
                return SketchRect(x: frame.x + unit * 0.015 + (frame.width - boxWidth - unit * 0.03) * fraction, y: y,
                                  width: boxWidth, height: propHeight)
            }
            guard let spot = candidates.first(where: { candidate in !taken.contains { $0.intersects(candidate) } }) else { continue }
            props.append((prop, spot))
            taken.append(spot)
        }
        return Composition(frame: frame, footer: footer, scene: scene, figureBoxes: figureBoxes, nameLabels: labels,
                           settingBand: settingBand, settingLabel: settingLabel, props: props, background: background,
                           ground: ground, groundTop: groundTop)
    }

    static func render(_ layout: PanelLayout, size: ImageSize) throws(SketchCanvas.Failure) -> Output {
        let canvas = try SketchCanvas(width: size.width, height: size.height)
        let warnings = draw(layout, size: size, on: canvas)
        let png = try canvas.pngBytes()
        let seedValue = Int(SHA256.hex(layout.seedText).prefix(8), radix: 16) ?? 0
        return Output(png: png, warnings: warnings, seed: seedValue)
    }

    /// Draws the sketch of `layout` at `size` on `canvas` (from its origin; a page places it with
    /// `SketchCanvas.transformed`). Returns the lettering's warnings.
    static func draw(_ layout: PanelLayout, size: ImageSize, on canvas: SketchCanvas) -> [String] {
        let unit = min(Double(size.width), Double(size.height))
        let (composition, lettering) = arrangement(layout, size: size, canvas: canvas)
        let frame = composition.frame
        let scene = composition.scene

        canvas.rectangle(SketchRect(x: 0, y: 0, width: Double(size.width), height: Double(size.height)), fill: .white)
        canvas.clipped(to: frame) {
            canvas.rectangle(frame, fill: composition.background)
            if let ground = composition.ground, let top = composition.groundTop {
                canvas.rectangle(SketchRect(x: frame.x, y: top, width: frame.width, height: frame.maxY - top), fill: ground)
            }
            if let band = composition.settingBand, let label = composition.settingLabel, let setting = layout.setting {
                canvas.rectangle(band, fill: .grey(0.5, 0.1), stroke: SketchStroke(color: .grey(0.55, 0.5), width: max(1, unit * 0.002), dash: [unit * 0.01, unit * 0.008]))
                canvas.rectangle(label, fill: .grey(1, 0.85))
                let pad = unit * 0.026 * 0.4
                canvas.drawText(setting.trimmingWhitespace().uppercased(), in: label.insetBy(pad, 0), style: settingStyle(unit: unit))
            }
            scene.drawScenery(on: canvas, unit: unit)
            for (name, box) in composition.props {
                canvas.rectangle(box, fill: SketchColor(1, 0.98, 0.9), stroke: SketchStroke(color: .grey(0.35), width: max(1, unit * 0.002)))
                canvas.drawText(name, in: box.insetBy(unit * 0.006, unit * 0.004), style: propStyle(unit: unit))
            }
            scene.drawFigures(on: canvas, unit: unit, labels: composition.nameLabels)
            lettering.draw(on: canvas, frame: frame)
        }
        canvas.rectangle(frame, stroke: SketchStroke(color: .grey(0.1), width: max(1, (unit * 0.005).rounded())))
        drawSlug(layout, on: canvas, in: composition.footer, unit: unit)
        if layout.forced { drawForcedTag(on: canvas, frame: frame, unit: unit) }
        return lettering.warnings
    }

    /// Where everything of a sketch goes, bubbles included. A panel's sketch is drawn for its
    /// image, its page and the PDF: it is laid out once per process. Text is measured unscaled
    /// (`SketchCanvas.measureText`), so the arrangement does not depend on which canvas asked first.
    static func arrangement(_ layout: PanelLayout, size: ImageSize, canvas: SketchCanvas) -> (Composition, SketchLettering) {
        let key = ArrangementKey(panelID: layout.panelID, variant: layout.variant, width: size.width, height: size.height)
        // A hit must be of the very same layout: the panel's text may have changed since.
        if let known = arrangements[key], known.layout == layout { return (known.composition, known.lettering) }
        let unit = min(Double(size.width), Double(size.height))
        let composition = compose(layout, size: size, canvas: canvas)
        let lettering = SketchLettering(bubbles: layout.bubbles, frame: composition.frame, figures: composition.scene.figures,
                                        seed: hexBytes(SHA256.hex(layout.seedText)), canvas: canvas, unit: unit)
        arrangements.store((layout, composition, lettering), for: key)
        return (composition, lettering)
    }

    /// Arrangements by panel, candidate and size; enough for a long book's run.
    private static let arrangements = BoundedTable<ArrangementKey, (layout: PanelLayout, composition: Composition, lettering: SketchLettering)>(limit: 20_000)

    private struct ArrangementKey: Hashable {
        var panelID: String
        var variant: Int
        var width: Int
        var height: Int
    }

    /// For tests: lay every sketch out again, as a new process would.
    static func forgetArrangements() { arrangements.removeAll() }

    private static func slugStyle(unit: Double) -> SketchTextStyle {
        SketchTextStyle(font: SketchFont(size: min(max(unit * 0.022, 7), 14)), color: .grey(0.3), alignment: .right, singleLine: true)
    }

    private static func settingStyle(unit: Double) -> SketchTextStyle {
        SketchTextStyle(font: SketchFont(size: min(max(unit * 0.022, 7), 16), bold: true), color: .grey(0.35), singleLine: true)
    }

    private static func propStyle(unit: Double) -> SketchTextStyle {
        SketchTextStyle(font: SketchFont(size: min(max(unit * 0.02, 7), 14)), color: .grey(0.2), singleLine: true)
    }

    /// Candidate placement: the first candidate keeps the written order; later ones get a
    /// permutation drawn from the seed (which already includes the candidate number), so the same
    /// candidate always looks the same. Speakers keep their reading order (left to right, as the
    /// balloons are read: swapping them would cross the tails); silent figures move among them.
    static func shuffled(_ names: [String], seed: [UInt8], variant: Int, speakers: Set<String> = []) -> [String] {
        guard variant > 1, names.count > 1, !seed.isEmpty else { return names }
        var permuted = names
        for index in stride(from: permuted.count - 1, to: 0, by: -1) {
            permuted.swapAt(index, Int(seed[index % seed.count]) % (index + 1))
        }
        var speaking = names.filter { speakers.contains($0) }.makeIterator()
        return permuted.map { speakers.contains($0) ? speaking.next() ?? $0 : $0 }
    }

    /// Candidate staging: after the first candidate, the group of figures is drawn closer together
    /// or wider apart (70 to 100 % of its spread) and moved left or right (up to 12 % of the
    /// frame), from the seed; figures stay inside the frame and keep their order.
    static func staged(_ scene: inout SketchScene, seed: [UInt8], variant: Int) {
        guard variant > 1, seed.count > 3 else { return }
        let movable = scene.figures.indices.filter {
            if case .shoulderSilhouette = scene.figures[$0].body { return false }
            return true
        }
        guard let low = movable.map({ scene.figures[$0].head.x }).min(),
            let high = movable.map({ scene.figures[$0].head.x }).max() else { return }
        let center = (low + high) / 2
        let spread = 0.7 + 0.3 * Double(seed[1]) / 255
        let shift = (Double(seed[2]) / 255 - 0.5) * scene.frame.width * 0.24
        for index in movable {
            let half = min(scene.figures[index].bounds.width / 2, scene.frame.width / 2)
            let x = center + (scene.figures[index].head.x - center) * spread + shift
            scene.figures[index].head.x = min(max(x, scene.frame.minX + half), scene.frame.maxX - half)
        }
    }

    /// The characters to draw: one who only speaks off panel (`MIRA (OFF):`) gets a tail to the
    /// frame's edge instead of a figure.
    static func drawnCharacters(_ layout: PanelLayout) -> [String] {
        let offPanel = Set(layout.bubbles.filter(\.offPanel).compactMap(\.speaker))
        let onPanel = Set(layout.bubbles.filter { !$0.offPanel && $0.kind.isSpoken }.compactMap(\.speaker))
        return layout.characters.filter { !offPanel.contains($0) || onPanel.contains($0) }
    }

    /// A red `FORCED` tag in the top-left corner, over everything: the panel failed the gate.
    private static func drawForcedTag(on canvas: SketchCanvas, frame: SketchRect, unit: Double) {
        let size = min(max(unit * 0.03, 8), 18)
        let style = SketchTextStyle(font: SketchFont(size: size, bold: true), color: .white, alignment: .center, singleLine: true)
        let measured = canvas.measureText("FORCED", style: style, wrapWidth: nil)
        let rect = SketchRect(x: frame.minX, y: frame.minY, width: measured.width + size, height: measured.height + size * 0.4)
        canvas.rectangle(rect, fill: SketchColor(0.8, 0.1, 0.1, 1))
        canvas.drawText("FORCED", in: rect.insetBy(size * 0.5, size * 0.2), style: style)
    }

    /// The panel id and title, small, in the footer band under the frame.
    private static func drawSlug(_ layout: PanelLayout, on canvas: SketchCanvas, in footer: SketchRect, unit: Double) {
        var text = layout.panelID
        if let title = layout.title?.trimmingWhitespace(), !title.isEmpty { text += " · " + title }
        canvas.drawText(text, in: footer, style: slugStyle(unit: unit))
    }

    private static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(nibble(high) << 4 | nibble(low)))
        }
        return bytes
    }

    private static func nibble(_ char: UInt8) -> UInt8 {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return char - UInt8(ascii: "a") + 10
        default: return 0
        }
    }
}
