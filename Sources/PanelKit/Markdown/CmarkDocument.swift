import CCmarkGFM
import Synchronization

/// The only place that touches cmark-gfm's C API.
///
/// A parsed document lives only inside `CmarkDocument.parse(_:_:)`'s closure, which runs under a
/// process-wide lock because cmark-gfm is not thread-safe (concurrent parses lose content). Nodes
/// come from cmark's arena allocator, as in the cmark-gfm command-line tool: freeing a large tree
/// node by node cost more than the parse itself. The arena is reset before the lock is released,
/// so every C object is gone when the caller gets control back; only Swift values escape.
final class CmarkDocument {
    private static let parseLock = Mutex<Void>(())
    private static let extensionNames = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]

    private let root: OpaquePointer
    /// The document's top-level blocks, in order.
    private let topLevelNodes: [OpaquePointer]
    /// Set once the arena is reset: any later use is a bug, caught here instead of reading freed memory.
    private var released = false

    private init(root: OpaquePointer) {
        self.root = root
        var nodes: [OpaquePointer] = []
        var child = cmark_node_first_child(root)
        while let node = child {
            nodes.append(node)
            child = cmark_node_next(node)
        }
        self.topLevelNodes = nodes
    }


    /// Parses `bytes` with the GFM extensions and source positions and hands the document to
    /// `body`; the document must not escape the closure.
    static func parse<Result>(_ bytes: [UInt8], _ body: (CmarkDocument) throws -> Result) rethrows -> Result {
        try parseLock.withLock { _ in
            cmark_gfm_core_extensions_ensure_registered()
            let options = CMARK_OPT_SOURCEPOS | CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES
            guard let parser = cmark_parser_new_with_mem(options, cmark_get_arena_mem_allocator()) else {
                fatalError("cmark-gfm could not allocate a parser")
            }
            defer { cmark_arena_reset() }
            defer { cmark_parser_free(parser) }
            for name in extensionNames {
                if let syntaxExtension = cmark_find_syntax_extension(name) {
                    cmark_parser_attach_syntax_extension(parser, syntaxExtension)
                }
            }
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress { cmark_parser_feed(parser, base, chars.count) }
                }
            }
            guard let root = cmark_parser_finish(parser) else {
                fatalError("cmark-gfm returned no document")
            }
            let document = CmarkDocument(root: root)
            defer { document.released = true }
            return try body(document)
        }
    }

    var topLevelCount: Int {
        precondition(!released, "a CmarkDocument was used after its parse ended")
        return topLevelNodes.count
    }

    /// A cheap view of top-level block `index`: kind and position; the inline text only for
    /// headings and for paragraphs that `wantsText` asks for.
    func outline(_ index: Int, wantsText: (MarkdownBlock) -> Bool) -> MarkdownBlock {
        precondition(!released, "a CmarkDocument was used after its parse ended")
        let node = topLevelNodes[index]
        var block = shallowBlock(node)
        if case .heading = block.kind {
            fillInline(&block, node)
        } else if block.kind == .paragraph, wantsText(block) {
            fillInline(&block, node)
        }
        return block
    }

    /// Top-level block `index` with its whole content: inline text of every heading and
    /// paragraph, and the children of every container, recursively.
    func fullBlock(_ index: Int) -> MarkdownBlock {
        precondition(!released, "a CmarkDocument was used after its parse ended")
        return convertFully(topLevelNodes[index])
    }

    // MARK: - Conversion

    private func shallowBlock(_ node: OpaquePointer) -> MarkdownBlock {
        let kind = Self.kind(of: node)
        return MarkdownBlock(
            kind: kind,
            start: SourceLocation(
                line: Int(cmark_node_get_start_line(node)), column: Int(cmark_node_get_start_column(node))),
            endLine: Int(cmark_node_get_end_line(node)),
            lines: [], isPlainText: true, plainLines: [], image: nil, children: [])
    }

    private func convertFully(_ node: OpaquePointer) -> MarkdownBlock {
        var block = shallowBlock(node)
        switch block.kind {
        case .heading, .paragraph:
            fillInline(&block, node)
        case .blockQuote, .list, .item, .footnoteDefinition:
            var child = cmark_node_first_child(node)
            while let current = child {
                block.children.append(convertFully(current))
                child = cmark_node_next(current)
            }
        default:
            break
        }
        return block
    }

    private static func kind(of node: OpaquePointer) -> MarkdownBlock.Kind {
        let type = cmark_node_get_type(node)
        switch type {
        case CMARK_NODE_HEADING: return .heading(level: Int(cmark_node_get_heading_level(node)))
        case CMARK_NODE_PARAGRAPH: return .paragraph
        case CMARK_NODE_BLOCK_QUOTE: return .blockQuote
        case CMARK_NODE_LIST: return .list
        case CMARK_NODE_ITEM: return .item
        case CMARK_NODE_CODE_BLOCK: return .codeBlock
        case CMARK_NODE_HTML_BLOCK: return .htmlBlock
        case CMARK_NODE_THEMATIC_BREAK: return .thematicBreak
        case CMARK_NODE_FOOTNOTE_DEFINITION: return .footnoteDefinition
        default:
            if let name = cmark_node_get_type_string(node), String(cString: name) == "table" { return .table }
            return .other
        }
    }

    private func fillInline(_ block: inout MarkdownBlock, _ node: OpaquePointer) {
        var lines: [String] = [""]
        var plain = true
        var plainLines = [true]
        // A heading's text leaves out image alt text: `### ![Panel 3](x.png)` names a picture,
        // not a panel. A paragraph keeps it as part of the writer's prose.
        let includeAlt = block.kind == .paragraph
        var child = cmark_node_first_child(node)
        while let current = child {
            appendInline(current, to: &lines, plain: &plain, plainLines: &plainLines, includeAlt: includeAlt)
            child = cmark_node_next(current)
        }
        block.lines = lines
        block.isPlainText = plain
        block.plainLines = plainLines
        if case .heading = block.kind { block.image = soleImage(node) }
    }

    /// Flattens inline markup to text; soft and hard breaks start a new line. `plain` turns
    /// false on any markup other than emphasis.
    private func appendInline(_ node: OpaquePointer, to lines: inout [String], plain: inout Bool, plainLines: inout [Bool],
                              includeAlt: Bool = true)
    {
        let type = cmark_node_get_type(node)
        switch type {
        case CMARK_NODE_TEXT, CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE:
            if type != CMARK_NODE_TEXT {
                plain = false
                plainLines[plainLines.count - 1] = false
            }
            if let literal = cmark_node_get_literal(node) {
                lines[lines.count - 1] += String(cString: literal)
            }
        case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
            lines.append("")
            plainLines.append(true)
        case CMARK_NODE_IMAGE where !includeAlt:
            plain = false
            plainLines[plainLines.count - 1] = false
        default:
            if type != CMARK_NODE_EMPH && type != CMARK_NODE_STRONG {
                plain = false
                plainLines[plainLines.count - 1] = false
            }
            var child = cmark_node_first_child(node)
            while let current = child {
                appendInline(current, to: &lines, plain: &plain, plainLines: &plainLines, includeAlt: includeAlt)
                child = cmark_node_next(current)
            }
        }
    }

    /// The image when a heading's content is one image and nothing but white space.
    private func soleImage(_ heading: OpaquePointer) -> InlineImage? {
        var found: OpaquePointer?
        var child = cmark_node_first_child(heading)
        while let current = child {
            let type = cmark_node_get_type(current)
            if type == CMARK_NODE_IMAGE {
                if found != nil { return nil }
                found = current
            } else if type == CMARK_NODE_TEXT {
                let text = cmark_node_get_literal(current).map { String(cString: $0) } ?? ""
                if !text.allSatisfy(\.isWhitespace) { return nil }
            } else {
                return nil
            }
            child = cmark_node_next(current)
        }
        guard let image = found else { return nil }
        var altLines = [""]
        var plain = true
        var plainLines = [true]
        var part = cmark_node_first_child(image)
        while let current = part {
            appendInline(current, to: &altLines, plain: &plain, plainLines: &plainLines)
            part = cmark_node_next(current)
        }
        let url = cmark_node_get_url(image).map { String(cString: $0) } ?? ""
        return InlineImage(alt: altLines.joined(separator: " "), url: url)
    }
}
