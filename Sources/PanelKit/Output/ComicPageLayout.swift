/// The panels of one chapter grouped into its pages, in reading order: what the gallery, the page
/// PNGs and the thumbnail PDF all show, so the three always agree.
struct ChapterPageGroups: Equatable {
    struct Group: Equatable {
        /// 1-based position among the chapter's pages: the `NN` of `pages/page-NN.png`.
        var sequence: Int
        /// The page number the script gives (nil: panels before any page marker).
        var page: Int?
        /// Indices into the chapter's panels, in reading order.
        var panelIndices: [Int]

        var fileName: String { "page-" + (sequence < 10 ? "0" : "") + String(sequence) + ".png" }
        var label: String { page.map { "Page \($0)" } ?? "Before the first page" }
    }

    var groups: [Group]

    /// Consecutive panels with the same page number form a page.
    init(pages: [Int?]) {
        var groups: [Group] = []
        for (index, page) in pages.enumerated() {
            if let last = groups.last, last.page == page {
                groups[groups.count - 1].panelIndices.append(index)
            } else {
                groups.append(Group(sequence: groups.count + 1, page: page, panelIndices: [index]))
            }
        }
        self.groups = groups
    }
}

/// Where each panel of one comic page goes: a portrait page with a gutter grid in reading order
/// (left to right, top to bottom). Pure geometry, tested without drawing.
struct ComicPageLayout: Equatable {
    struct Cell: Equatable {
        /// Index into the chapter's panels.
        var panelIndex: Int
        var rect: SketchRect
    }

    var width: Double
    var height: Double
    /// The page's title line and page number line, outside every cell.
    var header: SketchRect
    var footer: SketchRect
    /// Panels per row, top to bottom.
    var rows: [Int]
    var cells: [Cell]

    static let maximumRows = 4

    /// `panels`: each panel's index and whether it is a wide or establishing shot; `aspect`: the
    /// images' width over height (rows get heights in proportion to what their cells need).
    init(panels: [(index: Int, wide: Bool)], width: Double, height: Double, aspect: Double = 1.5) {
        self.width = width
        self.height = height
        let margin = (width * 0.05).rounded()
        let gutter = (width * 0.02).rounded()
        let band = (height * 0.03).rounded()
        header = SketchRect(x: margin, y: margin * 0.5, width: width - 2 * margin, height: band)
        footer = SketchRect(x: margin, y: height - margin * 0.5 - band, width: width - 2 * margin, height: band)
        let content = SketchRect(x: margin, y: header.maxY + gutter, width: width - 2 * margin,
                                 height: footer.minY - gutter - header.maxY - gutter)
        rows = Self.rows(wide: panels.map(\.wide))
        var cells: [Cell] = []
        let available = content.height - gutter * Double(rows.count - 1)
        // A row of fewer, wider cells is taller: each row's share is the height its images need.
        let needs = rows.map { count in (content.width - gutter * Double(count - 1)) / Double(count) / max(aspect, 0.1) }
        let total = needs.reduce(0, +)
        var next = 0
        var y = content.y
        for (row, count) in rows.enumerated() {
            let cellWidth = (content.width - gutter * Double(count - 1)) / Double(count)
            let rowHeight = available * needs[row] / total
            defer { y += rowHeight + gutter }
            for column in 0..<count {
                cells.append(Cell(panelIndex: panels[next].index,
                                  rect: SketchRect(x: content.x + Double(column) * (cellWidth + gutter), y: y,
                                                   width: cellWidth, height: rowHeight)))
                next += 1
            }
        }
        self.cells = cells
    }

    /// Panels per row for a page whose panels are wide shots where `wide` says: 1–2 panels
    /// stacked, 3 one wide and two, 4 a 2x2 grid, 5–6 three rows, more four rows; then each wide
    /// shot gets a row of its own when that keeps the page at four rows or fewer.
    static func rows(wide: [Bool]) -> [Int] {
        let count = wide.count
        var rows: [Int]
        switch count {
        case 0: return []
        case 1: rows = [1]
        case 2: rows = [1, 1]
        case 3: rows = [1, 2]
        case 4: rows = [2, 2]
        case 5: rows = [2, 1, 2]
        case 6: rows = [2, 2, 2]
        default:
            let base = count / maximumRows, extra = count % maximumRows
            rows = (0..<maximumRows).map { base + ($0 >= maximumRows - extra ? 1 : 0) }
        }
        for (index, isWide) in wide.enumerated() where isWide {
            // The row holding panel `index`, and the panels before it in that row.
            var start = 0, row = 0
            while start + rows[row] <= index { start += rows[row]; row += 1 }
            guard rows[row] > 1 else { continue }
            let before = index - start, after = rows[row] - before - 1
            let split = [before, 1, after].filter { $0 > 0 }
            guard rows.count - 1 + split.count <= maximumRows else { continue }
            rows.replaceSubrange(row...row, with: split)
        }
        return rows
    }
}
