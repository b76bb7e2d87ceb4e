import Foundation
import Testing
import TestSupport

/// A scratch folder with the pacing fixture (due 2027-02-15, target 8 pages) and a sample chapter.
func scratchWithPacingFixture() throws -> URL {
    let folder = try scratchWithSamples()
    try Data(try RepoPaths.bytes(RepoPaths.fixture("pacing/pacing-fixture.md"))).write(to: folder.appendingPathComponent("pacing-fixture.md"))
    return folder
}

@Suite("panelproc pacing and status")
struct PacingStatusCommandTests {
    @Test("pacing prints a table of pages, the totals and insights naming pages; --json prints pacing.json's shape")
    func pacing() async throws {
        let folder = try scratchWithPacingFixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let table = try await panelproc(["pacing", "pacing-fixture.md"], in: folder)
        #expect(table.status == 0, "\(table.stderr)")
        for expected in ["page  panels  words  dialogue  silent  max balloon  warnings",
                         "4          4    160         4       0           20  wordy",
                         "chapter: 4 pages, 11 panels, 203 words; 50.25 words/page, 2.50 panels/page, 18.45 words/panel;",
                         "- Page 4 has 160 words, may read slowly: split dialogue or add a silent beat.",
                         "score 87/100"] {
            #expect(table.stdoutText.contains(expected), "no \(expected) in\n\(table.stdoutText)")
        }
        // Nothing written, no trace.
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("generated").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".panelproc").path))

        let json = try await panelproc(["pacing", "--json", "pacing-fixture.md"], in: folder)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any])
        #expect(Set(object.keys) == ["chapter", "pages"])
        #expect((object["chapter"] as? [String: Any])?["score"] as? Int == 87)

        let two = try await panelproc(["pacing", "--json", "pacing-fixture.md", "01-paper-and-promises.md"], in: folder)
        #expect((try JSONSerialization.jsonObject(with: Data(two.stdout)) as? [Any])?.count == 2)
    }

    @Test("pacing.model: true adds the offline pass's notes; a bad pacing key is exit 2 with file:line:col")
    func pacingConfiguration() async throws {
        let folder = try scratchWithPacingFixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "pacing:\n  model: true\n".write(to: folder.appendingPathComponent("panelproc.yml"), atomically: true, encoding: .utf8)
        let notes = try await panelproc(["pacing", "pacing-fixture.md"], in: folder)
        #expect(notes.status == 0, "\(notes.stderr)")
        #expect(notes.stdoutText.contains("Notes (pacing pass):"))
        #expect(notes.stdoutText.contains("- warning (medium) [p. 4]: Page 4 carries 160 words"))

        try "pacing:\n  words_per_page: {warn_above: lots}\n".write(to: folder.appendingPathComponent("panelproc.yml"), atomically: true,
                                                                  encoding: .utf8)
        let bad = try await panelproc(["pacing", "pacing-fixture.md"], in: folder)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("panelproc.yml:2:32: error: malformed configuration: `warn_above` should be a number"), "\(bad.stderr)")
    }

    @Test("status: a table or JSON, exit 0 with a chapter at risk, no colour off a terminal")
    func status() async throws {
        let folder = try scratchWithPacingFixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let table = try await panelproc(["status", "--today", "2027-02-10"], in: folder)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdoutText.contains("status on 2027-02-10"))
        #expect(table.stdoutText.contains("at risk (needs 0.80/day)"))  // 4 pages in 5 days
        #expect(table.stdoutText.contains("series (3 chapters)"))
        #expect(!table.stdoutText.contains("\u{1B}["))

        let json = try await panelproc(["status", "--json", "--today", "2027-02-10", "."], in: folder)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any])
        let chapters = try #require(object["chapters"] as? [[String: Any]])
        #expect(chapters.map { $0["file"] as? String } == ["01-paper-and-promises.md", "02-the-double-spend.md", "pacing-fixture.md"])
        #expect(chapters[2]["state"] as? String == "at risk")
        #expect((object["totals"] as? [String: Any])?["at_risk"] as? Int == 1)
        // status records its snapshot in the trace beside the chapters.
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".panelproc/trace.sqlite").path))
    }

    @Test("status: a bad due: date is exit 2 naming file, line and column; a bad --today is a usage error")
    func badDue() async throws {
        let folder = try scratchWithPacingFixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pacing-fixture.md")
        try String(contentsOf: path, encoding: .utf8).replacingOccurrences(of: "due: 2027-02-15", with: "due: next friday")
            .write(to: path, atomically: true, encoding: .utf8)
        let result = try await panelproc(["status"], in: folder)
        #expect(result.status == 2)
        #expect(result.stderr.contains("pacing-fixture.md:4:6: error: malformed front matter: `due` should be a date like 2027-02-15, found `next friday`"),
                "\(result.stderr)")
        let today = try await panelproc(["status", "--today", "tomorrow"], in: folder)
        #expect(today.status == 2)
    }

    @Test("Help for pacing and status has examples and fits 80 columns")
    func help() async throws {
        for command in ["pacing", "status"] {
            let result = try await panelproc([command, "--help"], environment: ["COLUMNS": "80"])
            #expect(result.status == 0)
            #expect(result.stdoutText.contains("Examples:"))
            // Each example is one line (a long one would be wrapped).
            for example in ["  panelproc pacing --json chapter.md     the numbers, as in pacing.json\n",
                            "  panelproc status --today 2027-02-01    as if today were that day\n"] where example.contains(command) {
                #expect(result.stdoutText.contains(example))
            }
            // The USAGE line is ArgumentParser's; everything written here fits.
            for line in result.stdoutText.split(separator: "\n") where !line.hasPrefix("USAGE:") {
                #expect(line.count <= 80, "\(command): \(line)")
            }
        }
        let root = try await panelproc(["--help"])
        #expect(root.stdoutText.contains("pacing") && root.stdoutText.contains("status"))
    }
}
