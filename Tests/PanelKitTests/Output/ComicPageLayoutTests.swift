@testable import PanelKit
import Testing

@Suite("Comic page layouts")
struct ComicPageLayoutTests {
    @Test("Rows come from the panel count", arguments: [
        (1, [1]), (2, [1, 1]), (3, [1, 2]), (4, [2, 2]), (5, [2, 1, 2]), (6, [2, 2, 2]), (7, [1, 2, 2, 2]), (8, [2, 2, 2, 2]),
        (9, [2, 2, 2, 3]), (12, [3, 3, 3, 3]),
    ])
    func rows(count: Int, expected: [Int]) {
        #expect(ComicPageLayout.rows(wide: Array(repeating: false, count: count)) == expected)
    }

    @Test("A wide or establishing shot gets a full-width row when the page keeps four rows or fewer")
    func wideRows() {
        #expect(ComicPageLayout.rows(wide: [false, true, false]) == [1, 1, 1])
        #expect(ComicPageLayout.rows(wide: [false, false, true, false]) == [2, 1, 1])
        #expect(ComicPageLayout.rows(wide: [true, false, false, false, false, false]) == [1, 1, 2, 2])
        // Four rows already: no room, the grid stays.
        #expect(ComicPageLayout.rows(wide: [false, false, false, true, false, false, false, false]) == [2, 2, 2, 2])
    }

    @Test("Cells run in reading order inside the page, never over each other, the header or the footer", arguments: 1...10)
    func geometry(count: Int) {
        let layout = ComicPageLayout(panels: (0..<count).map { ($0, $0 == 2) }, width: 1200, height: 1800)
        #expect(layout.cells.map(\.panelIndex) == Array(0..<count))
        for (index, cell) in layout.cells.enumerated() {
            #expect(cell.rect.minX >= 0 && cell.rect.maxX <= 1200 && cell.rect.minY >= 0 && cell.rect.maxY <= 1800)
            #expect(!cell.rect.intersects(layout.header) && !cell.rect.intersects(layout.footer))
            for other in layout.cells[(index + 1)...] {
                #expect(!cell.rect.intersects(other.rect))
                // Reading order: the next cell is to the right on the same row, or lower.
                #expect(other.rect.minY > cell.rect.minY || (other.rect.minY == cell.rect.minY && other.rect.minX > cell.rect.minX))
            }
        }
    }

    @Test("Consecutive panels of one page form a page; pages are numbered in order")
    func groups() {
        let groups = ChapterPageGroups(pages: [nil, 1, 1, 2, 3, 3]).groups
        #expect(groups.map(\.panelIndices) == [[0], [1, 2], [3], [4, 5]])
        #expect(groups.map(\.fileName) == ["page-01.png", "page-02.png", "page-03.png", "page-04.png"])
        #expect(groups[0].label == "Before the first page" && groups[1].label == "Page 1")
    }
}
