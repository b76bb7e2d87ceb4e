import CCairoPango
import Foundation

// The only file that touches Cairo's and Pango's C APIs. Everything else in the sketch renderer
// speaks the small Swift vocabulary below: points, rectangles, colours, strokes, text styles.

/// A point in pixels, origin top-left, y down.
struct SketchPoint: Equatable {
    var x: Double
    var y: Double

    init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// A width and height in pixels.
struct SketchSize: Equatable {
    var width: Double
    var height: Double
}

/// An axis-aligned rectangle in pixels.
struct SketchRect: Equatable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    init(center: SketchPoint, width: Double, height: Double) {
        self.init(x: center.x - width / 2, y: center.y - height / 2, width: width, height: height)
    }

    var minX: Double { x }
    var minY: Double { y }
    var maxX: Double { x + width }
    var maxY: Double { y + height }
    var midX: Double { x + width / 2 }
    var midY: Double { y + height / 2 }
    var center: SketchPoint { SketchPoint(midX, midY) }

    func insetBy(_ dx: Double, _ dy: Double) -> SketchRect {
        SketchRect(x: x + dx, y: y + dy, width: max(0, width - 2 * dx), height: max(0, height - 2 * dy))
    }

    /// The part of `self` inside `other` (empty, at `self`'s origin, when they do not meet).
    func clipped(to other: SketchRect) -> SketchRect {
        let minX = max(x, other.x), minY = max(y, other.y)
        let maxX = min(self.maxX, other.maxX), maxY = min(self.maxY, other.maxY)
        guard maxX > minX, maxY > minY else { return SketchRect(x: x, y: y, width: 0, height: 0) }
        return SketchRect(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
    }

    func intersects(_ other: SketchRect) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }
}

/// An sRGB colour with alpha, components 0...1.
struct SketchColor: Equatable {
    var red: Double
    var green: Double
    var blue: Double
    var alpha: Double

    init(_ red: Double, _ green: Double, _ blue: Double, _ alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// A grey: 0 black, 1 white.
    static func grey(_ level: Double, _ alpha: Double = 1) -> SketchColor { SketchColor(level, level, level, alpha) }

    static let black = SketchColor(0, 0, 0)
    static let white = SketchColor(1, 1, 1)
}

/// How an outline is drawn.
struct SketchStroke: Equatable {
    var color: SketchColor
    var width: Double
    /// Dash lengths in pixels; empty draws a solid line.
    var dash: [Double] = []
}

/// A font: DejaVu Sans (from `fonts-dejavu-core`) unless told otherwise; the size is in pixels.
struct SketchFont: Hashable {
    var family: String = "DejaVu Sans"
    var size: Double
    var bold: Bool = false
    var italic: Bool = false
}

/// How a block of text is set.
struct SketchTextStyle: Equatable {
    enum Alignment { case left, center, right }

    var font: SketchFont
    var color: SketchColor = .black
    var alignment: Alignment = .center
    /// A halo drawn under the glyphs (sound effects); nil for plain text.
    var outline: SketchStroke? = nil
    /// One line, cut with "…" when too wide, instead of wrapping.
    var singleLine: Bool = false
}

/// A Cairo image surface and its drawing context, with Pango for text.
///
/// Made and used inside one render call and freed in `deinit`; never shared between tasks, so it
/// is deliberately not `Sendable`. Rendering is synchronous: nothing suspends while a canvas is
/// alive, so Pango's per-thread font map is only ever used by the thread that made the canvas.
final class SketchCanvas {
    enum Failure: Error, Equatable {
        case surface(String)
        case png(String)
    }

    let width: Int
    let height: Int
    private let surface: OpaquePointer
    private let cairo: OpaquePointer
    private let pango: OpaquePointer
    private let fontOptions: OpaquePointer
    /// Where a PDF surface streams its bytes; nil for an image surface.
    private let pdfSink: PDFSink?

    /// Largest side accepted; Cairo's own limit is 32767.
    static let maximumSide = 16_384

    /// `curveTolerance`: how far, in pixels, the straight segments Cairo draws a curve with may
    /// stray from it (Cairo's default is 0.1). Composed pages use `pageCurveTolerance`.
    convenience init(width: Int, height: Int, curveTolerance: Double = 0.1) throws(Failure) {
        guard width > 0, height > 0, width <= Self.maximumSide, height <= Self.maximumSide else {
            throw .surface("a sketch must be between 1x1 and \(Self.maximumSide)x\(Self.maximumSide) pixels, not \(width)x\(height)")
        }
        Self.fontSystemReady()
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else {
            throw .surface("cairo could not allocate a \(width)x\(height) surface")
        }
        try self.init(surface: surface, width: width, height: height, scale: 1, pdfSink: nil)
        cairo_set_tolerance(cairo, curveTolerance)
    }

    /// For page PNGs, which draw eight or so sketches at about half their size: only the edges of
    /// curves change (0.6% of a page's pixels, none visibly), and a page takes about a tenth less
    /// time (docs/gallery.md). The PDF keeps its curves as curves.
    static let pageCurveTolerance = 0.5

    /// A PDF document whose pages are `width`x`height` drawing units, each `scale` points (the
    /// same drawing code as a PNG of `width`x`height` pixels). Its creation date is fixed, so the
    /// same drawing gives the same bytes. `showPage()` ends each page, `pdfBytes()` the document.
    convenience init(pdfWidth width: Int, height: Int, scale: Double) throws(Failure) {
        guard width > 0, height > 0, width <= Self.maximumSide, height <= Self.maximumSide, scale > 0 else {
            throw .surface("a PDF page must be between 1x1 and \(Self.maximumSide)x\(Self.maximumSide) units, not \(width)x\(height)")
        }
        Self.fontSystemReady()
        let sink = PDFSink()
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        guard let surface = cairo_pdf_surface_create_for_stream({ closure, data, length in
            guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
            Unmanaged<PDFSink>.fromOpaque(closure).takeUnretainedValue().bytes
                .append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }, closure, Double(width) * scale, Double(height) * scale) else {
            throw .surface("cairo could not create a PDF surface")
        }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00")
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "panelproc")
        try self.init(surface: surface, width: width, height: height, scale: scale, pdfSink: sink)
    }

    private init(surface: OpaquePointer, width: Int, height: Int, scale: Double, pdfSink: PDFSink?) throws(Failure) {
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            let message = String(cString: cairo_status_to_string(status))
            cairo_surface_destroy(surface)
            throw .surface("cairo could not create a \(width)x\(height) surface: \(message)")
        }
        let cairo = cairo_create(surface)!
        if scale != 1 { cairo_scale(cairo, scale, scale) }
        cairo_set_line_join(cairo, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cairo, CAIRO_LINE_CAP_ROUND)
        cairo_set_antialias(cairo, CAIRO_ANTIALIAS_GRAY)

        // Fixed font options and language, so the output does not depend on the desktop's
        // fontconfig hinting preferences or on the process locale.
        let options = cairo_font_options_create()!
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_subpixel_order(options, CAIRO_SUBPIXEL_ORDER_DEFAULT)
        let pango = pango_cairo_create_context(cairo)!
        pango_cairo_context_set_font_options(pango, options)
        pango_context_set_language(pango, pango_language_from_string("en"))
        pango_context_set_base_dir(pango, PANGO_DIRECTION_LTR)

        self.width = width
        self.height = height
        self.surface = surface
        self.cairo = cairo
        self.pango = pango
        self.fontOptions = options
        self.pdfSink = pdfSink
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(pango))
        cairo_font_options_destroy(fontOptions)
        cairo_destroy(cairo)
        cairo_surface_destroy(surface)
    }

    /// Loads fontconfig's configuration and the font cache once per process, before any two
    /// renders can race to do it (Pango's font maps are per thread, fontconfig's setup is not).
    private static let fontWarmUp: Void = {
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 8, 8) else { return }
        defer { cairo_surface_destroy(surface) }
        guard let cairo = cairo_create(surface) else { return }
        defer { cairo_destroy(cairo) }
        guard let layout = pango_cairo_create_layout(cairo) else { return }
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let description = pango_font_description_from_string("DejaVu Sans 10")
        defer { pango_font_description_free(description) }
        pango_layout_set_font_description(layout, description)
        pango_layout_set_text(layout, "Ag", -1)
        var width: Int32 = 0, height: Int32 = 0
        pango_layout_get_pixel_size(layout, &width, &height)
    }()

    private static func fontSystemReady() { _ = fontWarmUp }

    // MARK: - Shapes

    /// Paints the whole surface.
    func fillBackground(_ color: SketchColor) {
        setSource(color)
        cairo_paint(cairo)
    }

    func rectangle(_ rect: SketchRect, fill: SketchColor? = nil, stroke: SketchStroke? = nil) {
        cairo_new_path(cairo)
        cairo_rectangle(cairo, rect.x, rect.y, rect.width, rect.height)
        finish(fill: fill, stroke: stroke)
    }

    func roundedRectangle(_ rect: SketchRect, radius: Double, fill: SketchColor? = nil, stroke: SketchStroke? = nil) {
        let r = max(0, min(radius, rect.width / 2, rect.height / 2))
        cairo_new_path(cairo)
        cairo_new_sub_path(cairo)
        cairo_arc(cairo, rect.maxX - r, rect.minY + r, r, -Double.pi / 2, 0)
        cairo_arc(cairo, rect.maxX - r, rect.maxY - r, r, 0, Double.pi / 2)
        cairo_arc(cairo, rect.minX + r, rect.maxY - r, r, Double.pi / 2, Double.pi)
        cairo_arc(cairo, rect.minX + r, rect.minY + r, r, Double.pi, 3 * Double.pi / 2)
        cairo_close_path(cairo)
        finish(fill: fill, stroke: stroke)
    }

    /// The ellipse inscribed in `rect`.
    func ellipse(_ rect: SketchRect, fill: SketchColor? = nil, stroke: SketchStroke? = nil) {
        guard rect.width > 0, rect.height > 0 else { return }
        cairo_new_path(cairo)
        cairo_save(cairo)
        cairo_translate(cairo, rect.midX, rect.midY)
        cairo_scale(cairo, rect.width / 2, rect.height / 2)
        cairo_arc(cairo, 0, 0, 1, 0, 2 * Double.pi)
        cairo_restore(cairo)
        finish(fill: fill, stroke: stroke)
    }

    func circle(_ center: SketchPoint, radius: Double, fill: SketchColor? = nil, stroke: SketchStroke? = nil) {
        ellipse(SketchRect(center: center, width: 2 * radius, height: 2 * radius), fill: fill, stroke: stroke)
    }

    /// A closed shape through `points`.
    func polygon(_ points: [SketchPoint], fill: SketchColor? = nil, stroke: SketchStroke? = nil) {
        guard let first = points.first else { return }
        cairo_new_path(cairo)
        cairo_move_to(cairo, first.x, first.y)
        for point in points.dropFirst() { cairo_line_to(cairo, point.x, point.y) }
        cairo_close_path(cairo)
        finish(fill: fill, stroke: stroke)
    }

    /// An open line through `points`.
    func polyline(_ points: [SketchPoint], stroke: SketchStroke) {
        guard let first = points.first, points.count > 1 else { return }
        cairo_new_path(cairo)
        cairo_move_to(cairo, first.x, first.y)
        for point in points.dropFirst() { cairo_line_to(cairo, point.x, point.y) }
        finish(fill: nil, stroke: stroke)
    }

    func line(from start: SketchPoint, to end: SketchPoint, stroke: SketchStroke) {
        polyline([start, end], stroke: stroke)
    }

    /// A closed smooth shape: a cubic curve from `start` through each `(control1, control2, end)`.
    func curvedShape(start: SketchPoint, segments: [(SketchPoint, SketchPoint, SketchPoint)],
                     fill: SketchColor? = nil, stroke: SketchStroke? = nil)
    {
        cairo_new_path(cairo)
        cairo_move_to(cairo, start.x, start.y)
        for (c1, c2, end) in segments { cairo_curve_to(cairo, c1.x, c1.y, c2.x, c2.y, end.x, end.y) }
        cairo_close_path(cairo)
        finish(fill: fill, stroke: stroke)
    }

    /// Runs `body` with drawing limited to `rect`.
    func clipped(to rect: SketchRect, _ body: () -> Void) {
        cairo_save(cairo)
        cairo_new_path(cairo)
        cairo_rectangle(cairo, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(cairo)
        body()
        cairo_restore(cairo)
    }

    /// Runs `body` drawing in a `width`x`height` space scaled to fit `rect` (aspect kept,
    /// centred) and clipped to it: how a page draws a sketch as vectors.
    func transformed(fitting width: Double, _ height: Double, in rect: SketchRect, _ body: () -> Void) {
        let scale = min(rect.width / width, rect.height / height)
        let placed = SketchRect(center: rect.center, width: width * scale, height: height * scale)
        cairo_save(cairo)
        cairo_new_path(cairo)
        cairo_rectangle(cairo, placed.x, placed.y, placed.width, placed.height)
        cairo_clip(cairo)
        cairo_translate(cairo, placed.x, placed.y)
        cairo_scale(cairo, scale, scale)
        body()
        cairo_restore(cairo)
        pango_cairo_update_context(cairo, pango)
    }

    // MARK: - Text

    /// The size `text` takes in `style`, wrapped at `wrapWidth` (nil: one line per paragraph),
    /// measured unscaled whatever this canvas's scale: the same on a panel's own image, its page
    /// and the PDF, so a sketch is laid out once (`SketchRenderer.arrangement`) and the same way
    /// whichever canvas asks first.
    func measureText(_ text: String, style: SketchTextStyle, wrapWidth: Double?) -> SketchSize {
        pango_context_set_matrix(pango, nil)
        defer { pango_cairo_update_context(cairo, pango) }
        return withLayout(text, style: style, wrapWidth: wrapWidth) { layout in
            let extent = logicalExtent(layout)
            return SketchSize(width: extent.width, height: extent.height)
        }
    }

    /// Sets `text` inside `rect`, wrapped to its width and centred vertically, turned by
    /// `rotation` radians about the rectangle's centre. Ink outside `rect` is clipped. Returns
    /// whether the text overflowed the box (taller or wider than it).
    ///
    /// The text is laid out and shaped once per process (`ShapedText`, unscaled like
    /// `measureText`) and drawn from its glyphs: a sketch's bubble costs Pango's work on its own
    /// image, not again on its page and in the PDF.
    @discardableResult
    func drawText(_ text: String, in rect: SketchRect, style: SketchTextStyle, rotation: Double = 0) -> Bool {
        guard let shaped = shapedText(text, style: style, wrapWidth: rect.width) else {
            return drawTextWithPango(text, in: rect, style: style, rotation: rotation)
        }
        enterTextBox(rect, rotation: rotation)
        let overflowed = moveToLayoutOrigin(extent: shaped.extent, in: rect)
        // Pango starts a layout at the current point, which Cairo keeps in fixed point: the same
        // round trip here puts every glyph exactly where Pango would.
        var base = (x: 0.0, y: 0.0)
        cairo_get_current_point(cairo, &base.x, &base.y)
        let placed = shaped.runs.map { $0.placed(at: base) }
        if let outline = style.outline {
            cairo_new_path(cairo)
            for (run, glyphs) in zip(shaped.runs, placed) {
                cairo_set_scaled_font(cairo, run.font)
                cairo_glyph_path(cairo, glyphs, Int32(glyphs.count))
            }
            apply(outline)
            cairo_stroke(cairo)
        }
        setSource(style.color)
        let keepsText = cairo_surface_has_show_text_glyphs(surface) != 0
        for (run, glyphs) in zip(shaped.runs, placed) {
            cairo_set_scaled_font(cairo, run.font)
            if keepsText {
                // A PDF keeps which characters each glyph stands for, so its text can be
                // searched and copied (as Pango does).
                cairo_show_text_glyphs(cairo, run.text, Int32(run.text.count), glyphs, Int32(glyphs.count),
                                       run.clusters, Int32(run.clusters.count), run.clusterFlags)
            } else {
                cairo_show_glyphs(cairo, glyphs, Int32(glyphs.count))
            }
        }
        cairo_restore(cairo)
        return overflowed
    }

    /// Saves the state, clips to `rect` (unless the text is turned) and moves the origin to its
    /// centre, turned by `rotation`; the caller restores.
    private func enterTextBox(_ rect: SketchRect, rotation: Double) {
        cairo_save(cairo)
        if rotation == 0 {
            cairo_new_path(cairo)
            cairo_rectangle(cairo, rect.x, rect.y, rect.width, rect.height)
            cairo_clip(cairo)
        }
        cairo_translate(cairo, rect.midX, rect.midY)
        if rotation != 0 { cairo_rotate(cairo, rotation) }
    }

    /// Moves to where a layout of `extent` starts in `rect` (entered with `enterTextBox`): the
    /// layout box is `rect.width` wide and its logical extent is centred vertically, except that
    /// a text too tall for the box keeps its first lines visible. Returns whether it overflows.
    private func moveToLayoutOrigin(extent: (x: Double, y: Double, width: Double, height: Double), in rect: SketchRect) -> Bool {
        let top = extent.height > rect.height ? -rect.height / 2 : -extent.height / 2
        cairo_move_to(cairo, -rect.width / 2, top - extent.y)
        return extent.height > rect.height + 0.5 || extent.width > rect.width + 0.5
    }

    /// `drawText` through a Pango layout on this canvas, for text that cannot be kept as glyphs
    /// (a character no font has, which Pango draws as a box with its code).
    private func drawTextWithPango(_ text: String, in rect: SketchRect, style: SketchTextStyle, rotation: Double) -> Bool {
        withLayout(text, style: style, wrapWidth: rect.width) { layout in
            enterTextBox(rect, rotation: rotation)
            pango_cairo_update_context(cairo, pango)
            let extent = logicalExtent(layout)
            let overflowed = moveToLayoutOrigin(extent: extent, in: rect)
            if let outline = style.outline {
                cairo_new_path(cairo)
                _ = moveToLayoutOrigin(extent: extent, in: rect)
                pango_cairo_layout_path(cairo, layout)
                apply(outline)
                cairo_stroke(cairo)
                _ = moveToLayoutOrigin(extent: extent, in: rect)
            }
            setSource(style.color)
            pango_cairo_show_layout(cairo, layout)
            cairo_restore(cairo)
            pango_cairo_update_context(cairo, pango)
            return overflowed
        }
    }

    /// `text` laid out unscaled in `style` at `wrapWidth`, from the process's table or shaped
    /// and added to it; nil when a glyph is missing from every font.
    private func shapedText(_ text: String, style: SketchTextStyle, wrapWidth: Double) -> ShapedText? {
        let key = ShapedText.Key(text: text, font: style.font, alignment: style.alignment, singleLine: style.singleLine, wrapWidth: wrapWidth)
        if let known = ShapedText.table[key] { return known }
        // Shaped on a small image canvas of this thread's, never on the canvas asking: a PDF
        // surface lends Pango other font options, and a text must come out the same whichever
        // canvas (and thread) needs it first.
        guard let shaper = Self.threadShaper() else { return nil }
        let shaped = shaper.withLayout(text, style: style, wrapWidth: wrapWidth) { ShapedText(layout: $0, extent: shaper.logicalExtent($0)) }
        if let shaped { ShapedText.table.store(shaped, for: key) }
        return shaped
    }

    /// This thread's canvas for shaping text (Pango's font maps are per thread), made on first use
    /// and freed with the thread; nil if Cairo cannot make even that (then text goes through Pango
    /// on the canvas itself).
    private static func threadShaper() -> SketchCanvas? {
        let slot = "panelproc.SketchCanvas.shaper"
        if let shaper = Thread.current.threadDictionary[slot] as? SketchCanvas { return shaper }
        guard let shaper = try? SketchCanvas(width: 8, height: 8) else { return nil }
        Thread.current.threadDictionary[slot] = shaper
        return shaper
    }

    /// Forgets every shaped text, as a new process would start (for tests).
    static func forgetShapedTexts() { ShapedText.table.removeAll() }

    // MARK: - Output

    /// The surface as PNG bytes.
    func pngBytes() throws(Failure) -> [UInt8] {
        cairo_surface_flush(surface)
        var bytes: [UInt8] = []
        let status = withUnsafeMutablePointer(to: &bytes) { pointer in
            cairo_surface_write_to_png_stream(surface, { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                let output = closure.assumingMemoryBound(to: [UInt8].self)
                output.pointee.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }, pointer)
        }
        guard status == CAIRO_STATUS_SUCCESS else {
            throw .png("cairo could not write the PNG: \(String(cString: cairo_status_to_string(status)))")
        }
        return bytes
    }

    /// The surface as PNG bytes, made for speed on large composed pages (`RunLengthPNGEncoder`):
    /// the same pixels as `pngBytes`, many times faster; deterministic like it.
    func fastPNGBytes() throws(Failure) -> [UInt8] {
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { throw .png("cairo has no pixels for this surface") }
        return RunLengthPNGEncoder.encode(pixels: UnsafeRawPointer(data), width: width, height: height,
                                          stride: Int(cairo_image_surface_get_stride(surface)))
    }

    /// Ends the current PDF page and starts the next (PDF canvases only).
    func showPage() {
        cairo_show_page(cairo)
    }

    /// Finishes a PDF canvas and returns the document's bytes. The canvas draws nothing after this.
    func pdfBytes() throws(Failure) -> [UInt8] {
        guard let pdfSink else { throw .surface("not a PDF canvas") }
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw .surface("cairo could not write the PDF: \(String(cString: cairo_status_to_string(status)))")
        }
        return pdfSink.bytes
    }

    // MARK: - Pictures and hatching

    /// Draws `image` scaled to fit inside `rect` (aspect kept, centred).
    func drawImage(_ image: SketchImage, fittingIn rect: SketchRect) {
        transformed(fitting: Double(image.width), Double(image.height), in: rect) {
            cairo_set_source_surface(cairo, image.surface, 0, 0)
            cairo_pattern_set_filter(cairo_get_source(cairo), CAIRO_FILTER_BILINEAR)
            cairo_paint(cairo)
        }
    }

    /// Diagonal lines `spacing` apart across `rect`, clipped to it.
    func hatch(_ rect: SketchRect, spacing: Double, stroke: SketchStroke) {
        guard spacing > 0 else { return }
        clipped(to: rect) {
            cairo_new_path(cairo)
            var offset = -rect.height
            while offset < rect.width {
                cairo_move_to(cairo, rect.x + offset, rect.maxY)
                cairo_line_to(cairo, rect.x + offset + rect.height, rect.y)
                offset += spacing
            }
            finish(fill: nil, stroke: stroke)
        }
    }

    // MARK: - Helpers

    private func setSource(_ color: SketchColor) {
        cairo_set_source_rgba(cairo, color.red, color.green, color.blue, color.alpha)
    }

    private func apply(_ stroke: SketchStroke) {
        setSource(stroke.color)
        cairo_set_line_width(cairo, stroke.width)
        if stroke.dash.isEmpty {
            cairo_set_dash(cairo, nil, 0, 0)
        } else {
            stroke.dash.withUnsafeBufferPointer { cairo_set_dash(cairo, $0.baseAddress, Int32($0.count), 0) }
        }
    }

    /// Fills and/or strokes the current path, then clears it.
    private func finish(fill: SketchColor?, stroke: SketchStroke?) {
        if let fill {
            setSource(fill)
            if stroke == nil { cairo_fill(cairo) } else { cairo_fill_preserve(cairo) }
        }
        if let stroke {
            apply(stroke)
            cairo_stroke(cairo)
        }
        cairo_new_path(cairo)
    }

    /// A Pango layout for `text` in `style`, freed when `body` returns.
    private func withLayout<Result>(_ text: String, style: SketchTextStyle, wrapWidth: Double?,
                                    _ body: (OpaquePointer) -> Result) -> Result
    {
        let layout = pango_layout_new(pango)!
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let description = pango_font_description_new()!
        defer { pango_font_description_free(description) }
        pango_font_description_set_family(description, style.font.family)
        pango_font_description_set_absolute_size(description, style.font.size * Double(PANGO_SCALE))
        pango_font_description_set_weight(description, style.font.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_font_description_set_style(description, style.font.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL)
        pango_layout_set_font_description(layout, description)
        switch style.alignment {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        }
        if let wrapWidth {
            pango_layout_set_width(layout, Int32(max(1, wrapWidth) * Double(PANGO_SCALE)))
            if style.singleLine {
                pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END)
                pango_layout_set_single_paragraph_mode(layout, 1)
            } else {
                pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
            }
        }
        pango_layout_set_text(layout, text, -1)
        return body(layout)
    }

    /// The layout's logical extent in pixels: `x`/`y` offsets inside the layout box and the size.
    private func logicalExtent(_ layout: OpaquePointer) -> (x: Double, y: Double, width: Double, height: Double) {
        var ink = PangoRectangle(), logical = PangoRectangle()
        pango_layout_get_extents(layout, &ink, &logical)
        let scale = Double(PANGO_SCALE)
        return (Double(logical.x) / scale, Double(logical.y) / scale,
                Double(logical.width) / scale, Double(logical.height) / scale)
    }
}

@available(*, unavailable, message: "a SketchCanvas belongs to the one render call that made it")
extension SketchCanvas: Sendable {}

/// A text laid out and shaped by Pango, kept as runs of glyphs with their fonts. Made once at the
/// identity matrix (as `measureText` measures), then drawn by Cairo alone on any canvas, at any
/// scale and on any thread: it is immutable, and Cairo's scaled fonts are reference-counted and
/// safe to share between threads.
private final class ShapedText: @unchecked Sendable {
    struct Key: Hashable {
        var text: String
        var font: SketchFont
        var alignment: SketchTextStyle.Alignment
        var singleLine: Bool
        var wrapWidth: Double
    }

    /// One run of glyphs in one font, with the characters behind them for surfaces that keep
    /// text (PDF). Positions are kept in Pango units as Pango's renderer has them (the run's
    /// origin in the layout, each glyph's offset from it), so the glyphs land where it would put
    /// them to the last bit.
    struct Run {
        struct Glyph {
            var index: UInt
            var x: Int
            var y: Int
        }

        let font: OpaquePointer  // cairo_scaled_font_t, one reference held
        let originX: Int
        let originY: Int
        let glyphs: [Glyph]
        let text: [CChar]
        let clusters: [cairo_text_cluster_t]
        let clusterFlags: cairo_text_cluster_flags_t

        /// The glyphs for a layout whose top-left corner is `base` (user space), with Pango's
        /// arithmetic: `pango_cairo_renderer_show_text_glyphs`.
        func placed(at base: (x: Double, y: Double)) -> [cairo_glyph_t] {
            let scale = Double(PANGO_SCALE)
            let baseX = base.x + Double(originX) / scale, baseY = base.y + Double(originY) / scale
            return glyphs.map { glyph in
                cairo_glyph_t(index: glyph.index, x: baseX + Double(glyph.x) / scale,
                              y: glyph.y == 0 ? baseY : baseY + Double(glyph.y) / scale)
            }
        }
    }

    let runs: [Run]
    let extent: (x: Double, y: Double, width: Double, height: Double)

    /// Reads the glyphs of `layout` as Pango's Cairo renderer would draw them; nil when one is
    /// missing from every font (Pango draws those itself, as a box with the character's code).
    init?(layout: OpaquePointer, extent: (x: Double, y: Double, width: Double, height: Double)) {
        self.extent = extent
        let text = pango_layout_get_text(layout)!
        var runs: [Run] = []
        func abandon() { for run in runs { cairo_scaled_font_destroy(run.font) } }
        let iterator = pango_layout_get_iter(layout)!
        defer { pango_layout_iter_free(iterator) }
        // Where `pango_renderer_draw_layout` and `pango_renderer_draw_layout_line` put each run:
        // a line from its logical left edge on its baseline, its runs one after another, each
        // raised by its rise.
        repeat {
            guard let line = pango_layout_iter_get_line_readonly(iterator) else { continue }
            var lineExtent = PangoRectangle()
            pango_layout_iter_get_line_extents(iterator, nil, &lineExtent)
            let baseline = Int(pango_layout_iter_get_baseline(iterator))
            var advance = 0
            var node = line.pointee.runs
            while let current = node {
                node = current.pointee.next
                let run = current.pointee.data.assumingMemoryBound(to: PangoGlyphItem.self)
                let item = run.pointee.item!.pointee
                let glyphString = run.pointee.glyphs!
                let width = Int(pango_glyph_string_get_width(glyphString))
                advance += Int(run.pointee.start_x_offset)
                let originX = Int(lineExtent.x) + advance, originY = baseline - Int(run.pointee.y_offset)
                advance += width + Int(run.pointee.end_x_offset)
                guard let font = pango_cairo_font_get_scaled_font(OpaquePointer(item.analysis.font)),
                      cairo_scaled_font_status(font) == CAIRO_STATUS_SUCCESS else { abandon(); return nil }
                var glyphs: [Run.Glyph] = []
                var position = 0
                for index in 0..<Int(glyphString.pointee.num_glyphs) {
                    let info = glyphString.pointee.glyphs[index]
                    defer { position += Int(info.geometry.width) }
                    if info.glyph == PANGO_GLYPH_EMPTY { continue }
                    if info.glyph & PANGO_GLYPH_UNKNOWN_FLAG != 0 {
                        if info.glyph == (0x20 | PANGO_GLYPH_UNKNOWN_FLAG) { continue }  // a space: nothing to draw
                        abandon()
                        return nil
                    }
                    glyphs.append(Run.Glyph(index: UInt(info.glyph), x: position + Int(info.geometry.x_offset), y: Int(info.geometry.y_offset)))
                }
                // Clusters as `pango_cairo_renderer_draw_glyph_item` makes them.
                let backward = item.analysis.level & 1 != 0
                var clusters: [cairo_text_cluster_t] = []
                var clusterIterator = PangoGlyphItemIter()
                if pango_glyph_item_iter_init_start(&clusterIterator, run, text) != 0 {
                    repeat {
                        var glyphCount = backward ? clusterIterator.start_glyph - clusterIterator.end_glyph
                            : clusterIterator.end_glyph - clusterIterator.start_glyph
                        for index in min(clusterIterator.start_glyph, clusterIterator.end_glyph + 1)..<max(clusterIterator.start_glyph + 1, clusterIterator.end_glyph) {
                            let glyph = glyphString.pointee.glyphs[Int(index)].glyph
                            if glyph == PANGO_GLYPH_EMPTY || glyph & PANGO_GLYPH_UNKNOWN_FLAG != 0 { glyphCount -= 1 }
                        }
                        clusters.append(cairo_text_cluster_t(num_bytes: clusterIterator.end_index - clusterIterator.start_index, num_glyphs: glyphCount))
                    } while pango_glyph_item_iter_next_cluster(&clusterIterator) != 0
                }
                let characters = UnsafeBufferPointer(start: text + Int(item.offset), count: Int(item.length))
                runs.append(Run(font: cairo_scaled_font_reference(font), originX: originX, originY: originY, glyphs: glyphs,
                                text: Array(characters), clusters: clusters,
                                clusterFlags: backward ? CAIRO_TEXT_CLUSTER_FLAG_BACKWARD : cairo_text_cluster_flags_t(0)))
            }
        } while pango_layout_iter_next_line(iterator) != 0
        self.runs = runs
    }

    deinit {
        for run in runs { cairo_scaled_font_destroy(run.font) }
    }

    /// Every text shaped in this process, shared by all canvases; enough for a long book's lettering.
    static let table = BoundedTable<Key, ShapedText>(limit: 50_000)
}

/// The bytes a PDF canvas has written so far.
private final class PDFSink {
    var bytes: [UInt8] = []
}

/// A decoded PNG, ready to be drawn (scaled) on any canvas. Like a canvas, it belongs to the call
/// that made it.
final class SketchImage {
    let width: Int
    let height: Int
    fileprivate let surface: OpaquePointer

    /// Decodes `png`; nil when the bytes are not a PNG Cairo can read.
    init?(png: [UInt8]) {
        final class Reader {
            let bytes: [UInt8]
            var offset = 0
            init(_ bytes: [UInt8]) { self.bytes = bytes }
        }
        let reader = Reader(png)
        let closure = Unmanaged.passUnretained(reader).toOpaque()
        let decoded = withExtendedLifetime(reader) {
            cairo_image_surface_create_from_png_stream({ closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
                let reader = Unmanaged<Reader>.fromOpaque(closure).takeUnretainedValue()
                let count = Int(length)
                guard reader.offset + count <= reader.bytes.count else { return CAIRO_STATUS_READ_ERROR }
                reader.bytes.withUnsafeBufferPointer { buffer in
                    data.update(from: buffer.baseAddress! + reader.offset, count: count)
                }
                reader.offset += count
                return CAIRO_STATUS_SUCCESS
            }, closure)
        }
        guard let decoded else { return nil }
        guard cairo_surface_status(decoded) == CAIRO_STATUS_SUCCESS,
              cairo_image_surface_get_width(decoded) > 0, cairo_image_surface_get_height(decoded) > 0
        else {
            cairo_surface_destroy(decoded)
            return nil
        }
        surface = decoded
        width = Int(cairo_image_surface_get_width(decoded))
        height = Int(cairo_image_surface_get_height(decoded))
    }

    private init(surface: OpaquePointer, width: Int, height: Int) {
        self.surface = surface
        self.width = width
        self.height = height
    }

    /// This picture scaled (bilinear) to fit inside `width`x`height` pixels, aspect kept; itself
    /// when it already fits that closely. Scaling once lets a page PNG and a PDF page both draw it
    /// 1:1, and keeps the PDF's embedded pixels to what the page shows.
    func scaled(toFit maxWidth: Double, _ maxHeight: Double) -> SketchImage {
        let scale = min(maxWidth / Double(width), maxHeight / Double(height))
        let targetWidth = max(1, Int((Double(width) * scale).rounded())), targetHeight = max(1, Int((Double(height) * scale).rounded()))
        guard scale < 0.98, let target = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(targetWidth), Int32(targetHeight)) else {
            return self
        }
        let cairo = cairo_create(target)!
        cairo_scale(cairo, Double(targetWidth) / Double(width), Double(targetHeight) / Double(height))
        cairo_set_source_surface(cairo, surface, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cairo), CAIRO_FILTER_BILINEAR)
        cairo_paint(cairo)
        cairo_destroy(cairo)
        cairo_surface_flush(target)
        return SketchImage(surface: target, width: targetWidth, height: targetHeight)
    }

    /// Every pixel, row by row, as `0x00RRGGBB` (alpha dropped): what a decoded file shows.
    var rgbPixels: [UInt32] {
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return [] }
        let stride = Int(cairo_image_surface_get_stride(surface))
        var pixels: [UInt32] = []
        pixels.reserveCapacity(width * height)
        for y in 0..<height {
            let row = UnsafeRawPointer(data + y * stride)
            for x in 0..<width { pixels.append(row.loadUnaligned(fromByteOffset: x * 4, as: UInt32.self) & 0x00FF_FFFF) }
        }
        return pixels
    }

    deinit { cairo_surface_destroy(surface) }
}

@available(*, unavailable, message: "a SketchImage belongs to the call that decoded it")
extension SketchImage: Sendable {}
