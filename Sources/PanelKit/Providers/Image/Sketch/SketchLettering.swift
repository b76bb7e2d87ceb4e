import Foundation

/// The panel's bubbles placed in reading order (left to right, then top to bottom) in the upper
/// part of the frame, each with its text fitted by shrinking the font, down to a minimum size.
struct SketchLettering {
    struct Placed {
        /// 0-based position in the panel's bubble list.
        var index: Int
        var bubble: Bubble
        /// The balloon's bounding box (without tail or thought bumps).
        var box: SketchRect
        /// Where the text is set; its width is the wrap width.
        var textRect: SketchRect
        var style: SketchTextStyle
        /// The text did not fit even at the minimum size: drawn clipped.
        var overflowed: Bool
        /// What a speech tail or thought dots point at; nil for captions and sound effects.
        var tailTarget: SketchPoint?
        /// An off-panel speaker's tail runs all the way to the frame's edge.
        var tailReachesEdge: Bool = false
        /// Turn of a sound effect, in radians.
        var rotation: Double
    }

    /// How a kind of bubble wraps its text: `box = text * scale + 2 * pad (+ 2 * bumps)`.
    private struct Metrics {
        var scale: Double
        var padX: Double
        var padY: Double
        /// Room outside the box for a thought cloud's bumps.
        var bumps: Double
        /// Preferred width-to-height ratio of the text block.
        var aspect: Double
    }

    var placed: [Placed]
    let unit: Double

    /// Font sizes in pixels for an image whose shorter side is `unit`.
    static func preferredSize(unit: Double) -> Double { min(max(unit * 0.034, 8), 36) }
    static func minimumSize(unit: Double) -> Double { min(max(unit * 0.02, 7), 16) }

    init(bubbles: [Bubble], frame f: SketchRect, figures: [SketchFigure], seed: [UInt8], canvas: SketchCanvas, unit: Double) {
        self.unit = unit
        self.placed = []
        guard !bubbles.isEmpty else { return }
        let gap = unit * 0.02
        // Up to four bubbles side by side in a landscape frame, three otherwise.
        let widest = f.width >= f.height * 1.25 ? 4 : 3
        let rows = (bubbles.count + widest - 1) / widest
        let perRow = (bubbles.count + rows - 1) / rows
        // The upper third; more rows take more room, but stop above the heads when they can.
        let share = rows == 1 ? 0.36 : min(0.8, 0.2 * Double(rows) + 0.12)
        var bottom = f.y + f.height * share
        if let highestHead = figures.filter({ !$0.isSilhouette }).map({ $0.head.y - $0.headRadius }).min() {
            bottom = max(f.y + f.height * 0.3, min(bottom, highestHead - gap))
        }
        let region = SketchRect(x: f.x + gap, y: f.y + gap, width: f.width - 2 * gap, height: bottom - f.y - gap)
        let rowHeight = region.height / Double(rows)
        let figuresByName = Dictionary(figures.compactMap { figure in figure.name.map { ($0, figure) } },
                                       uniquingKeysWith: { first, _ in first })

        for row in 0..<rows {
            let indices = Array((row * perRow)..<min(bubbles.count, (row + 1) * perRow))
            guard !indices.isEmpty else { continue }
            // Wider cells for longer texts (sound effects are set larger, captions run wide), but none too narrow.
            var weights = indices.map { index in
                let boost = switch bubbles[index].kind {
                case .sfx, .title: 1.6
                case .caption, .credits: 1.5
                case .burst: 1.25
                case .speech, .thought, .whisper, .electronic, .weak: 1.0
                }
                return Double(max(8, bubbles[index].text.count)).squareRoot() * boost
            }
            let floor = weights.reduce(0, +) * min(1 / Double(indices.count), 0.22)
            weights = weights.map { max($0, floor) }
            let total = weights.reduce(0, +)
            var left = region.x
            for (column, index) in indices.enumerated() {
                let width = region.width * weights[column] / total
                let cell = SketchRect(x: left, y: region.y + rowHeight * Double(row), width: width, height: rowHeight)
                left += width
                let bubble = bubbles[index]
                let speaker = bubble.speaker.flatMap { figuresByName[$0] }
                let stagger = indices.count > 1 ? Double(column) / Double(indices.count - 1) : 0
                placed.append(Self.place(bubble, index: index, cell: cell, gap: gap, frame: f, firstColumn: column == 0,
                                         firstRow: row == 0, stagger: stagger, speaker: speaker, seed: seed,
                                         canvas: canvas, unit: unit))
            }
        }
    }

    /// Warnings for bubbles whose text did not fit.
    var warnings: [String] {
        placed.filter(\.overflowed).map { placed in
            "bubble \(placed.index + 1) (\"\(Self.preview(placed.bubble.text))\") overflows its balloon at the minimum font size"
        }
    }

    /// The first three words, with "…" when there are more.
    static func preview(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        var shown = words.prefix(3).joined(separator: " ")
        var cut = words.count > 3
        if shown.count > 30 {
            shown = String(shown.prefix(30))
            cut = true
        }
        return cut ? shown + "…" : shown
    }

    // MARK: - Placement

    private static func metrics(_ kind: Bubble.Kind, size: Double) -> Metrics {
        switch kind {
        case .speech, .whisper, .weak: return Metrics(scale: 1, padX: size * 0.95, padY: size * 0.55, bumps: 0, aspect: 2.2)
        case .electronic: return Metrics(scale: 1, padX: size * 0.7, padY: size * 0.5, bumps: 0, aspect: 2.6)
        case .burst: return Metrics(scale: 1.1, padX: size * 0.9, padY: size * 0.6, bumps: size * 0.6, aspect: 2)
        case .thought: return Metrics(scale: 1.22, padX: size * 0.5, padY: size * 0.45, bumps: size * 0.55, aspect: 1.8)
        case .caption, .credits: return Metrics(scale: 1, padX: size * 0.55, padY: size * 0.4, bumps: 0, aspect: 4)
        case .sfx, .title: return Metrics(scale: 1, padX: size * 0.25, padY: size * 0.15, bumps: 0, aspect: 8)
        }
    }

    private static func style(_ kind: Bubble.Kind, size: Double) -> SketchTextStyle {
        switch kind {
        case .speech, .thought, .electronic:
            return SketchTextStyle(font: SketchFont(size: size), color: .black, alignment: .center)
        case .burst:
            return SketchTextStyle(font: SketchFont(size: size, bold: true), color: .black, alignment: .center)
        case .whisper:
            return SketchTextStyle(font: SketchFont(size: size, italic: true), color: .grey(0.25), alignment: .center)
        case .weak:
            return SketchTextStyle(font: SketchFont(size: size * 0.9), color: .grey(0.4), alignment: .center)
        case .caption:
            return SketchTextStyle(font: SketchFont(size: size), color: .black, alignment: .left)
        case .credits:
            return SketchTextStyle(font: SketchFont(size: size * 0.85, italic: true), color: .grey(0.2), alignment: .left)
        case .title:
            return SketchTextStyle(font: SketchFont(size: size, bold: true), color: .black, alignment: .center,
                                   outline: SketchStroke(color: .white, width: max(2, size * 0.2)))
        case .sfx:
            return SketchTextStyle(font: SketchFont(size: size, bold: true), color: .grey(0.08), alignment: .center,
                                   outline: SketchStroke(color: .white, width: max(2, size * 0.28)))
        }
    }

    private static func place(_ bubble: Bubble, index: Int, cell: SketchRect, gap: Double, frame f: SketchRect,
                              firstColumn: Bool, firstRow: Bool, stagger: Double, speaker: SketchFigure?,
                              seed: [UInt8], canvas: SketchCanvas, unit: Double) -> Placed
    {
        let kind = bubble.kind
        let space = SketchSize(width: cell.width - gap, height: cell.height - gap * 0.5)
        let sizeScale = kind == .sfx || kind == .title ? 1.6 : 1
        let preferred = preferredSize(unit: unit) * sizeScale
        let minimum = minimumSize(unit: unit) * (kind == .sfx || kind == .title ? 1.3 : 1)

        // Largest size that fits, in steps from the preferred size down to the minimum.
        var chosen: (size: Double, wrap: Double, text: SketchSize)? = nil
        let steps = 12
        for step in 0...steps {
            let size = preferred - (preferred - minimum) * Double(step) / Double(steps)
            let m = metrics(kind, size: size)
            let style = style(kind, size: size)
            let maxWidth = (space.width - 2 * m.padX - 2 * m.bumps) / m.scale
            let maxHeight = (space.height - 2 * m.padY - 2 * m.bumps) / m.scale
            guard maxWidth >= size * 1.5, maxHeight >= size else { continue }
            let line = canvas.measureText(bubble.text, style: style, wrapWidth: nil)
            let lines = max(1, (line.width / (m.aspect * max(line.height, 1))).squareRoot())
            var wrap = min(maxWidth, max(line.width / lines * 1.12, size * 5))
            var measured = canvas.measureText(bubble.text, style: style, wrapWidth: wrap)
            if measured.height > maxHeight {
                wrap = maxWidth
                measured = canvas.measureText(bubble.text, style: style, wrapWidth: wrap)
            }
            if measured.height <= maxHeight + 0.01, measured.width <= maxWidth + 0.01 {
                // Tighten the wrap width to the longest line: same breaks, no empty margin.
                wrap = min(wrap, measured.width.rounded(.up) + 1)
                chosen = (size, wrap, measured)
                break
            }
        }

        let overflowed = chosen == nil
        let size = chosen?.size ?? minimum
        let m = metrics(kind, size: size)
        let textSize: SketchSize
        let wrap: Double
        if let chosen {
            textSize = SketchSize(width: chosen.wrap, height: chosen.text.height)
            wrap = chosen.wrap
        } else {
            let maxWidth = max(size, (space.width - 2 * m.padX - 2 * m.bumps) / m.scale)
            let maxHeight = max(size * 1.2, (space.height - 2 * m.padY - 2 * m.bumps) / m.scale)
            textSize = SketchSize(width: maxWidth, height: maxHeight)
            wrap = maxWidth
        }
        let boxWidth = textSize.width * m.scale + 2 * m.padX
        let boxHeight = textSize.height * m.scale + 2 * m.padY

        var origin = SketchPoint(cell.x, cell.y)
        var tailTarget: SketchPoint? = nil
        var rotation = 0.0
        switch kind {
        case .caption, .credits:
            // Captions sit against the frame's top edge (and its left edge in the first column).
            origin = SketchPoint(firstColumn ? f.x : cell.x, firstRow ? f.y : cell.y)
        case .title:
            let slack = max(0, cell.height - boxHeight)
            origin = SketchPoint(cell.x + max(0, (cell.width - gap - boxWidth) / 2), cell.y + slack * 0.3)
        case .speech, .thought, .burst, .whisper, .electronic, .weak:
            let slack = max(0, cell.height - boxHeight - m.bumps * 2 - gap * 0.5)
            let wanted = speaker?.head.x ?? cell.midX
            let lowest = cell.x + m.bumps, highest = cell.maxX - gap - boxWidth - m.bumps
            let x = min(max(wanted - boxWidth / 2, lowest), max(lowest, highest))
            origin = SketchPoint(x, cell.y + m.bumps + slack * 0.6 * stagger)
            // A speaker who is not drawn gets a short tail (or dots) straight down, toward the frame's bottom.
            let below = min(f.maxY, cell.y + m.bumps + slack * 0.6 * stagger + boxHeight + unit * 0.2)
            tailTarget = speaker?.tailTarget ?? SketchPoint(x + boxWidth / 2, below)
            if bubble.offPanel {
                // An off-panel speaker: the tail runs to the nearer side edge, below the balloon.
                let edgeX = x + boxWidth / 2 < f.midX ? f.minX : f.maxX
                tailTarget = SketchPoint(edgeX, min(f.maxY, origin.y + boxHeight + unit * 0.08))
            }
        case .sfx:
            let slack = max(0, cell.height - boxHeight)
            origin = SketchPoint(cell.x + max(0, (cell.width - gap - boxWidth) / 2), cell.y + slack * 0.5)
            let byte = seed.isEmpty ? 0 : seed[(index * 7 + 3) % seed.count]
            let magnitude = 0.12 + 0.14 * Double(byte & 0x7F) / 127
            rotation = (byte & 0x80) == 0 ? -magnitude : magnitude
        }
        let box = SketchRect(x: origin.x, y: origin.y, width: boxWidth, height: boxHeight)
        let textRect = SketchRect(center: box.center, width: wrap, height: textSize.height)
        return Placed(index: index, bubble: bubble, box: box, textRect: textRect, style: style(kind, size: size),
                      overflowed: overflowed, tailTarget: tailTarget, tailReachesEdge: bubble.offPanel, rotation: rotation)
    }

    // MARK: - Drawing

    /// Rectangles the lettering covers, for keeping the corner label clear of it.
    var occupied: [SketchRect] {
        placed.map { placed in
            let bumps = placed.bubble.kind == .thought || placed.bubble.kind == .burst ? placed.style.font.size * 0.6 : 0
            return placed.box.insetBy(-bumps, -bumps)
        }
    }

    func draw(on canvas: SketchCanvas, frame: SketchRect) {
        let lineWidth = max(1.2, unit * 0.0045)
        // Every balloon and tail is first stroked at twice the width, then all of them are filled:
        // only the outer half of each line remains, a tail merges into its balloon without a seam,
        // and a tail that crosses another balloon passes behind it.
        let outline = SketchStroke(color: .grey(0.1), width: lineWidth * 2)
        let shapes = placed.map { shape(for: $0, frame: frame) }
        // `(CONT'D)`: the same speaker's next balloon hangs off the one before by a short band.
        let connectors = self.connectors()
        for band in connectors { canvas.polygon(band, stroke: outline) }
        for (shape, placed) in zip(shapes, placed) {
            switch shape {
            case .speech(let box, let radius, let tail):
                // A whisper's outline is dashed; a weak voice's is thin and grey.
                var line = outline
                if placed.bubble.kind == .whisper { line.dash = [lineWidth * 4, lineWidth * 3] }
                if placed.bubble.kind == .weak { line = SketchStroke(color: .grey(0.45), width: lineWidth * 1.3, dash: []) }
                if let tail { canvas.polygon(tail, stroke: line) }
                canvas.roundedRectangle(box, radius: radius, stroke: line)
            case .outline(let points, let tail):
                if let tail { canvas.polygon(tail, stroke: outline) }
                canvas.polygon(points, stroke: outline)
            case .thought(_, let bumps, _):
                for bump in bumps { canvas.circle(bump.center, radius: bump.radius, stroke: outline) }
            case .caption, .none:
                break
            }
        }
        for band in connectors { canvas.polygon(band, fill: .white) }
        for shape in shapes {
            switch shape {
            case .speech(let box, let radius, let tail):
                canvas.roundedRectangle(box, radius: radius, fill: .white)
                if let tail { canvas.polygon(tail, fill: .white) }
            case .outline(let points, let tail):
                canvas.polygon(points, fill: .white)
                if let tail { canvas.polygon(tail, fill: .white) }
            case .thought(let box, let bumps, let dots):
                for bump in bumps { canvas.circle(bump.center, radius: bump.radius, fill: .white) }
                canvas.ellipse(box, fill: .white)
                for dot in dots {
                    canvas.circle(dot.center, radius: dot.radius, fill: .white, stroke: SketchStroke(color: .grey(0.1), width: lineWidth))
                }
            case .caption(let box):
                canvas.rectangle(box, fill: SketchColor(1, 0.96, 0.78), stroke: SketchStroke(color: .grey(0.1), width: lineWidth))
            case .none:
                break
            }
        }
        for placed in placed {
            canvas.drawText(placed.bubble.text, in: placed.textRect, style: placed.style, rotation: placed.rotation)
        }
    }

    private enum Shape {
        case speech(box: SketchRect, radius: Double, tail: [SketchPoint]?)
        /// A balloon drawn as a polygon: a burst's spikes, an electronic voice's box.
        case outline([SketchPoint], tail: [SketchPoint]?)
        case thought(box: SketchRect, bumps: [(center: SketchPoint, radius: Double)], dots: [(center: SketchPoint, radius: Double)])
        case caption(SketchRect)
        case none
    }

    /// Whether a balloon continues the one before it: `(CONT'D)` after the same speaker's balloon.
    private func continuesPrevious(_ position: Int) -> Bool {
        guard position > 0 else { return false }
        let bubble = placed[position].bubble, previous = placed[position - 1].bubble
        return bubble.continued && bubble.kind.isSpoken && previous.kind.isSpoken && bubble.speaker == previous.speaker
    }

    /// The bands joining each continued balloon to the one before: centre to centre, drawn behind both.
    private func connectors() -> [[SketchPoint]] {
        placed.indices.filter(continuesPrevious).map { position in
            let from = placed[position - 1].box.center, to = placed[position].box.center
            let dx = to.x - from.x, dy = to.y - from.y
            let length = max(1, (dx * dx + dy * dy).squareRoot())
            let half = max(unit * 0.012, placed[position].style.font.size * 0.35)
            let nx = -dy / length * half, ny = dx / length * half
            return [SketchPoint(from.x + nx, from.y + ny), SketchPoint(to.x + nx, to.y + ny),
                    SketchPoint(to.x - nx, to.y - ny), SketchPoint(from.x - nx, from.y - ny)]
        }
    }

    private func shape(for placed: Placed, frame: SketchRect) -> Shape {
        let box = placed.box, size = placed.style.font.size
        let reach = placed.tailReachesEdge
        // A continued balloon has no tail of its own: its band leads to the first one.
        let continued = self.placed.firstIndex { $0.index == placed.index }.map(continuesPrevious) ?? false
        var placed = placed
        if continued { placed.tailTarget = nil }
        switch placed.bubble.kind {
        case .speech, .whisper, .weak:
            let radius = min(box.height / 2, box.width / 2, size * 2.2)
            return .speech(box: box, radius: radius,
                           tail: placed.tailTarget.map { tailPolygon(box: box, radius: radius, target: $0, frame: frame, reach: reach) })
        case .burst:
            // Spikes around the ellipse inscribed in the box, alternately out and in.
            let count = max(14, Int((box.width + box.height) / (size * 1.1)))
            let spike = size * 0.6
            let points = (0..<(count * 2)).map { step -> SketchPoint in
                let angle = Double.pi * Double(step) / Double(count)
                let out = step % 2 == 0 ? spike : -spike * 0.15
                return SketchPoint(box.midX + cos(angle) * (box.width / 2 * 1.08 + out),
                                   box.midY + sin(angle) * (box.height / 2 * 1.12 + out))
            }
            return .outline(points, tail: placed.tailTarget.map {
                tailPolygon(box: box, radius: box.height / 2, target: $0, frame: frame, reach: reach)
            })
        case .electronic:
            // A square-cornered box with a zigzag tail, like a voice from a speaker.
            let corners = [SketchPoint(box.minX, box.minY), SketchPoint(box.maxX, box.minY),
                           SketchPoint(box.maxX, box.maxY), SketchPoint(box.minX, box.maxY)]
            return .outline(corners, tail: placed.tailTarget.map {
                zigzag(tailPolygon(box: box, radius: size * 0.3, target: $0, frame: frame, reach: reach), size: size)
            })
        case .thought:
            return .thought(box: box, bumps: cloudBumps(box: box, size: size),
                            dots: placed.tailTarget.map { thoughtDots(box: box, target: $0, size: size) } ?? [])
        case .caption, .credits:
            return .caption(box)
        case .sfx, .title:
            return .none
        }
    }

    /// A tail `[left, tip, right]` made jagged: two kinks on each side, like a lightning bolt.
    private func zigzag(_ tail: [SketchPoint], size: Double) -> [SketchPoint] {
        guard tail.count == 3 else { return tail }
        let (left, tip, right) = (tail[0], tail[1], tail[2])
        func along(_ from: SketchPoint, _ fraction: Double, _ shift: Double) -> SketchPoint {
            SketchPoint(from.x + (tip.x - from.x) * fraction + shift, from.y + (tip.y - from.y) * fraction)
        }
        let kink = size * 0.45
        return [left, along(left, 0.4, kink), along(left, 0.6, -kink * 0.4), tip,
                along(right, 0.6, -kink * 0.4), along(right, 0.4, kink), right]
    }

    /// A speech tail: its base hidden inside the balloon, its tip toward `target` but short of it.
    private func tailPolygon(box: SketchRect, radius: Double, target: SketchPoint, frame: SketchRect, reach: Bool = false)
        -> [SketchPoint]
    {
        let inner = box.insetBy(min(radius, box.width * 0.3), 0)
        let baseX = min(max(target.x, inner.minX + box.width * 0.08), inner.maxX - box.width * 0.08)
        let halfBase = min(box.width * 0.12, max(unit * 0.018, box.height * 0.2))
        let baseY = box.maxY - min(box.height * 0.3, radius * 0.8)
        let start = SketchPoint(baseX, box.maxY)
        var aim = target
        if aim.y < box.maxY + unit * 0.04 { aim = SketchPoint(target.x, box.maxY + unit * 0.1) }
        let dx = aim.x - start.x, dy = aim.y - start.y
        let distance = max(1, (dx * dx + dy * dy).squareRoot())
        let length = reach ? distance : min(max(distance - unit * 0.035, unit * 0.05), unit * 0.5)
        var tip = SketchPoint(start.x + dx / distance * length, start.y + dy / distance * length)
        tip.y = min(tip.y, frame.maxY - unit * 0.01)
        if reach { tip.x = min(max(tip.x, frame.minX), frame.maxX) }
        // The base leans toward the tip so the tail looks drawn, not stamped.
        let lean = max(-halfBase, min(halfBase, (tip.x - baseX) * 0.25))
        return [SketchPoint(baseX - halfBase + lean, baseY), tip, SketchPoint(baseX + halfBase + lean, baseY)]
    }

    /// Circles around the ellipse inscribed in `box`: the cloud's edge.
    private func cloudBumps(box: SketchRect, size: Double) -> [(center: SketchPoint, radius: Double)] {
        let rx = box.width / 2, ry = box.height / 2
        let perimeter = Double.pi * (3 * (rx + ry) - ((3 * rx + ry) * (rx + 3 * ry)).squareRoot())
        let radius = max(size * 0.75, min(rx, ry) * 0.32)
        let count = max(7, Int((perimeter / (radius * 1.45)).rounded()))
        return (0..<count).map { step in
            let angle = 2 * Double.pi * Double(step) / Double(count)
            let wobble = step % 2 == 0 ? 1.0 : 0.82
            return (SketchPoint(box.midX + cos(angle) * rx, box.midY + sin(angle) * ry), radius * wobble)
        }
    }

    /// Three shrinking dots from the cloud toward the thinker.
    private func thoughtDots(box: SketchRect, target: SketchPoint, size: Double) -> [(center: SketchPoint, radius: Double)] {
        let start = SketchPoint(min(max(target.x, box.minX + box.width * 0.25), box.maxX - box.width * 0.25),
                                box.maxY + size * 0.5)
        var aim = target
        if aim.y < start.y + unit * 0.05 { aim = SketchPoint(target.x, start.y + unit * 0.12) }
        let dx = aim.x - start.x, dy = aim.y - start.y
        let distance = max(1, (dx * dx + dy * dy).squareRoot())
        let length = min(max(distance - unit * 0.04, unit * 0.06), unit * 0.18)
        return [0.15, 0.55, 0.9].enumerated().map { order, fraction in
            let radius = size * [0.45, 0.32, 0.22][order]
            return (SketchPoint(start.x + dx / distance * length * fraction, start.y + dy / distance * length * fraction), radius)
        }
    }
}
