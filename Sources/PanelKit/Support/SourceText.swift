/// A 1-based line and byte column in a source file, as cmark-gfm reports them.
public struct SourceLocation: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    var line: Int
    var column: Int

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// The exact bytes of one input document and the table that maps lines to byte offsets.
///
/// Every edit panelproc makes is a splice into `bytes` at offsets computed here, so nothing it
/// does not own is ever re-rendered.
public struct SourceText: Sendable {
    /// The document exactly as read.
    let bytes: [UInt8]
    /// Offset of the first byte of each line; lines end at `\n`, `\r\n` or a bare `\r`.
    let lineStarts: [Int]

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.lineStarts = SourceText.computeLineStarts(bytes)
    }

    init(_ string: String) {
        self.init(bytes: Array(string.utf8))
    }

    var lineCount: Int { lineStarts.count }

    static func computeLineStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        starts.reserveCapacity(bytes.count / 40 + 1)
        bytes.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            var index = 0
            while index < count {
                let byte = buffer[index]
                if byte == 0x0A {
                    starts.append(index + 1)
                } else if byte == 0x0D {
                    if index + 1 < count, buffer[index + 1] == 0x0A { index += 1 }
                    starts.append(index + 1)
                }
                index += 1
            }
        }
        // A final terminator does not open a line of its own.
        if starts.count > 1, starts.last == bytes.count { starts.removeLast() }
        return starts
    }

    /// The byte offset of a 1-based line and byte column, clamped to the document.
    func offset(line: Int, column: Int) -> Int {
        guard line >= 1 else { return 0 }
        guard line <= lineStarts.count else { return bytes.count }
        return min(lineStarts[line - 1] + max(column, 1) - 1, bytes.count)
    }

    /// Offset of the first byte of `line` (1-based); the end of the document past the last line.
    func lineStart(_ line: Int) -> Int {
        guard line >= 1 else { return 0 }
        return line <= lineStarts.count ? lineStarts[line - 1] : bytes.count
    }

    /// Offset just past the content of `line`, before its terminator.
    func lineContentEnd(_ line: Int) -> Int {
        let next = lineStart(line + 1)
        var end = next
        if end > lineStart(line), end > 0, bytes[end - 1] == 0x0A { end -= 1 }
        if end > lineStart(line), end > 0, bytes[end - 1] == 0x0D { end -= 1 }
        return max(end, lineStart(line))
    }

    /// The terminator that ends `line` (empty for a last line without one).
    func lineTerminator(_ line: Int) -> [UInt8] {
        Array(bytes[lineContentEnd(line)..<lineStart(line + 1)])
    }

    /// The line's content bytes, without the terminator.
    func lineContent(_ line: Int) -> ArraySlice<UInt8> {
        bytes[lineStart(line)..<lineContentEnd(line)]
    }

    /// True when the line holds only spaces and tabs.
    func isBlankLine(_ line: Int) -> Bool {
        lineContent(line).allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    /// The line ending most of the document uses, for text panelproc inserts.
    var dominantLineEnding: [UInt8] {
        var lf = 0, crlf = 0, cr = 0
        for line in 1...max(lineCount, 1) {
            switch lineTerminator(line) {
            case [0x0D, 0x0A]: crlf += 1
            case [0x0D]: cr += 1
            case [0x0A]: lf += 1
            default: break
            }
            if line >= 200 { break }
        }
        if crlf > lf && crlf >= cr { return [0x0D, 0x0A] }
        if cr > lf && cr > crlf { return [0x0D] }
        return [0x0A]
    }

    /// The 1-based line and byte column of an offset.
    func location(ofOffset offset: Int) -> SourceLocation {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return SourceLocation(line: low + 1, column: offset - lineStarts[low] + 1)
    }

    /// Decodes a byte range as UTF-8 (the document is validated before parsing).
    func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}
