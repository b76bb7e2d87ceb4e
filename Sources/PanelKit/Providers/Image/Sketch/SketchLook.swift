/// What the offline sketch takes from the text besides the framing: each character's colour (the
/// first colour word of their appearance that is not about hair, eyes or skin), the chapter
/// palette's background and ground tints, and distinct colours within one panel.
enum SketchLook {
    /// Colour words writers use, as sRGB.
    static let colorWords: [String: SketchColor] = [
        "red": SketchColor(0.86, 0.2, 0.18), "crimson": SketchColor(0.75, 0.1, 0.2), "maroon": SketchColor(0.5, 0.1, 0.15),
        "orange": SketchColor(0.96, 0.55, 0.15), "yellow": SketchColor(0.98, 0.84, 0.2), "gold": SketchColor(0.85, 0.68, 0.2),
        "golden": SketchColor(0.85, 0.68, 0.2), "green": SketchColor(0.25, 0.65, 0.3), "olive": SketchColor(0.5, 0.52, 0.2),
        "teal": SketchColor(0.1, 0.55, 0.55), "turquoise": SketchColor(0.2, 0.75, 0.7), "cyan": SketchColor(0.2, 0.78, 0.85),
        "blue": SketchColor(0.2, 0.42, 0.82), "navy": SketchColor(0.12, 0.18, 0.45), "purple": SketchColor(0.55, 0.3, 0.7),
        "violet": SketchColor(0.56, 0.36, 0.8), "magenta": SketchColor(0.8, 0.2, 0.6), "pink": SketchColor(0.95, 0.6, 0.72),
        "brown": SketchColor(0.52, 0.34, 0.2), "tan": SketchColor(0.82, 0.7, 0.52), "beige": SketchColor(0.9, 0.85, 0.72),
        "cream": SketchColor(0.98, 0.95, 0.84), "white": SketchColor(0.97, 0.97, 0.97), "black": SketchColor(0.15, 0.15, 0.15),
        "grey": SketchColor(0.55, 0.55, 0.55), "gray": SketchColor(0.55, 0.55, 0.55), "silver": SketchColor(0.75, 0.76, 0.78),
    ]

    /// Words after a colour that make it the hair's, the eyes' or the skin's, not the figure's.
    static let bodyWords: Set<String> = ["hair", "beard", "braid", "braids", "eyes", "eye", "skin", "moustache", "mustache",
                                         "bun", "curls", "ponytail", "eyebrows", "lips"]

    /// The first colour word of `appearance` that is not about hair, eyes or skin
    /// ("short curly black hair, yellow raincoat" → yellow).
    static func color(ofAppearance appearance: String) -> SketchColor? {
        let words = appearance.lowercased().split { !$0.isLetter }.map(String.init)
        for (index, word) in words.enumerated() {
            guard let color = colorWords[word] else { continue }
            let following = words[(index + 1)..<min(words.count, index + 3)]
            if following.contains(where: bodyWords.contains) { continue }
            return color
        }
        return nil
    }

    /// A palette entry's colour: its last colour word ("warm orange" → orange).
    static func color(ofPaletteEntry entry: String) -> SketchColor? {
        entry.lowercased().split { !$0.isLetter }.reversed().lazy.compactMap { colorWords[String($0)] }.first
    }

    /// Each character's figure colour, in order; two characters of one panel never share one.
    static func figureColors(names: [String], appearances: [String: String]) -> [String: SketchColor] {
        var colors: [String: SketchColor] = [:]
        var used: [SketchColor] = []
        for name in names where colors[name] == nil {
            var color = appearances[name].flatMap(color(ofAppearance:)) ?? SketchScene.tint(for: name)
            var attempt = 0
            while used.contains(where: { $0.distance(to: color) < 0.12 }), attempt < 12 {
                attempt += 1
                color = SketchScene.tint(for: "\(name)#\(attempt)").mixed(with: .grey(0.3), amount: attempt.isMultiple(of: 2) ? 0.4 : 0)
            }
            colors[name] = color
            used.append(color)
        }
        return colors
    }
}

extension SketchColor {
    /// `self` moved `amount` (0...1) of the way toward `other`.
    func mixed(with other: SketchColor, amount: Double) -> SketchColor {
        SketchColor(red + (other.red - red) * amount, green + (other.green - green) * amount, blue + (other.blue - blue) * amount, alpha)
    }

    /// Euclidean distance in RGB, 0...√3.
    func distance(to other: SketchColor) -> Double {
        let r = red - other.red, g = green - other.green, b = blue - other.blue
        return (r * r + g * g + b * b).squareRoot()
    }
}
