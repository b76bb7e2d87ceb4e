@testable import PanelKit
import Testing

@Suite("Sketch canvas: fast PNGs, decoding, PDF pages")
struct SketchCanvasOutputTests {
    @Test("The fast PNG writer keeps every pixel: decoded and drawn 1:1 it gives the canvas's own PNG")
    func fastPNGKeepsPixels() throws {
        let size = ImageSize(width: 300, height: 200)
        let canvas = try SketchCanvas(width: size.width, height: size.height)
        _ = SketchRenderer.draw(samplePanel, size: size, on: canvas)
        let fast = try canvas.fastPNGBytes()
        let dimensions = try #require(pngDimensions(fast))
        #expect(dimensions.width == 300 && dimensions.height == 200)
        let decoded = try #require(SketchImage(png: fast))
        let copy = try SketchCanvas(width: size.width, height: size.height)
        copy.drawImage(decoded, fittingIn: SketchRect(x: 0, y: 0, width: 300, height: 200))
        #expect(try copy.pngBytes() == canvas.pngBytes())
        #expect(try canvas.fastPNGBytes() == fast)
        #expect(SketchImage(png: [1, 2, 3]) == nil)
    }

    @Test("A PDF canvas writes one page per showPage, with a fixed creation date: same drawing, same bytes")
    func pdfPages() throws {
        func document() throws -> [UInt8] {
            let pdf = try SketchCanvas(pdfWidth: 600, height: 900, scale: 0.4)
            pdf.rectangle(SketchRect(x: 10, y: 10, width: 100, height: 100), fill: .black)
            pdf.showPage()
            pdf.transformed(fitting: 768, 512, in: SketchRect(x: 0, y: 0, width: 600, height: 400)) {
                _ = SketchRenderer.draw(samplePanel, size: ImageSize(width: 768, height: 512), on: pdf)
            }
            return try pdf.pdfBytes()
        }
        let first = try document()
        #expect(first == (try document()))
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-"))
        #expect(text.contains("/Count 2"))
        #expect(text.contains("/CreationDate (20000101000000)"))
    }
}
