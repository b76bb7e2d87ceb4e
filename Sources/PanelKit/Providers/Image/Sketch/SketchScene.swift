import Foundation

/// One character drawn in the sketch: a head circle and a body cut the way the shot cuts it.
struct SketchFigure {
    enum Body {
        /// Waist-up: the body runs off the bottom of the frame.
        case bust(width: Double)
        /// Head to toe: the feet at `feetY`.
        case standing(feetY: Double, shoulders: Double, feet: Double)
        /// Seen from above: shoulders as an ellipse around the head.
        case topDown(shoulders: Double)
        /// The foreground shoulder of an over-the-shoulder shot, dark, running off the frame.
        case shoulderSilhouette(SketchRect)
    }

    /// The canonical name, or nil for an anonymous shape.
    var name: String?
    var head: SketchPoint
    var headRadius: Double
    var body: Body
    var tint: SketchColor
    /// Face construction lines (centre and eye line), for close-ups.
    var construction = false
    /// A person, or the database's `kind: animal|creature` (four legs and a tail) or `object` (a box).
    var kind = Kind.human

    enum Kind { case human, animal, object }

    /// Everything the figure covers (before clipping to the frame).
    var bounds: SketchRect {
        let r = headRadius
        switch kind {
        case .animal: return SketchRect(x: head.x - r * 2.6, y: head.y - r * 1.1, width: r * 5.4, height: r * 4.1)
        case .object: return SketchRect(x: head.x - r * 1.4, y: head.y - r * 0.6, width: r * 2.8, height: r * 2.8)
        case .human: break
        }
        switch body {
        case .bust(let width):
            return SketchRect(x: head.x - max(width / 2, r), y: head.y - r, width: max(width, 2 * r), height: 100_000)
        case .standing(let feetY, let shoulders, let feet):
            let half = max(shoulders * 0.62, feet / 2, r) + r * 0.25
            return SketchRect(x: head.x - half, y: head.y - r, width: 2 * half, height: feetY - head.y + r + r * 0.25)
        case .topDown(let shoulders):
            let half = max(shoulders, 2 * r) / 2
            return SketchRect(x: head.x - half, y: head.y - max(shoulders * 0.25, r), width: 2 * half, height: max(shoulders * 0.5, 2 * r))
        case .shoulderSilhouette(let rect):
            let minX = min(rect.minX, head.x - r), minY = min(rect.minY, head.y - r)
            return SketchRect(x: minX, y: minY, width: max(rect.maxX, head.x + r) - minX, height: max(rect.maxY, head.y + r) - minY)
        }
    }

    /// Where a speech tail or thought dots aim: just above the head.
    var tailTarget: SketchPoint { SketchPoint(head.x, head.y - headRadius) }
}

/// The framing of a shot: scenery lines and figure placement, computed before anything is drawn
/// so that the lettering can aim its tails at the figures.
struct SketchScene {
    var shot: ShotType
    var frame: SketchRect
    var figures: [SketchFigure]
    /// Bytes of SHA-256 of the panel id: the only source of variation between panels.
    var seed: [UInt8]
    /// A stand-in shape when a close-up has no character to show.
    var placeholder: SketchRect?

    /// The shot a panel without one gets.
    static let defaultShot = ShotType.medium

    /// `colors` and `kinds` by name (from the text: `SketchLook`); a name without a colour keeps its hash tint.
    init(shot: ShotType?, characters: [String], frame: SketchRect, seed: [UInt8], colors: [String: SketchColor],
         kinds: [String: String] = [:]) {
        self.init(shot: shot, characters: characters, frame: frame, seed: seed)
        for index in figures.indices {
            guard let name = figures[index].name, !figures[index].isSilhouette else { continue }
            if let color = colors[name] { figures[index].tint = color.mixed(with: .white, amount: 0.25) }
            switch kinds[name] {
            case "animal", "creature": figures[index].kind = .animal
            case "object": figures[index].kind = .object
            default: break
            }
        }
    }

    init(shot: ShotType?, characters: [String], frame f: SketchRect, seed: [UInt8]) {
        let shot = shot ?? Self.defaultShot
        self.shot = shot
        self.frame = f
        self.seed = seed
        self.placeholder = nil
        let w = f.width, h = f.height
        func x(_ fraction: Double) -> Double { f.x + w * fraction }
        func y(_ fraction: Double) -> Double { f.y + h * fraction }

        switch shot {
        case .establishing:
            figures = Self.standing(characters, from: x(0.15), to: x(0.85), feetY: y(0.84), height: h * 0.17)
        case .wide:
            figures = Self.standing(characters, from: x(0.1), to: x(0.9), feetY: y(0.88), height: h * 0.24)
        case .long:
            figures = Self.standing(characters, from: x(0.08), to: x(0.92), feetY: y(0.9), height: h * 0.33)
        case .full:
            figures = Self.standing(characters, from: x(0.04), to: x(0.96), feetY: y(0.92), height: h * 0.53)
        case .medium:
            figures = Self.busts(characters, from: x(0.02), to: x(0.98), headY: y(0.54), radius: h * 0.085)
        case .mediumCloseUp:
            figures = Self.busts(characters, from: x(0.02), to: x(0.98), headY: y(0.62), radius: h * 0.115)
        case .closeUp:
            if let name = characters.first {
                let radius = min(h * 0.25, w * 0.3)
                var head = SketchFigure(name: name, head: SketchPoint(f.midX, y(0.68)), headRadius: radius,
                                        body: .bust(width: radius * 3.4), tint: Self.tint(for: name))
                head.construction = true
                figures = [head]
            } else {
                figures = []
                placeholder = SketchRect(center: SketchPoint(f.midX, y(0.68)), width: min(w * 0.5, h * 0.7), height: h * 0.5)
            }
        case .extremeCloseUp, .insert:
            if let name = characters.first {
                // So close that the head runs off the frame and the eye line crosses its middle.
                let radius = max(h * 0.68, w * 0.4)
                var head = SketchFigure(name: name, head: SketchPoint(f.midX, y(0.6)), headRadius: radius,
                                        body: .bust(width: radius * 3), tint: Self.tint(for: name))
                head.construction = true
                figures = [head]
            } else {
                figures = []
                placeholder = SketchRect(center: SketchPoint(f.midX, y(0.8)), width: w * 0.8, height: h * 0.8)
            }
        case .overTheShoulder:
            // The first of two or more characters is the foreground shoulder; a lone character
            // is seen over an anonymous one.
            let foregroundName = characters.count >= 2 ? characters[0] : nil
            let facing = characters.count >= 2 ? Array(characters.dropFirst()) : characters
            var all = Self.busts(facing, from: x(0.46), to: x(0.97), headY: y(0.5), radius: h * 0.085)
            let radius = h * 0.2
            let shoulders = SketchRect(x: x(-0.14), y: y(0.8), width: w * 0.64, height: h * 0.7)
            all.append(SketchFigure(name: foregroundName, head: SketchPoint(x(0.17), y(0.66)), headRadius: radius,
                                    body: .shoulderSilhouette(shoulders), tint: .grey(0.22)))
            figures = all
        case .birdsEye:
            figures = Self.fromAbove(characters, from: x(0.1), to: x(0.9), centerY: y(0.66), radius: h * 0.05)
        case .highAngle:
            figures = Self.standing(characters, from: x(0.1), to: x(0.9), feetY: y(0.9), height: h * 0.36,
                                    headShare: 0.2, feetShare: 0.35)
        case .lowAngle:
            figures = Self.standing(characters, from: x(0.06), to: x(0.94), feetY: y(0.97), height: h * 0.6,
                                    headShare: 0.075, feetShare: 1.2)
        }
    }

    // MARK: - Placement

    /// Centres of `count` equal slots between `left` and `right`, and the slot width.
    static func slots(_ count: Int, from left: Double, to right: Double) -> (centers: [Double], width: Double) {
        guard count > 0 else { return ([], right - left) }
        let width = (right - left) / Double(count)
        return ((0..<count).map { left + width * (Double($0) + 0.5) }, width)
    }

    /// Figures beyond six are squeezed: everything shrinks so that they still fit side by side.
    static func crowdScale(_ count: Int) -> Double { count > 6 ? 6 / Double(count) : 1 }

    static func standing(_ names: [String], from left: Double, to right: Double, feetY: Double, height: Double,
                         headShare: Double = 0.13, feetShare: Double = 0.7) -> [SketchFigure]
    {
        let (centers, slot) = slots(names.count, from: left, to: right)
        var height = height * crowdScale(names.count)
        var radius = height * headShare
        var shoulders = radius * 2.5
        let widest = max(shoulders, shoulders * feetShare)
        if widest > slot * 0.7 {
            let k = slot * 0.7 / widest
            height *= k
            radius *= k
            shoulders *= k
        }
        return zip(names, centers).map { name, x in
            SketchFigure(name: name, head: SketchPoint(x, feetY - height + radius), headRadius: radius,
                         body: .standing(feetY: feetY, shoulders: shoulders, feet: shoulders * feetShare), tint: tint(for: name))
        }
    }

    static func busts(_ names: [String], from left: Double, to right: Double, headY: Double, radius: Double) -> [SketchFigure] {
        let (centers, slot) = slots(names.count, from: left, to: right)
        let radius = min(radius * crowdScale(names.count), slot * 0.82 / 3.3)
        return zip(names, centers).map { name, x in
            SketchFigure(name: name, head: SketchPoint(x, headY), headRadius: radius, body: .bust(width: radius * 3.3),
                         tint: tint(for: name))
        }
    }

    static func fromAbove(_ names: [String], from left: Double, to right: Double, centerY: Double, radius: Double) -> [SketchFigure] {
        let (centers, slot) = slots(names.count, from: left, to: right)
        let radius = min(radius * crowdScale(names.count), slot * 0.8 / 3.4)
        return zip(names, centers).map { name, x in
            SketchFigure(name: name, head: SketchPoint(x, centerY), headRadius: radius, body: .topDown(shoulders: radius * 3.4),
                         tint: tint(for: name))
        }
    }

    /// A pale colour per character, from SHA-256 of the name: the same character looks the same in every panel.
    static func tint(for name: String) -> SketchColor {
        let digest = SHA256.hex(name)
        let hue = Double(Int(digest.prefix(4), radix: 16) ?? 0) / 65_536
        return hsv(hue: hue, saturation: 0.28, value: 0.96)
    }

    static func hsv(hue: Double, saturation s: Double, value v: Double) -> SketchColor {
        let h = (hue - hue.rounded(.down)) * 6
        let sector = Int(h) % 6
        let f = h - Double(Int(h))
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        switch sector {
        case 0: return SketchColor(v, t, p)
        case 1: return SketchColor(q, v, p)
        case 2: return SketchColor(p, v, t)
        case 3: return SketchColor(p, q, v)
        case 4: return SketchColor(t, p, v)
        default: return SketchColor(v, p, q)
        }
    }

    /// Seed byte `index` as a fraction 0...1.
    func variation(_ index: Int) -> Double {
        guard !seed.isEmpty else { return 0.5 }
        return Double(seed[index % seed.count]) / 255
    }

    // MARK: - Drawing

    /// Horizon, skyline and perspective lines: everything behind the figures.
    func drawScenery(on canvas: SketchCanvas, unit: Double) {
        let f = frame, w = f.width, h = f.height
        let guide = SketchStroke(color: .grey(0.62), width: max(1, unit * 0.003))
        let faint = SketchStroke(color: .grey(0.78), width: max(1, unit * 0.0025))
        func y(_ fraction: Double) -> Double { f.y + h * fraction }

        switch shot {
        case .establishing:
            let horizon = y(0.58)
            // A skyline of blocks along the horizon, their widths and heights from the seed.
            var left = f.x - w * 0.02
            var index = 0
            while left < f.maxX {
                let width = w * (0.06 + 0.08 * variation(index))
                let height = h * (0.06 + 0.2 * variation(index + 11))
                canvas.rectangle(SketchRect(x: left, y: horizon - height, width: width, height: height),
                                 fill: .grey(0.93), stroke: faint)
                left += width + w * 0.012 * variation(index + 5)
                index += 1
            }
            canvas.line(from: SketchPoint(f.x, horizon), to: SketchPoint(f.maxX, horizon), stroke: guide)
            let vanishing = SketchPoint(f.x + w * (0.35 + 0.3 * variation(3)), horizon)
            for fraction in [-0.3, 0.15, 0.85, 1.3] {
                canvas.line(from: vanishing, to: SketchPoint(f.x + w * fraction, f.maxY), stroke: faint)
            }
        case .wide, .long:
            let horizon = y(shot == .wide ? 0.6 : 0.64)
            // Low hills behind the horizon.
            let hill = y(0.6) - h * (0.05 + 0.07 * variation(2))
            canvas.curvedShape(
                start: SketchPoint(f.x, horizon),
                segments: [(SketchPoint(f.x + w * 0.2, hill), SketchPoint(f.x + w * 0.45, hill), SketchPoint(f.x + w * 0.62, horizon))],
                fill: .grey(0.94), stroke: faint)
            canvas.line(from: SketchPoint(f.x, horizon), to: SketchPoint(f.maxX, horizon), stroke: guide)
            let vanishing = SketchPoint(f.x + w * (0.4 + 0.2 * variation(4)), horizon)
            for fraction in [0.2, 0.8] {
                canvas.line(from: vanishing, to: SketchPoint(f.x + w * fraction, f.maxY), stroke: faint)
            }
        case .full:
            canvas.line(from: SketchPoint(f.x, y(0.8)), to: SketchPoint(f.maxX, y(0.8)), stroke: faint)
        case .medium, .mediumCloseUp:
            // A back wall's edge, so the figures stand somewhere.
            let wall = y(0.46 + 0.1 * variation(6))
            canvas.line(from: SketchPoint(f.x, wall), to: SketchPoint(f.maxX, wall), stroke: faint)
        case .closeUp, .extremeCloseUp, .insert, .overTheShoulder:
            break
        case .birdsEye:
            let vanishing = SketchPoint(f.midX, y(0.58))
            let corners = [SketchPoint(f.x, f.y), SketchPoint(f.maxX, f.y), SketchPoint(f.maxX, f.maxY), SketchPoint(f.x, f.maxY),
                           SketchPoint(f.midX, f.y), SketchPoint(f.maxX, vanishing.y), SketchPoint(f.midX, f.maxY), SketchPoint(f.x, vanishing.y)]
            for corner in corners { canvas.line(from: corner, to: vanishing, stroke: guide) }
            for scale in [0.66, 0.36] {
                canvas.rectangle(SketchRect(center: vanishing, width: w * scale, height: h * scale), stroke: faint)
            }
        case .highAngle, .lowAngle:
            let vanishing = shot == .highAngle ? SketchPoint(f.midX, f.maxY + h * 1.1) : SketchPoint(f.midX, f.y - h * 1.1)
            let edge = shot == .highAngle ? f.y : f.maxY
            for step in -1...7 {
                canvas.line(from: SketchPoint(f.x + w * Double(step) / 6, edge), to: vanishing, stroke: faint)
            }
            // Floor lines crossing the perspective lines, closer together as they recede.
            for step in 1...3 {
                let fraction = shot == .highAngle ? 0.28 * Double(step) : 1 - 0.22 * Double(step)
                canvas.line(from: SketchPoint(f.x, y(fraction)), to: SketchPoint(f.maxX, y(fraction)), stroke: faint)
            }
        }

        if let placeholder {
            let stroke = SketchStroke(color: .grey(0.35), width: max(1.5, unit * 0.005), dash: [unit * 0.02, unit * 0.014])
            canvas.roundedRectangle(placeholder, radius: unit * 0.04, fill: .grey(0.95), stroke: stroke)
            canvas.line(from: SketchPoint(placeholder.minX, placeholder.minY), to: SketchPoint(placeholder.maxX, placeholder.maxY), stroke: stroke)
            canvas.line(from: SketchPoint(placeholder.maxX, placeholder.minY), to: SketchPoint(placeholder.minX, placeholder.maxY), stroke: stroke)
        }
    }

    /// The foreground silhouette goes last, over everything.
    private var drawingOrder: [SketchFigure] { figures.filter { !$0.isSilhouette } + figures.filter(\.isSilhouette) }

    /// A figure's name under it, placed when the sketch is laid out.
    struct NameLabel {
        var name: String
        var box: SketchRect
        /// Lettered white on the silhouette's grey, without a border.
        var onSilhouette: Bool
    }

    /// Draws the figures, then `labels` (from `nameLabels`, measured once when the sketch was laid out).
    func drawFigures(on canvas: SketchCanvas, unit: Double, labels: [NameLabel]) {
        let outline = SketchStroke(color: .grey(0.22), width: max(1.2, unit * 0.005))
        for figure in drawingOrder { draw(figure, on: canvas, outline: outline, unit: unit) }
        for label in labels {
            let look = labelLook(onSilhouette: label.onSilhouette, unit: unit)
            canvas.roundedRectangle(label.box, radius: label.box.height * 0.3, fill: look.background, stroke: look.border)
            canvas.drawText(label.name, in: label.box.insetBy(look.padX, look.padY), style: look.style)
        }
    }

    /// Where the name labels go, in drawing order (measured on `canvas`).
    func nameLabels(on canvas: SketchCanvas, unit: Double) -> [NameLabel] {
        let slot = Self.slots(max(1, figures.filter { !$0.isSilhouette }.count), from: frame.minX, to: frame.maxX).width
        return drawingOrder.compactMap { figure in
            guard let name = figure.name else { return nil }
            let look = labelLook(onSilhouette: figure.isSilhouette, unit: unit)
            let text = canvas.measureText(name, style: look.style, wrapWidth: nil)
            let maxWidth = figure.isSilhouette ? frame.width * 0.4 : max(slot * 0.95, look.style.font.size * 3)
            let width = min(text.width + 2 * look.padX, maxWidth), height = text.height + 2 * look.padY
            let top = labelTop(figure, labelHeight: height, unit: unit)
            return NameLabel(name: name, box: SketchRect(x: figure.head.x - width / 2, y: top, width: width, height: height),
                             onSilhouette: figure.isSilhouette)
        }
    }

    /// A name label's lettering, box and padding: dark on white, or white on the silhouette's grey.
    private func labelLook(onSilhouette: Bool, unit: Double)
        -> (style: SketchTextStyle, background: SketchColor, border: SketchStroke?, padX: Double, padY: Double)
    {
        let size = min(max(unit * 0.028, 8), 22) * max(0.75, Self.crowdScale(figures.count))
        var style = SketchTextStyle(font: SketchFont(size: size, bold: true), color: .grey(0.1), singleLine: true)
        guard onSilhouette else {
            return (style, .white, SketchStroke(color: .grey(0.4), width: max(1, unit * 0.002)), size * 0.45, size * 0.2)
        }
        style.color = .white
        return (style, .grey(0.22), nil, size * 0.45, size * 0.2)
    }

    /// The top of a figure's name label: under the feet, or near the frame's bottom for bodies that run off it.
    private func labelTop(_ figure: SketchFigure, labelHeight: Double, unit: Double) -> Double {
        let bottom = frame.maxY - labelHeight - unit * 0.02
        switch figure.body {
        case .standing(let feetY, _, _):
            return min(feetY + unit * 0.012, bottom)
        case .topDown(let shoulders):
            return min(figure.head.y + shoulders * 0.3 + unit * 0.012, bottom)
        case .bust, .shoulderSilhouette:
            return min(max(figure.head.y + figure.headRadius * 1.6, bottom - unit * 0.02), bottom)
        }
    }

    private func draw(_ figure: SketchFigure, on canvas: SketchCanvas, outline: SketchStroke, unit: Double) {
        let r = figure.headRadius
        let head = figure.head
        switch figure.kind {
        case .animal:
            // Four legs, a long body, a head forward with ears, and a tail: not a person.
            let body = SketchRect(x: head.x - r * 2, y: head.y + r * 0.2, width: r * 3.4, height: r * 1.6)
            let leg = SketchStroke(color: .grey(0.3), width: max(1.5, r * 0.3))
            for x in [0.3, 0.9, 2.5, 3.1] {
                canvas.line(from: SketchPoint(body.x + r * x, body.midY), to: SketchPoint(body.x + r * x, body.maxY + r * 1.1), stroke: leg)
            }
            canvas.line(from: SketchPoint(body.x + r * 0.1, body.midY - r * 0.2), to: SketchPoint(body.x - r * 0.5, body.y - r * 0.6), stroke: leg)
            canvas.ellipse(body, fill: figure.tint, stroke: outline)
            let face = SketchPoint(body.maxX + r * 0.3, head.y)
            canvas.polygon([SketchPoint(face.x - r * 0.6, face.y - r * 0.4), SketchPoint(face.x - r * 0.4, face.y - r * 1.1),
                            SketchPoint(face.x - r * 0.05, face.y - r * 0.5)], fill: figure.tint, stroke: outline)
            canvas.circle(face, radius: r * 0.75, fill: figure.tint, stroke: outline)
            canvas.circle(SketchPoint(face.x + r * 0.3, face.y - r * 0.1), radius: r * 0.09, fill: .grey(0.2))
            return
        case .object:
            canvas.roundedRectangle(SketchRect(x: head.x - r * 1.3, y: head.y - r * 0.5, width: r * 2.6, height: r * 2.6),
                                    radius: r * 0.3, fill: figure.tint, stroke: outline)
            canvas.line(from: SketchPoint(head.x - r * 1.3, head.y + r * 0.3), to: SketchPoint(head.x + r * 1.3, head.y + r * 0.3), stroke: outline)
            return
        case .human: break
        }
        switch figure.body {
        case .bust(let width):
            // Sloping shoulders from the neck, running off the bottom of the frame.
            let top = head.y + r * 0.7
            let neck = r * 0.42, half = width / 2
            let shoulder = top + width * 0.3
            let bottom = frame.maxY + outline.width * 4
            func straight(_ a: SketchPoint, _ b: SketchPoint) -> (SketchPoint, SketchPoint, SketchPoint) { (a, b, b) }
            canvas.curvedShape(
                start: SketchPoint(head.x - neck, top),
                segments: [
                    (SketchPoint(head.x - half * 0.75, top), SketchPoint(head.x - half, top + width * 0.08), SketchPoint(head.x - half, shoulder)),
                    straight(SketchPoint(head.x - half, shoulder), SketchPoint(head.x - half, bottom)),
                    straight(SketchPoint(head.x - half, bottom), SketchPoint(head.x + half, bottom)),
                    straight(SketchPoint(head.x + half, bottom), SketchPoint(head.x + half, shoulder)),
                    (SketchPoint(head.x + half, top + width * 0.08), SketchPoint(head.x + half * 0.75, top), SketchPoint(head.x + neck, top)),
                ],
                fill: figure.tint, stroke: outline)
        case .standing(let feetY, let shoulders, let feet):
            let neck = head.y + r
            let height = feetY - (head.y - r)
            let hips = neck + height * 0.38
            let limb = SketchStroke(color: .grey(0.3), width: max(1.5, r * 0.42))
            canvas.line(from: SketchPoint(head.x - shoulders * 0.16, hips), to: SketchPoint(head.x - feet / 2, feetY), stroke: limb)
            canvas.line(from: SketchPoint(head.x + shoulders * 0.16, hips), to: SketchPoint(head.x + feet / 2, feetY), stroke: limb)
            let arm = SketchStroke(color: .grey(0.3), width: max(1.2, r * 0.32))
            canvas.line(from: SketchPoint(head.x - shoulders * 0.44, neck + r * 0.3),
                        to: SketchPoint(head.x - shoulders * 0.62, hips + r * 0.2), stroke: arm)
            canvas.line(from: SketchPoint(head.x + shoulders * 0.44, neck + r * 0.3),
                        to: SketchPoint(head.x + shoulders * 0.62, hips + r * 0.2), stroke: arm)
            canvas.polygon([SketchPoint(head.x - shoulders / 2, neck + r * 0.1), SketchPoint(head.x + shoulders / 2, neck + r * 0.1),
                            SketchPoint(head.x + shoulders * 0.3, hips + r * 0.3), SketchPoint(head.x - shoulders * 0.3, hips + r * 0.3)],
                           fill: figure.tint, stroke: outline)
        case .topDown(let shoulders):
            canvas.ellipse(SketchRect(center: head, width: shoulders, height: shoulders * 0.5), fill: figure.tint, stroke: outline)
        case .shoulderSilhouette(let rect):
            canvas.ellipse(rect, fill: figure.tint, stroke: nil)
            canvas.circle(head, radius: r, fill: figure.tint, stroke: nil)
            return
        }
        canvas.circle(head, radius: r, fill: figure.tint, stroke: outline)
        if figure.construction {
            let guide = SketchStroke(color: .grey(0.45), width: max(1, unit * 0.003), dash: [unit * 0.015, unit * 0.01])
            canvas.line(from: SketchPoint(head.x, head.y - r), to: SketchPoint(head.x, head.y + r), stroke: guide)
            canvas.line(from: SketchPoint(head.x - r, head.y), to: SketchPoint(head.x + r, head.y), stroke: guide)
            // Eyes on the eye line and a mouth mark below it: enough to read as a face.
            let eye = SketchStroke(color: .grey(0.22), width: max(1.5, r * 0.05))
            canvas.circle(SketchPoint(head.x - r * 0.38, head.y), radius: r * 0.08, fill: .grey(0.22), stroke: eye)
            canvas.circle(SketchPoint(head.x + r * 0.38, head.y), radius: r * 0.08, fill: .grey(0.22), stroke: eye)
            canvas.line(from: SketchPoint(head.x - r * 0.2, head.y + r * 0.5), to: SketchPoint(head.x + r * 0.2, head.y + r * 0.5), stroke: eye)
        }
    }
}

extension SketchFigure {
    var isSilhouette: Bool {
        if case .shoulderSilhouette = body { return true }
        return false
    }
}
