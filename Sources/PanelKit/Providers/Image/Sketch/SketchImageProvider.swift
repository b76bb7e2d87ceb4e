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
            rendered = try SketchRenderer.render(request.layout, size: request.size)
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

    static func render(_ layout: PanelLayout, size: ImageSize) throws(SketchCanvas.Failure) -> Output {
        let canvas = try SketchCanvas(width: size.width, height: size.height)
        let width = Double(size.width), height = Double(size.height)
        let unit = min(width, height)
        let digest = SHA256.hex(layout.panelID)
        let seed = hexBytes(digest)

        canvas.fillBackground(.white)
        let inset = max(2, (unit * 0.012).rounded())
        let frame = SketchRect(x: inset, y: inset, width: width - 2 * inset, height: height - 2 * inset)

        let scene = SketchScene(shot: layout.shot, characters: drawnCharacters(layout), frame: frame, seed: seed)
        let lettering = SketchLettering(bubbles: layout.bubbles, frame: frame, figures: scene.figures, seed: seed,
                                        canvas: canvas, unit: unit)
        var occupied: [SketchRect] = []
        canvas.clipped(to: frame) {
            scene.drawScenery(on: canvas, unit: unit)
            occupied += scene.drawFigures(on: canvas, unit: unit)
            lettering.draw(on: canvas, frame: frame)
        }
        occupied += lettering.occupied
        canvas.rectangle(frame, stroke: SketchStroke(color: .grey(0.1), width: max(1, (unit * 0.005).rounded())))
        drawSlug(layout, on: canvas, frame: frame, unit: unit, avoiding: occupied)
        if layout.forced { drawForcedTag(on: canvas, frame: frame, unit: unit) }

        let png = try canvas.pngBytes()
        let seedValue = Int(digest.prefix(8), radix: 16) ?? 0
        return Output(png: png, warnings: lettering.warnings, seed: seedValue)
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

    /// The panel id and title, small, in the first corner that no bubble or label covers.
    private static func drawSlug(_ layout: PanelLayout, on canvas: SketchCanvas, frame: SketchRect, unit: Double,
                                 avoiding occupied: [SketchRect])
    {
        var text = layout.panelID
        if let title = layout.title?.trimmingWhitespace(), !title.isEmpty { text += " · " + title }
        let size = min(max(unit * 0.022, 7), 14)
        let style = SketchTextStyle(font: SketchFont(size: size), color: .grey(0.3), alignment: .left, singleLine: true)
        let measured = canvas.measureText(text, style: style, wrapWidth: nil)
        let padX = size * 0.4, padY = size * 0.15
        let width = min(measured.width + 2 * padX, frame.width * 0.5)
        let height = measured.height + 2 * padY
        let margin = max(1, unit * 0.006)
        let corners = [
            SketchRect(x: frame.maxX - width - margin, y: frame.maxY - height - margin, width: width, height: height),
            SketchRect(x: frame.minX + margin, y: frame.maxY - height - margin, width: width, height: height),
            SketchRect(x: frame.maxX - width - margin, y: frame.minY + margin, width: width, height: height),
            SketchRect(x: frame.minX + margin, y: frame.minY + margin, width: width, height: height),
        ]
        let rect = corners.first { corner in !occupied.contains { $0.intersects(corner) } } ?? corners[0]
        canvas.rectangle(rect, fill: .grey(1, 0.88))
        canvas.drawText(text, in: rect.insetBy(padX, padY), style: style)
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
