import Foundation

/// `pacing.svg`: words per page and panels per page as two bar charts, the ideal band shaded, the
/// warning lines dashed, and the bars past a warning coloured. Plain SVG 1.1, 800 px wide, no
/// scripts or external references; the same report gives the same bytes.
struct PacingChart {
    var report: PacingReport
    var thresholds: PacingThresholds

    static let width = 800.0
    static let chartHeight = 300.0
    static let left = 70.0, right = 84.0, top = 48.0, plotHeight = 190.0

    static let barColour = "#4a78a8", warnColour = "#d9534f", sparseColour = "#e8a33d", bandColour = "#dff0d8"

    var svg: String {
        let height = Self.chartHeight * 2 + 40
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(Self.width))" height="\(Self.number(height))" \
            viewBox="0 0 \(Self.number(Self.width)) \(Self.number(height))" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">
            <title>Pacing of \(Self.escape(report.slug))</title>
            <rect x="0" y="0" width="\(Self.number(Self.width))" height="\(Self.number(height))" fill="#ffffff"/>

            """
        let words = report.pages.map { Double($0.words) }
        let panels = report.pages.map { Double($0.panels) }
        // A bar's colour says what the report says about its page.
        let pages = report.pages
        func colour(_ index: Int, over: PacingWarning.Kind, under: PacingWarning.Kind?) -> String {
            let kinds = pages[index].warnings.map(\.kind)
            if kinds.contains(over) { return Self.warnColour }
            if let under, kinds.contains(under) { return Self.sparseColour }
            return Self.barColour
        }
        out += chart(title: "Words per page", unit: "words", values: words, band: thresholds.wordsPerPage, offset: 0,
                     colour: { colour($0, over: .wordy, under: nil) })
        out += chart(title: "Panels per page", unit: "panels", values: panels, band: thresholds.panelsPerPage,
                     offset: Self.chartHeight, colour: { colour($0, over: .cramped, under: .sparse) })
        let legendY = Self.chartHeight * 2 + 20
        out += """
            <g font-size="11">
            <rect x="\(Self.number(Self.left))" y="\(Self.number(legendY - 10))" width="14" height="10" fill="\(Self.bandColour)" stroke="#8fbc8f"/>
            <text x="\(Self.number(Self.left + 20))" y="\(Self.number(legendY))">ideal band</text>
            <rect x="\(Self.number(Self.left + 110))" y="\(Self.number(legendY - 10))" width="14" height="10" fill="\(Self.barColour)"/>
            <text x="\(Self.number(Self.left + 130))" y="\(Self.number(legendY))">within limits</text>
            <rect x="\(Self.number(Self.left + 235))" y="\(Self.number(legendY - 10))" width="14" height="10" fill="\(Self.warnColour)"/>
            <text x="\(Self.number(Self.left + 255))" y="\(Self.number(legendY))">over the warning line</text>
            <rect x="\(Self.number(Self.left + 400))" y="\(Self.number(legendY - 10))" width="14" height="10" fill="\(Self.sparseColour)"/>
            <text x="\(Self.number(Self.left + 420))" y="\(Self.number(legendY))">under the sparse line</text>
            </g>
            </svg>

            """
        return out
    }

    /// One chart, `offset` pixels down.
    private func chart(title: String, unit: String, values: [Double], band: PacingThresholds.Band, offset: Double,
                       colour: (Int) -> String) -> String
    {
        let plotWidth = Self.width - Self.left - Self.right
        let top = offset + Self.top, bottom = top + Self.plotHeight
        let highest = ([band.ideal.upperBound, band.warnAbove ?? 0] + values).max() ?? 1
        let step = Self.niceStep(highest * 1.1 / 5)
        let yMax = (highest * 1.1 / step).rounded(.up) * step
        func y(_ value: Double) -> Double { bottom - min(value, yMax) / yMax * Self.plotHeight }

        var out = "<g>\n"
        out += "<text x=\"\(Self.number(Self.left))\" y=\"\(Self.number(offset + 28))\" font-size=\"15\" font-weight=\"bold\">\(title)</text>\n"
        // The ideal band, then the grid, then the bars, then the warning lines on top.
        out += "<rect x=\"\(Self.number(Self.left))\" y=\"\(Self.number(y(band.ideal.upperBound)))\" width=\"\(Self.number(plotWidth))\" "
            + "height=\"\(Self.number(y(band.ideal.lowerBound) - y(band.ideal.upperBound)))\" fill=\"\(Self.bandColour)\"/>\n"
        var tick = 0.0
        while tick <= yMax + step / 2 {
            out += "<line x1=\"\(Self.number(Self.left - 4))\" y1=\"\(Self.number(y(tick)))\" x2=\"\(Self.number(Self.left + plotWidth))\" "
                + "y2=\"\(Self.number(y(tick)))\" stroke=\"#000000\" stroke-opacity=\"0.12\"/>\n"
            out += "<text x=\"\(Self.number(Self.left - 8))\" y=\"\(Self.number(y(tick) + 4))\" text-anchor=\"end\">\(PacingThresholds.format(tick))</text>\n"
            tick += step
        }
        let count = max(values.count, 1)
        let slot = plotWidth / Double(count)
        let labelEvery = max(1, Int((Double(count) / 30).rounded(.up)))
        for (index, value) in values.enumerated() {
            let x = Self.left + slot * Double(index) + slot * 0.15
            let page = report.pages[index]
            out += "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y(value)))\" width=\"\(Self.number(slot * 0.7))\" "
                + "height=\"\(Self.number(bottom - y(value)))\" fill=\"\(colour(index))\"><title>page \(page.label): "
                + "\(PacingThresholds.format(value)) \(unit)</title></rect>\n"
            if count <= 40 {
                out += "<text x=\"\(Self.number(x + slot * 0.35))\" y=\"\(Self.number(y(value) - 4))\" text-anchor=\"middle\" "
                    + "font-size=\"10\">\(PacingThresholds.format(value))</text>\n"
            }
            if index % labelEvery == 0 {
                out += "<text x=\"\(Self.number(x + slot * 0.35))\" y=\"\(Self.number(bottom + 15))\" text-anchor=\"middle\">\(page.label)</text>\n"
            }
        }
        for (limit, label, colour) in [(band.warnAbove, "warn > ", Self.warnColour), (band.warnBelow, "sparse < ", Self.sparseColour)] {
            guard let limit else { continue }
            out += "<line x1=\"\(Self.number(Self.left))\" y1=\"\(Self.number(y(limit)))\" x2=\"\(Self.number(Self.left + plotWidth))\" "
                + "y2=\"\(Self.number(y(limit)))\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            // In the right margin, where no bar is.
            out += "<text x=\"\(Self.number(Self.left + plotWidth + 6))\" y=\"\(Self.number(y(limit) + 4))\" font-size=\"11\" "
                + "fill=\"\(colour)\">\(Self.escape(label))\(PacingThresholds.format(limit))</text>\n"
        }
        // The band's label beside the title, where no bar can hide it.
        out += "<text x=\"\(Self.number(Self.width - 10))\" y=\"\(Self.number(offset + 28))\" text-anchor=\"end\" "
            + "fill=\"#3c763d\">shaded: ideal \(PacingThresholds.format(band.ideal.lowerBound))–"
            + "\(PacingThresholds.format(band.ideal.upperBound)) \(unit) per page</text>\n"
        // Axes and their labels.
        out += "<line x1=\"\(Self.number(Self.left))\" y1=\"\(Self.number(top))\" x2=\"\(Self.number(Self.left))\" y2=\"\(Self.number(bottom))\" stroke=\"#000000\"/>\n"
        out += "<line x1=\"\(Self.number(Self.left))\" y1=\"\(Self.number(bottom))\" x2=\"\(Self.number(Self.left + plotWidth))\" y2=\"\(Self.number(bottom))\" stroke=\"#000000\"/>\n"
        out += "<text x=\"\(Self.number(Self.left + plotWidth / 2))\" y=\"\(Self.number(bottom + 34))\" text-anchor=\"middle\">page</text>\n"
        let middle = (top + bottom) / 2
        out += "<text x=\"20\" y=\"\(Self.number(middle))\" text-anchor=\"middle\" transform=\"rotate(-90 20 \(Self.number(middle)))\">\(unit)</text>\n"
        return out + "</g>\n"
    }

    /// 1, 2, 5, 10, 20, 50… at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw { return max(factor * magnitude, 1) }
        return max(10 * magnitude, 1)
    }

    /// Coordinates to one decimal, without a trailing `.0`.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
