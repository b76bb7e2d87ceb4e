import Foundation
@testable import PanelKit
import TestSupport
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

@Suite("Run-length PNG encoder: any PNG reader gets the same pixels back")
struct RunLengthPNGEncoderTests {
    /// Encodes `pixels` (`0x00RRGGBB`, row by row) and decodes the file with libpng (through Cairo).
    func roundTrip(_ pixels: [UInt32], width: Int, height: Int) throws -> (png: [UInt8], decoded: [UInt32]) {
        let png = pixels.withUnsafeBytes { RunLengthPNGEncoder.encode(pixels: $0.baseAddress!, width: width, height: height, stride: width * 4) }
        let image = try #require(SketchImage(png: png), "libpng rejected the file")
        #expect(image.width == width && image.height == height)
        return (png, image.rgbPixels)
    }

    @Test("Noise (no two neighbours alike) survives byte for byte")
    func noise() throws {
        var generator = SplitMix64(seed: 7)
        let pixels = (0..<(257 * 13)).map { _ in UInt32.random(in: 0...0xFF_FFFF, using: &generator) }
        #expect(try roundTrip(pixels, width: 257, height: 13).decoded == pixels)
    }

    @Test("Rows with padding after them and junk in the unused top byte (Cairo's RGB24 leaves it undefined)")
    func strideAndJunk() throws {
        let width = 13, height = 5, stride = width * 4 + 12
        var words = [UInt32](repeating: 0xDEAD_BEEF, count: stride / 4 * height)
        var expected: [UInt32] = []
        var generator = SplitMix64(seed: 3)
        for y in 0..<height {
            for x in 0..<width {
                let colour = x % 4 == 0 ? UInt32.random(in: 0...0xFF_FFFF, using: &generator) : 0x11_2233
                words[y * stride / 4 + x] = colour | UInt32.random(in: 0...255, using: &generator) << 24
                expected.append(colour)
            }
        }
        let png = words.withUnsafeBytes { RunLengthPNGEncoder.encode(pixels: $0.baseAddress!, width: width, height: height, stride: stride) }
        #expect(try #require(SketchImage(png: png)).rgbPixels == expected)
    }

    @Test("Runs of every length from 1 to 40, of colours that differ in one channel only")
    func blocks() throws {
        var generator = SplitMix64(seed: 11)
        var pixels: [UInt32] = []
        let width = 301, height = 9
        while pixels.count < width * height {
            let colour = UInt32.random(in: 0...2, using: &generator) << (8 * UInt32.random(in: 0...2, using: &generator))
            pixels += repeatElement(colour, count: Int.random(in: 1...40, using: &generator))
        }
        pixels.removeLast(pixels.count - width * height)
        #expect(try roundTrip(pixels, width: width, height: height).decoded == pixels)
    }

    @Test("Flat rows longer than deflate's longest match, black first pixels, single changes, one pixel")
    func runs() throws {
        let width = 2000, height = 4
        var pixels = [UInt32](repeating: 0xFF_FFFF, count: width * height)
        for x in 0..<width { pixels[x] = 0 }                 // a black row: zeros from its first byte
        pixels[width + 777] = 0x01_0203                      // one odd pixel inside a long run
        for x in 0..<width { pixels[2 * width + x] = UInt32(x % 256) * 0x01_0101 }  // a grey ramp
        pixels[3 * width + width - 1] = 0xAB_CDEF            // the last pixel differs
        let result = try roundTrip(pixels, width: width, height: height)
        #expect(result.decoded == pixels)
        // Flat rows cost a few bytes each, not their 6,000.
        let flat = try roundTrip([UInt32](repeating: 0x33_6699, count: width * 3), width: width, height: 3)
        #expect(flat.png.count < 300)  // of 18,000 bytes of pixels
        #expect(try roundTrip([0x12_3456], width: 1, height: 1).decoded == [0x12_3456])
    }

    @Test("Overlapping boxes, diagonals and gradients: every case of the prediction from left, above and above-left")
    func boxesAndDiagonals() throws {
        let width = 157, height = 61
        var pixels = [UInt32](repeating: 0xF0_F0F0, count: width * height)
        var generator = SplitMix64(seed: 19)
        for _ in 0..<40 {  // boxes: straight edges across and down, corners where they meet
            let x0 = Int.random(in: 0..<width, using: &generator), y0 = Int.random(in: 0..<height, using: &generator)
            let x1 = min(width, x0 + Int.random(in: 1...50, using: &generator)), y1 = min(height, y0 + Int.random(in: 1...30, using: &generator))
            let colour = UInt32.random(in: 0...0xFF_FFFF, using: &generator)
            for y in y0..<y1 { for x in x0..<x1 { pixels[y * width + x] = colour } }
        }
        for y in 0..<height {
            pixels[y * width + (y * 2) % width] = 0x00_00FF                        // a diagonal
            pixels[y * width + width - 1 - y] = UInt32(y * 4) << 16 | UInt32(255 - y * 4)  // a ramp against it
        }
        let result = try roundTrip(pixels, width: width, height: height)
        #expect(result.decoded == pixels)
        let raw = width * height * 3
        #expect(result.png.count < raw / 4)
    }

    @Test("A page of boxes and borders: a row that repeats the one above is a few bytes")
    func repeatedRows() throws {
        let width = 1200, height = 300
        var pixels = [UInt32](repeating: 0xFF_FFFF, count: width * height)
        for y in 0..<height {
            for x in 0..<width where x % 100 < 3 || (y >= 100 && y < 103) { pixels[y * width + x] = 0 }
        }
        let result = try roundTrip(pixels, width: width, height: height)
        #expect(result.decoded == pixels)
        // Borders down the page cost nothing after their first row: a row is its 3,600 zero
        // bytes as about 14 longest matches (some 25 bytes), where predicting from the left alone
        // adds a literal at each side of the 12 borders it crosses (over 100 bytes a row).
        #expect(result.png.count < 30 * height)
    }

    @Test("A drawn panel: same pixels as the canvas, in under an eighth of its raw bytes")
    func drawnPanel() throws {
        let size = ImageSize(width: 768, height: 512)
        let canvas = try SketchCanvas(width: size.width, height: size.height)
        _ = SketchRenderer.draw(samplePanel, size: size, on: canvas)
        let fast = try canvas.fastPNGBytes()
        let reference = try #require(SketchImage(png: try canvas.pngBytes()))
        #expect(try #require(SketchImage(png: fast)).rgbPixels == reference.rgbPixels)
        #expect(fast.count < size.width * size.height * 3 / 8)
    }
}

@Suite("Text shaped once, drawn on every canvas")
struct ShapedTextTests {
    @Test("A panel's PNG is the same bytes whether its text was first shaped for it, for a page at 0.7 or for the PDF")
    func shapingOrderDoesNotShow() throws {
        let size = ImageSize(width: 768, height: 512)
        func forget() {
            SketchCanvas.forgetShapedTexts()
            SketchRenderer.forgetArrangements()
        }
        forget()
        let alone = try SketchRenderer.render(samplePanel, size: size).png
        let cell = SketchRect(x: 40, y: 60, width: 540, height: 360)
        // A PDF surface lends Pango other font options than an image does: the case that broke.
        let firstCanvases = [try SketchCanvas(width: 1200, height: 1800, curveTolerance: SketchCanvas.pageCurveTolerance),
                             try SketchCanvas(pdfWidth: 1200, height: 1800, scale: 0.4)]
        for first in firstCanvases {
            forget()
            first.transformed(fitting: 768, 512, in: cell) { _ = SketchRenderer.draw(samplePanel, size: size, on: first) }
            #expect(try SketchRenderer.render(samplePanel, size: size).png == alone)
        }
    }

    @Test("Text in the PDF stays text: pdftotext reads the words back, in order")
    func pdfTextIsSearchable() async throws {
        let pdf = try SketchCanvas(pdfWidth: 600, height: 900, scale: 0.4)
        let style = SketchTextStyle(font: SketchFont(size: 24))
        pdf.transformed(fitting: 600, 300, in: SketchRect(x: 0, y: 0, width: 420, height: 210)) {
            pdf.drawText("Grandma Ada counts the ledger twice", in: SketchRect(x: 20, y: 20, width: 260, height: 200), style: style)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("panelproc-text-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(try pdf.pdfBytes()).write(to: file)
        let text = try await runProcess("/usr/bin/pdftotext", [file.path, "-"])
        #expect(text.status == 0)
        let words = text.stdoutText.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words == "Grandma Ada counts the ledger twice", "\(text.stdoutText)")
    }

    @Test("A character no font has still draws: Pango's box with its code, not nothing")
    func missingGlyph() throws {
        func drawn(_ text: String) throws -> [UInt8] {
            let canvas = try SketchCanvas(width: 120, height: 60)
            canvas.fillBackground(.white)
            canvas.drawText(text, in: SketchRect(x: 0, y: 0, width: 120, height: 60), style: SketchTextStyle(font: SketchFont(size: 20)))
            return try canvas.pngBytes()
        }
        let blank = try drawn("")
        // U+E000 is in the private use area: no font on a Debian machine with DejaVu has it.
        let missing = try drawn("\u{E000}")
        #expect(missing != blank)
        #expect(try drawn("\u{E000}") == missing)  // the same again, after the first went by the fallback
    }
}
