@testable import PanelKit
import Testing

@Suite("LocatedJSON: strict JSON with line and column")
struct LocatedJSONTests {
    func parse(_ text: String) throws(InputError) -> LocatedJSON {
        try LocatedJSON.parse(Array(text.utf8), file: "db.json")
    }

    func failure(_ text: String) -> InputError? {
        failure(Array(text.utf8))
    }

    func failure(_ bytes: [UInt8]) -> InputError? {
        do {
            _ = try LocatedJSON.parse(bytes, file: "db.json")
            return nil
        } catch {
            return error
        }
    }

    @Test("Values and keys carry their line and byte column, across CRLF and multi-byte text")
    func locations() throws {
        let root = try parse("{\r\n  \"név\": \"Café\",\r\n  \"list\": [true, null, -1.5e2]\n}")
        #expect(root.location == SourceLocation(line: 1, column: 1))
        guard case .object(let members) = root.value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["név", "list"])
        #expect(members[0].keyLocation == SourceLocation(line: 2, column: 3))
        // `"név"` is 6 bytes, so the value starts at byte column 11.
        #expect(members[0].value.location == SourceLocation(line: 2, column: 11))
        guard case .array(let items) = members[1].value.value else { Issue.record("not a list"); return }
        #expect(items.map(\.location) == [12, 18, 24].map { SourceLocation(line: 3, column: $0) })
        guard case .number(let number, let raw) = items[2].value else { Issue.record("not a number"); return }
        #expect(number == -150 && raw == "-1.5e2")
    }

    @Test("Escapes decode, including a surrogate pair")
    func escapes() throws {
        let root = try parse(#"["a\"b\\c\/d\n\t", "\u00e9\u00E9", "\uD83D\uDE00!", "plain é"]"#)
        guard case .array(let items) = root.value else { Issue.record("not a list"); return }
        let strings = items.compactMap { item -> String? in
            if case .string(let text) = item.value { return text } else { return nil }
        }
        #expect(strings == ["a\"b\\c/d\n\t", "éé", "😀!", "plain é"])
    }

    @Test("A trailing comma points at the comma")
    func trailingComma() throws {
        let object = try #require(failure("""
            {
              "a": 1,
            }
            """))
        #expect(object.location == SourceLocation(line: 2, column: 9))
        #expect(object.message == "trailing comma before `}`")
        let list = try #require(failure("[1, 2,]"))
        #expect(list.location == SourceLocation(line: 1, column: 6))
        #expect(list.message == "trailing comma before `]`")
    }

    @Test("An unterminated string points at its opening quote")
    func unterminatedString() throws {
        let atEnd = try #require(failure(#"{"a": "abc"#))
        #expect(atEnd.location == SourceLocation(line: 1, column: 7))
        #expect(atEnd.message == "unterminated string")
        let atLineBreak = try #require(failure("{\"a\": \"abc\n\"}"))
        #expect(atLineBreak.location == SourceLocation(line: 1, column: 7))
        #expect(atLineBreak.message.hasPrefix("unterminated string"))
    }

    @Test("Bad escapes point at the backslash")
    func badEscapes() throws {
        let unknown = try #require(failure(#"{"a": "x\qy"}"#))
        #expect(unknown.location == SourceLocation(line: 1, column: 9))
        #expect(unknown.message == "invalid escape `\\q` in a string")
        let shortHex = try #require(failure(#"["\u12G4"]"#))
        #expect(shortHex.location == SourceLocation(line: 1, column: 3))
        #expect(shortHex.message.contains("four hex digits"))
        let loneLow = try #require(failure(#"["\uDE00"]"#))
        #expect(loneLow.message.contains("low surrogate"))
        let loneHigh = try #require(failure(#"["ok", "\uD83Dx"]"#))
        #expect(loneHigh.location == SourceLocation(line: 1, column: 9))
        #expect(loneHigh.message.contains("not followed by a low surrogate"))
        let highThenBMP = try #require(failure(#"["\uD83D\u0041"]"#))
        #expect(highThenBMP.location == SourceLocation(line: 1, column: 9))
    }

    @Test("Missing separators, bad literals and numbers say what was expected")
    func syntax() throws {
        let missingComma = try #require(failure(#"{"a": 1 "b": 2}"#))
        #expect(missingComma.location == SourceLocation(line: 1, column: 9))
        #expect(missingComma.message == "expected `,` or `}` after an object member, found `\"`")
        let missingColon = try #require(failure(#"{"a" 1}"#))
        #expect(missingColon.message.hasPrefix("expected `:`"))
        let capital = try #require(failure("[True]"))
        #expect(capital.message.contains("found `True`"))
        let leadingZero = try #require(failure("[1, 07]"))
        #expect(leadingZero.location == SourceLocation(line: 1, column: 5))
        #expect(try #require(failure("[1.]")).message.contains("decimal point"))
        #expect(try #require(failure("{'a': 1}")).message.contains("double quotes"))
        let extra = try #require(failure("{}\n}"))
        #expect(extra.location == SourceLocation(line: 2, column: 1))
        #expect(try #require(failure("  \n")).message.hasPrefix("empty file"))
        let control = try #require(failure("[\"a\tb\"]"))
        #expect(control.location == SourceLocation(line: 1, column: 4))
    }

    @Test("A key set twice in one object is refused at the second")
    func duplicateKeys() throws {
        let found = try #require(failure("{\n  \"id\": \"a\",\n  \"id\": \"b\"\n}"))
        #expect(found.location == SourceLocation(line: 3, column: 3))
        #expect(found.message == "`id` appears twice in this object (first on line 2)")
    }

    @Test("Nesting up to the limit parses; one level more is an error, not a crash")
    func deepNesting() throws {
        let limit = LocatedJSON.maximumDepth
        _ = try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit))
        let tooDeep = try #require(failure(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)))
        #expect(tooDeep.location == SourceLocation(line: 1, column: limit + 1))
        #expect(tooDeep.message.contains("nested deeper than \(limit) levels"))
        let unclosed = try #require(failure(String(repeating: "{\"a\":", count: 10000)))
        #expect(unclosed.message.contains("nested deeper"))
    }

    @Test("Invalid UTF-8 is refused with its position; a byte order mark is skipped")
    func encoding() throws {
        let bad = try #require(failure(Array("[\n\"a".utf8) + [0xFF] + Array("\"]".utf8)))
        #expect(bad.location == SourceLocation(line: 2, column: 3))
        #expect(bad.message.contains("invalid UTF-8"))
        let withBOM = try LocatedJSON.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8), file: "db.json")
        #expect(withBOM.location == SourceLocation(line: 1, column: 1))
    }
}
