import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Input errors name file, line and column")
struct InputErrorTests {
    func error(_ bytes: [UInt8]) -> InputError? {
        do {
            _ = try ChapterParser().parse(SourceText(bytes: bytes), file: "bad.md")
            return nil
        } catch {
            return error
        }
    }

    @Test("A NUL byte")
    func nulByte() throws {
        let found = try #require(error(Array("# T\n\nab\0c\n".utf8)))
        #expect(found.location == SourceLocation(line: 3, column: 3))
        #expect(found.description.hasPrefix("bad.md:3:3: error: NUL byte"))
    }

    @Test("Invalid UTF-8: a stray byte, an overlong form, a truncated sequence, a surrogate",
          arguments: [[0xFF], [0xC0, 0xAF], [0xE2, 0x82], [0xED, 0xA0, 0x80]] as [[UInt8]])
    func invalidUTF8(bad: [UInt8]) throws {
        let found = try #require(error(Array("ok\r\nmore ".utf8) + bad + Array(" end\n".utf8)))
        #expect(found.location == SourceLocation(line: 2, column: 6))
        #expect(found.message.contains("invalid UTF-8"))
    }

    @Test("Valid multi-byte text is accepted")
    func validUTF8() {
        #expect(error(Array("# Café 漢字 🎨 \u{10FFFF}\n".utf8)) == nil)
    }

    @Test("Malformed front matter is reported at the YAML's own line, in file coordinates")
    func malformedYAML() throws {
        let found = try #require(error(Array("---\ntitle: ok\ntone: : bad\n---\n".utf8)))
        #expect(found.location?.line == 3)
        #expect(found.message.hasPrefix("malformed front matter"))
    }

    @Test("Wrong types in front matter point at the value")
    func wrongTypes() throws {
        let bubbles = try #require(error(Array("---\ntitle: T\nmax_bubbles: lots\n---\n".utf8)))
        #expect(bubbles.location == SourceLocation(line: 3, column: 14))
        #expect(bubbles.message.contains("whole number"))
        let title = try #require(error(Array("---\ntitle:\n  nested: x\n---\n".utf8)))
        #expect(title.location?.line == 3)
        let list = try #require(error(Array("---\ntitle: x\n- b\n---\n".utf8)))
        #expect(list.location?.line == 3)
        let twice = try #require(error(Array("---\ntitle: a\ntitle: b\n---\n".utf8)))
        #expect(twice.location == SourceLocation(line: 3, column: 1))
    }

    @Test("Columns are bytes, also after multi-byte characters in the YAML")
    func byteColumns() throws {
        let found = try #require(error(Array("---\ntitle: Café\nmax_bubbles: ∞\n---\n".utf8)))
        #expect(found.location == SourceLocation(line: 3, column: 14))
    }

    @Test("An unreadable file names the file and the reason")
    func unreadable() throws {
        #expect(throws: InputError.self) { try FileIO.readSource(path: "/nonexistent/chapter.md") }
        do {
            _ = try FileIO.readSource(path: "/nonexistent/chapter.md")
        } catch {
            #expect(error.description.contains("/nonexistent/chapter.md: error: cannot read: No such file"))
        }
        do {
            _ = try FileIO.readSource(path: "/tmp")
        } catch {
            #expect(error.message.contains("is a folder"))
        }
    }
}
