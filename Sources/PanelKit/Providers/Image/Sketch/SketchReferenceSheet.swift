/// `panelproc refs` with the sketch provider: a character's labelled turnaround (front, side and
/// back view of the figure on a plain background, with height guides), or a location's
/// establishing view. Deterministic like every sketch: the same entry gives the same PNG bytes.
enum SketchReferenceSheet {
    static func render(_ sheet: PanelLayout.ReferenceSheet, size: ImageSize) throws(SketchCanvas.Failure) -> SketchRenderer.Output {
        let canvas = try SketchCanvas(width: size.width, height: size.height)
        switch sheet.subject {
        case .character: drawTurnaround(sheet, size: size, on: canvas)
        case .location: drawEstablishing(sheet, size: size, on: canvas)
        }
        let png = try canvas.pngBytes()
        return SketchRenderer.Output(png: png, warnings: [], seed: Int(SHA256.hex(sheet.name).prefix(8), radix: 16) ?? 0)
    }

    enum View: String, CaseIterable { case front, side, back }

    static func drawTurnaround(_ sheet: PanelLayout.ReferenceSheet, size: ImageSize, on canvas: SketchCanvas) {
        let width = Double(size.width), height = Double(size.height)
        let unit = min(width, height)
        canvas.rectangle(SketchRect(x: 0, y: 0, width: width, height: height), fill: .white)
        let titleHeight = unit * 0.09, footHeight = unit * 0.16
        let title = SketchTextStyle(font: SketchFont(size: unit * 0.045, bold: true), color: .grey(0.15), singleLine: true)
        _ = canvas.drawText("\(sheet.name.uppercased()) · TURNAROUND", in: SketchRect(x: 0, y: unit * 0.02, width: width, height: titleHeight),
                            style: title)
        let figureTop = titleHeight + unit * 0.06
        let labelHeight = unit * 0.06
        let figureHeight = height - figureTop - footHeight - labelHeight - unit * 0.03
        let feet = figureTop + figureHeight
        // Height guides: the top of the head and the feet, across all three views.
        let guide = SketchStroke(color: .grey(0.6), width: max(1, unit * 0.002), dash: [unit * 0.012, unit * 0.008])
        canvas.line(from: SketchPoint(unit * 0.03, figureTop), to: SketchPoint(width - unit * 0.03, figureTop), stroke: guide)
        canvas.line(from: SketchPoint(unit * 0.03, feet), to: SketchPoint(width - unit * 0.03, feet),
                    stroke: SketchStroke(color: .grey(0.35), width: max(1, unit * 0.003)))
        let colour = SketchLook.figureColors(names: [sheet.name], appearances: [sheet.name: sheet.description])[sheet.name]
            ?? SketchScene.tint(for: sheet.name)
        let label = SketchTextStyle(font: SketchFont(size: unit * 0.035, bold: true), color: .grey(0.25), singleLine: true)
        for (index, view) in View.allCases.enumerated() {
            let centerX = width * (Double(index) + 0.5) / 3
            drawFigure(view, centerX: centerX, top: figureTop, height: figureHeight, colour: colour, unit: unit, on: canvas)
            _ = canvas.drawText(view.rawValue.uppercased(),
                                in: SketchRect(x: centerX - width / 6, y: feet + unit * 0.015, width: width / 3, height: labelHeight), style: label)
        }
        let note = SketchTextStyle(font: SketchFont(size: unit * 0.028), color: .grey(0.3))
        _ = canvas.drawText(sheet.description, in: SketchRect(x: unit * 0.05, y: height - footHeight + unit * 0.02,
                                                              width: width - unit * 0.1, height: footHeight - unit * 0.04), style: note)
    }

    /// One view of a standing figure, `height` tall from `top`, centred on `centerX`.
    static func drawFigure(_ view: View, centerX: Double, top: Double, height: Double, colour: SketchColor, unit: Double,
                           on canvas: SketchCanvas)
    {
        let outline = SketchStroke(color: .grey(0.15), width: max(1.5, unit * 0.004))
        let skin = SketchColor(0.96, 0.86, 0.74), hair = SketchColor(0.25, 0.2, 0.18)
        let radius = height * 0.085
        let head = SketchPoint(centerX, top + radius)
        let shoulders = top + radius * 2.25
        let hips = shoulders + height * 0.36
        let torsoWidth = view == .side ? height * 0.12 : height * 0.22
        let legWidth = height * 0.075
        let armWidth = height * 0.055
        // Legs, then arms behind the torso, then torso and head.
        let legs: [Double] = view == .side ? [centerX - legWidth * 0.3, centerX + legWidth * 0.3] : [centerX - torsoWidth * 0.27, centerX + torsoWidth * 0.27]
        for x in legs {
            canvas.roundedRectangle(SketchRect(x: x - legWidth / 2, y: hips - legWidth * 0.3, width: legWidth, height: top + height - hips + legWidth * 0.3),
                                    radius: legWidth * 0.3, fill: colour.mixed(with: .black, amount: 0.35), stroke: outline)
        }
        let arms: [Double] = view == .side ? [centerX] : [centerX - torsoWidth / 2 - armWidth * 0.55, centerX + torsoWidth / 2 + armWidth * 0.55]
        for x in arms {
            canvas.roundedRectangle(SketchRect(x: x - armWidth / 2, y: shoulders + armWidth * 0.2, width: armWidth, height: height * 0.34),
                                    radius: armWidth * 0.5, fill: colour.mixed(with: .white, amount: 0.15), stroke: outline)
        }
        canvas.roundedRectangle(SketchRect(x: centerX - torsoWidth / 2, y: shoulders, width: torsoWidth, height: hips - shoulders),
                                radius: torsoWidth * 0.2, fill: colour, stroke: outline)
        if view == .side {
            // The arm in front of the torso in profile.
            canvas.roundedRectangle(SketchRect(x: centerX - armWidth / 2 + torsoWidth * 0.1, y: shoulders + armWidth * 0.2, width: armWidth,
                                               height: height * 0.34), radius: armWidth * 0.5, fill: colour.mixed(with: .white, amount: 0.15),
                                    stroke: outline)
        }
        canvas.circle(head, radius: radius, fill: view == .back ? hair : skin, stroke: outline)
        switch view {
        case .front:
            canvas.circle(SketchPoint(head.x - radius * 0.35, head.y - radius * 0.1), radius: radius * 0.09, fill: .grey(0.1))
            canvas.circle(SketchPoint(head.x + radius * 0.35, head.y - radius * 0.1), radius: radius * 0.09, fill: .grey(0.1))
            canvas.line(from: SketchPoint(head.x - radius * 0.3, head.y + radius * 0.4), to: SketchPoint(head.x + radius * 0.3, head.y + radius * 0.4),
                        stroke: outline)
            canvas.polygon([SketchPoint(head.x - radius, head.y - radius * 0.2), SketchPoint(head.x - radius * 0.6, head.y - radius * 0.95),
                            SketchPoint(head.x + radius * 0.6, head.y - radius * 0.95), SketchPoint(head.x + radius, head.y - radius * 0.2),
                            SketchPoint(head.x, head.y - radius * 0.6)], fill: hair, stroke: outline)
        case .side:
            canvas.circle(SketchPoint(head.x + radius * 0.45, head.y - radius * 0.1), radius: radius * 0.09, fill: .grey(0.1))
            canvas.polygon([SketchPoint(head.x + radius * 0.95, head.y - radius * 0.05), SketchPoint(head.x + radius * 1.25, head.y + radius * 0.2),
                            SketchPoint(head.x + radius * 0.92, head.y + radius * 0.3)], fill: skin, stroke: outline)
            canvas.polygon([SketchPoint(head.x - radius, head.y + radius * 0.3), SketchPoint(head.x - radius * 0.7, head.y - radius * 0.9),
                            SketchPoint(head.x + radius * 0.5, head.y - radius * 0.95), SketchPoint(head.x + radius * 0.2, head.y - radius * 0.4),
                            SketchPoint(head.x - radius * 0.2, head.y + radius * 0.1)], fill: hair, stroke: outline)
        case .back:
            break
        }
    }

    /// A location: the sketch's establishing shot of the place, named, with its description under it.
    static func drawEstablishing(_ sheet: PanelLayout.ReferenceSheet, size: ImageSize, on canvas: SketchCanvas) {
        let width = Double(size.width), height = Double(size.height)
        let unit = min(width, height)
        let band = (unit * 0.16).rounded()
        canvas.rectangle(SketchRect(x: 0, y: 0, width: width, height: height), fill: .white)
        var layout = PanelLayout(panelID: sheet.name, title: "establishing view", shot: .establishing, characters: [], bubbles: [])
        layout.setting = sheet.name
        let scene = ImageSize(width: size.width, height: max(64, size.height - Int(band)))
        _ = SketchRenderer.draw(layout, size: scene, on: canvas)
        let note = SketchTextStyle(font: SketchFont(size: unit * 0.03), color: .grey(0.3))
        _ = canvas.drawText(sheet.description, in: SketchRect(x: unit * 0.04, y: Double(scene.height) + unit * 0.015, width: width - unit * 0.08,
                                                              height: band - unit * 0.03), style: note)
    }
}
