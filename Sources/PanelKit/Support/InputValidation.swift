/// Checks that must pass before cmark-gfm sees a byte: it would silently replace a NUL or
/// invalid UTF-8 with U+FFFD and shift every later column.
enum InputValidation {
    static func validate(_ source: SourceText, file: String) throws(InputError) {
        if let offset = firstNUL(source.bytes) {
            throw InputError(
                file: file, location: source.location(ofOffset: offset),
                message: "NUL byte in a text file; expected UTF-8 Markdown",
                hint: "the file may be binary or UTF-16; save it as UTF-8 text")
        }
        if let offset = firstInvalidUTF8(source.bytes) {
            throw InputError(
                file: file, location: source.location(ofOffset: offset),
                message: String(format: "invalid UTF-8 (byte 0x%02X); expected UTF-8 Markdown", source.bytes[offset]),
                hint: "re-save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`)")
        }
    }

    static func firstNUL(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty,
                let hit = memchr(base, 0, buffer.count)
            else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
    }

    /// Offset of the first byte that does not start or continue a well-formed UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            let count = buffer.count
            var index = 0
            while index < count {
                let lead = buffer[index]
                if lead < 0x80 { index += 1; continue }
                let length: Int
                var lowerBound: UInt8 = 0x80, upperBound: UInt8 = 0xBF
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0: length = 3; lowerBound = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED: length = 3; upperBound = 0x9F
                case 0xF0: length = 4; lowerBound = 0x90
                case 0xF1...0xF3: length = 4
                case 0xF4: length = 4; upperBound = 0x8F
                default: return index
                }
                guard index + length <= count else { return index }
                let second = buffer[index + 1]
                guard second >= lowerBound && second <= upperBound else { return index }
                var continuation = 2
                while continuation < length {
                    guard buffer[index + continuation] & 0xC0 == 0x80 else { return index }
                    continuation += 1
                }
                index += length
            }
            return nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
