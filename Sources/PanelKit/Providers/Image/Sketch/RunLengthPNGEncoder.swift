/// A PNG encoder for large drawn pages, where almost every pixel is predicted by its neighbours.
///
/// Every row is written with PNG's `Paeth` filter, which predicts a pixel from the ones to its
/// left, above and above-left: flat colour, and the straight edges of boxes and borders whether
/// they run across or down the page, become runs of zero bytes, so only curves, corners and text
/// are left as literals (half as many as a left-only `Sub` filter leaves on a composed page). The
/// deflate stream is one block with the fixed Huffman codes of RFC 1951: a zero run is a literal 0
/// and then matches at distance 1, anything else a literal. Finding the runs is a comparison of
/// whole pixels, eight at a time, and the Adler-32 of a run of zeros is one multiplication, so a
/// page costs little more than reading its pixels: several times faster than zlib's fastest
/// settings on the same rows. Any PNG reader decodes the result (the format is plain PNG and
/// deflate).
struct RunLengthPNGEncoder {
    private static let rgbMask = SIMD8<UInt32>(repeating: 0x00FF_FFFF)

    /// `pixels`: `height` rows `stride` bytes apart, each `width` native-endian 32-bit words
    /// `0x00RRGGBB` (Cairo's RGB24).
    static func encode(pixels: UnsafeRawPointer, width: Int, height: Int, stride: Int) -> [UInt8] {
        precondition(width > 0 && height > 0 && stride >= width * 4, "a PNG has at least one pixel")
        var deflate = FixedHuffmanWriter(bytes: (width * 3 + 1) * height)
        defer { deflate.deallocate() }
        // The row above the first is zeros (PNG 9.2), so the first row needs no case of its own.
        let blankRow = UnsafeMutableRawPointer.allocate(byteCount: width * 4, alignment: 16)
        blankRow.initializeMemory(as: UInt8.self, repeating: 0, count: width * 4)
        defer { blankRow.deallocate() }
        deflate.writeZlibHeader()
        deflate.writeBits(0b011, count: 3)  // BFINAL = 1, BTYPE = 01 (fixed Huffman codes)
        for y in 0..<height {
            let row = pixels + y * stride
            let above = y == 0 ? UnsafeRawPointer(blankRow) : pixels + (y - 1) * stride
            @inline(__always) func pixel(_ line: UnsafeRawPointer, _ x: Int) -> UInt32 {
                x < 0 ? 0 : line.loadUnaligned(fromByteOffset: x * 4, as: UInt32.self) & 0x00FF_FFFF
            }
            deflate.byte(4)  // the row's filter: Paeth
            var x = 0
            while x < width {
                let here = pixel(row, x), left = pixel(row, x - 1), up = pixel(above, x), upLeft = pixel(above, x - 1)
                // Paeth predicts the left pixel where the row above is flat there, and the pixel
                // above where the row is flat on the left: either way, here a zero.
                if (here == left && up == upLeft) || (here == up && left == upLeft) {
                    // A run of zeros: count it in one pass, write it as one run.
                    var end = x + 1
                    // Mostly a stretch of the row repeats the row above: eight pixels at a time,
                    // as four 64-bit words, while the pixel before them repeats it too.
                    if end + 8 <= width, pixel(row, end - 1) == pixel(above, end - 1) {
                        while end + 8 <= width {
                            let offset = end * 4
                            let differs = (row.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ above.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                                | (row.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self) ^ above.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                                | (row.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self) ^ above.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
                                | (row.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self) ^ above.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
                            guard differs & 0x00FF_FFFF_00FF_FFFF == 0 else { break }
                            end += 8
                        }
                    }
                    // Then the general case, eight at a time: flat across or flat down.
                    while end + 8 <= width {
                        let here = row.loadUnaligned(fromByteOffset: end * 4, as: SIMD8<UInt32>.self)
                        let up = above.loadUnaligned(fromByteOffset: end * 4, as: SIMD8<UInt32>.self)
                        let left = row.loadUnaligned(fromByteOffset: end * 4 - 4, as: SIMD8<UInt32>.self)
                        let upLeft = above.loadUnaligned(fromByteOffset: end * 4 - 4, as: SIMD8<UInt32>.self)
                        let acrossFlat = ((here ^ left) | (up ^ upLeft)) & Self.rgbMask
                        let downFlat = ((here ^ up) | (left ^ upLeft)) & Self.rgbMask
                        guard all((acrossFlat .== .zero) .| (downFlat .== .zero)) else { break }
                        end += 8
                    }
                    while end < width {
                        let here = pixel(row, end), left = pixel(row, end - 1), up = pixel(above, end), upLeft = pixel(above, end - 1)
                        guard (here == left && up == upLeft) || (here == up && left == upLeft) else { break }
                        end += 1
                    }
                    deflate.zeros(3 * (end - x))
                    x = end
                    continue
                }
                // Where one side is flat the prediction is one whole neighbour; otherwise it is
                // chosen channel by channel.
                let predicted = left == upLeft ? up : up == upLeft ? left
                    : paeth(left, up, upLeft, shift: 16) << 16 | paeth(left, up, upLeft, shift: 8) << 8 | paeth(left, up, upLeft, shift: 0)
                deflate.pixel(UInt8(truncatingIfNeeded: here >> 16) &- UInt8(truncatingIfNeeded: predicted >> 16),
                              UInt8(truncatingIfNeeded: here >> 8) &- UInt8(truncatingIfNeeded: predicted >> 8),
                              UInt8(truncatingIfNeeded: here) &- UInt8(truncatingIfNeeded: predicted))
                x += 1
            }
        }
        let stream = deflate.finish()

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.reserveCapacity(stream.count + 64)
        func bigEndian(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }
        func chunk(_ type: String, _ body: [UInt8]) {
            let typed = Array(type.utf8)
            png += bigEndian(UInt32(body.count))
            png += typed
            png += body
            png += bigEndian(CRC32.update(CRC32.update(0, typed), body))
        }
        // 8 bits a channel, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
        chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        chunk("IDAT", stream)
        chunk("IEND", [])
        return png
    }

    /// Paeth's prediction for one channel (PNG 9.4): whichever of left, above and above-left is
    /// nearest to left + above - above-left, ties in that order.
    @inline(__always)
    private static func paeth(_ left: UInt32, _ up: UInt32, _ upLeft: UInt32, shift: UInt32) -> UInt32 {
        let a = Int((left >> shift) & 0xFF), b = Int((up >> shift) & 0xFF), c = Int((upLeft >> shift) & 0xFF)
        let (da, db, dc) = (abs(b - c), abs(a - c), abs(a + b - 2 * c))
        return UInt32(da <= db && da <= dc ? a : db <= dc ? b : c)
    }
}

/// The bit stream of one fixed-Huffman deflate block inside a zlib stream, with the zlib
/// stream's Adler-32 kept as bytes go in.
private struct FixedHuffmanWriter {
    /// Room for the worst case (every byte a 9-bit literal), written without checks or growth.
    private let output: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// `literals` copied where the hot loop reads it without a lazy-initialisation check.
    private let literals: UnsafeMutablePointer<Code>
    private var written = 0
    private var bits: UInt64 = 0
    private var bitCount = 0
    /// Adler-32's two sums, reduced modulo 65521 before they can overflow.
    private var sum1: UInt64 = 1
    private var sum2: UInt64 = 0
    private var unreduced = 0
    /// Whether the last byte written is 0, so a match at distance 1 repeats a zero.
    private var lastIsZero = false

    /// `bytes`: how many bytes of filtered image will go in.
    init(bytes: Int) {
        capacity = bytes + bytes / 8 + 64
        output = .allocate(capacity: capacity)
        literals = .allocate(capacity: 256)
        literals.initialize(from: Self.literalCodes, count: 256)
    }

    /// Frees the buffers; `finish` has copied out what was written.
    func deallocate() {
        output.deallocate()
        literals.deallocate()
    }

    mutating func writeZlibHeader() {
        // CMF 0x78: deflate with a 32 KiB window; FLG 0x01 makes CMF·256 + FLG a multiple of 31.
        output[0] = 0x78
        output[1] = 0x01
        written = 2
    }

    @inline(__always)
    mutating func writeBits(_ value: UInt32, count: Int) {
        bits |= UInt64(value) << UInt64(bitCount)
        bitCount += count
        if bitCount >= 32 {
            UnsafeMutableRawPointer(output + written).storeBytes(of: UInt32(truncatingIfNeeded: bits).littleEndian, as: UInt32.self)
            written += 4
            bits >>= 32
            bitCount -= 32
        }
    }

    /// One byte of the filtered image.
    @inline(__always)
    mutating func byte(_ value: UInt8) {
        let code = literals[Int(value)]
        writeBits(code.bits, count: Int(code.count))
        lastIsZero = value == 0
        sum1 += UInt64(value)
        sum2 += sum1
        unreduced += 1
        if unreduced >= Self.reduceEvery { reduce() }
    }

    /// The three bytes of one pixel that differs from its left neighbour: their three literals
    /// go out in one write (at most 27 bits), and the Adler-32 sums take them in one step.
    @inline(__always)
    mutating func pixel(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        let r = literals[Int(red)], g = literals[Int(green)], b = literals[Int(blue)]
        let bits = UInt64(r.bits) | UInt64(g.bits) << UInt64(r.count) | UInt64(b.bits) << UInt64(r.count + g.count)
        writeWide(bits, count: Int(r.count + g.count + b.count))
        lastIsZero = blue == 0
        // Adding r, g, b one at a time gives the second sum 3·s1 + 3r + 2g + b.
        let (rv, gv, bv) = (UInt64(red), UInt64(green), UInt64(blue))
        sum2 += 3 * sum1 + 3 * rv + 2 * gv + bv
        sum1 += rv + gv + bv
        unreduced += 3
        if unreduced >= Self.reduceEvery { reduce() }
    }

    /// Like `writeBits`, for up to 32 bits at once.
    @inline(__always)
    private mutating func writeWide(_ value: UInt64, count: Int) {
        bits |= value << UInt64(bitCount)
        bitCount += count
        if bitCount >= 32 {
            UnsafeMutableRawPointer(output + written).storeBytes(of: UInt32(truncatingIfNeeded: bits).littleEndian, as: UInt32.self)
            written += 4
            bits >>= 32
            bitCount -= 32
        }
    }

    /// Bytes between two reductions of the Adler-32 sums: with 64-bit sums, even a million
    /// bytes of 255 keep the second sum far below overflow (about 2^48).
    private static let reduceEvery = 1 << 20

    /// `count` zero bytes of the filtered image.
    mutating func zeros(_ count: Int) {
        guard count > 0 else { return }
        // Adler-32 of zeros: the first sum stays, the second gains it once per byte.
        sum2 = (sum2 + UInt64(count) * sum1) % 65521
        var left = count
        if !lastIsZero {
            writeBits(literals[0].bits, count: Int(literals[0].count))
            lastIsZero = true
            left -= 1
        }
        while left >= 3 {
            let length = min(left, 258)
            let code = Self.lengths[length]
            writeBits(code.bits, count: Int(code.count))  // the length, then distance code 0 (5 zero bits)
            left -= length
        }
        for _ in 0..<left { writeBits(literals[0].bits, count: Int(literals[0].count)) }
    }

    private mutating func reduce() {
        sum1 %= 65521
        sum2 %= 65521
        unreduced = 0
    }

    /// The zlib stream: the block's end, the last bits, the Adler-32.
    mutating func finish() -> [UInt8] {
        writeBits(0, count: 7)  // end of block: code 256 is seven zero bits
        while bitCount > 0 {
            output[written] = UInt8(truncatingIfNeeded: bits)
            written += 1
            bits >>= 8
            bitCount = max(0, bitCount - 8)
        }
        precondition(written + 4 <= capacity, "the deflate stream outgrew its worst case")
        reduce()
        let adler = UInt32(sum2) << 16 | UInt32(sum1)
        return Array(UnsafeBufferPointer(start: output, count: written))
            + [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
    }

    struct Code { var bits: UInt32; var count: UInt8 }

    /// Deflate sends Huffman codes most significant bit first into a stream filled from the
    /// least significant bit: store them reversed.
    private static func reversed(_ code: UInt32, _ count: Int) -> UInt32 {
        var result: UInt32 = 0
        for bit in 0..<count where code & (1 << UInt32(bit)) != 0 { result |= 1 << UInt32(count - 1 - bit) }
        return result
    }

    /// The fixed code of a literal/length symbol (RFC 1951, 3.2.6).
    private static func symbol(_ value: Int) -> Code {
        switch value {
        case 0...143: Code(bits: reversed(UInt32(0x30 + value), 8), count: 8)
        case 144...255: Code(bits: reversed(UInt32(0x190 + value - 144), 9), count: 9)
        case 256...279: Code(bits: reversed(UInt32(value - 256), 7), count: 7)
        default: Code(bits: reversed(UInt32(0xC0 + value - 280), 8), count: 8)
        }
    }

    static let literalCodes: [Code] = (0...255).map(symbol)

    /// By match length (3...258): the length's symbol, its extra bits, and distance code 0
    /// (distance 1, five zero bits) — one write per match.
    static let lengths: [Code] = {
        // The first length of each of symbols 257...285 and how many extra bits follow it.
        let bases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let extras = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        var table = [Code](repeating: Code(bits: 0, count: 0), count: 259)
        for length in 3...258 {
            let index = bases.lastIndex { $0 <= length }!
            let code = symbol(257 + index)
            let extra = UInt32(length - bases[index])
            let bits = code.bits | extra << UInt32(code.count)
            table[length] = Code(bits: bits, count: code.count + UInt8(extras[index]) + 5)
        }
        return table
    }()
}

/// The CRC-32 of PNG chunks (ISO 3309, as zlib computes it), eight bytes a step.
enum CRC32 {
    /// `tables[k][n]`: the CRC of byte n followed by k zero bytes.
    private static let tables: [[UInt32]] = {
        var first = [UInt32](repeating: 0, count: 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            first[n] = c
        }
        var tables = [first]
        for k in 1..<8 { tables.append((0..<256).map { n in (tables[k - 1][n] >> 8) ^ first[Int(tables[k - 1][n] & 0xFF)] }) }
        return tables
    }()

    static func update(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        var c = ~crc
        let t = tables
        bytes.withUnsafeBytes { buffer in
            var i = 0
            while i + 8 <= buffer.count {
                let low = buffer.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ c
                let high = buffer.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                c = t[7][Int(low & 0xFF)] ^ t[6][Int((low >> 8) & 0xFF)] ^ t[5][Int((low >> 16) & 0xFF)] ^ t[4][Int(low >> 24)]
                    ^ t[3][Int(high & 0xFF)] ^ t[2][Int((high >> 8) & 0xFF)] ^ t[1][Int((high >> 16) & 0xFF)] ^ t[0][Int(high >> 24)]
                i += 8
            }
            while i < buffer.count {
                c = t[0][Int((c ^ UInt32(buffer[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        return ~c
    }
}
