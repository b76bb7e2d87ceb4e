import Foundation
import Testing
import TestSupport

/// Issue 9: a writer sees what went wrong, where, and what to do.
@Suite("panelproc command line: what a writer sees")
struct DiagnosticsCommandTests {
    /// 13 lines; panel 1 passes and gets an image line, which moves panel 2 down in the output.
    static let thirteenLines = """
        # Test

        ### Panel 1

        Mira waves at Theo.

        ### Panel 2

        Mira meets a stranger.

        **Characters:** Mira, The Stranger

        **The Stranger:** Hello.

        """

    @Test("A failed panel is named on screen without -v, at the name in the file that was read")
    func failedPanelLine() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Self.thirteenLines.utf8).write(to: folder.appendingPathComponent("ch.md"))
        let result = try await panelproc(["-i", "ch.md"], in: folder)
        #expect(result.status == 1, "\(result.stderr)")
        let column = "**Characters:** Mira, ".utf8.count + 1
        #expect(result.stderr.contains("ch.md:11:\(column): error: p00-02: unknown role \"The Stranger\" (did you mean "), "\(result.stderr)")
        // The file now holds panel 1's image line (two lines more above panel 2); the rerun reuses
        // the stored outcome and still points at the file as read now.
        let rerun = try await panelproc(["-i", "ch.md"], in: folder)
        #expect(rerun.stderr.contains("0 calls made"), "\(rerun.stderr)")
        #expect(rerun.stderr.contains("ch.md:13:\(column): error: p00-02: unknown role \"The Stranger\""), "\(rerun.stderr)")
        // The sample: p02-02 names The Stranger in its Characters: line.
        let sample = try await panelproc(["--images", "none", "01-paper-and-promises.md"], in: folder)
        #expect(sample.stderr.contains("01-paper-and-promises.md:53:"), "\(sample.stderr)")
        #expect(sample.stderr.contains("error: p02-02: unknown role \"The Stranger\" (did you mean"))
    }

    @Test("At most 20 failed-panel lines, then how many more and where to look; all of them with -v")
    func manyFailures() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let panels = (1...23).map { "### Panel \($0)\n\nA crowd gathers.\n\n**Characters:** Stranger \($0)\n" }.joined(separator: "\n")
        try Data(("# Many\n\n" + panels).utf8).write(to: folder.appendingPathComponent("many.md"))
        let result = try await panelproc(["--images", "none", "many.md"], in: folder)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.filter { $0.contains(": error: p00-") }.count == 20, "\(result.stderr)")
        #expect(result.stderr.contains("and 3 more; panelproc trace --failed"))
        let verbose = try await panelproc(["--images", "none", "-v", "many.md"], in: folder)
        #expect(verbose.stderr.split(separator: "\n").filter { $0.contains(": error: p00-") }.count == 23)
    }

    @Test("The summary's last line says what to do when panels failed; plural forms are right")
    func summaryNextStep() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let failed = try await panelproc(["01-paper-and-promises.md"], in: folder)
        let last = try #require(failed.stderr.split(separator: "\n").last)
        #expect(last.contains("panelproc trace --failed"), "\(failed.stderr)")
        #expect(last.contains("--force"))
        let one = "# One\n\n### Panel 1\n\nMira waves at Theo.\n"
        try Data(one.utf8).write(to: folder.appendingPathComponent("one.md"))
        let passed = try await panelproc(["one.md"], in: folder)
        #expect(passed.status == 0)
        #expect(passed.stderr.contains("1 chapter, 1 panel; 1 passed"), "\(passed.stderr)")
        #expect(passed.stderr.contains("1 image made"), "\(passed.stderr)")
        #expect(!passed.stderr.contains("trace --failed"))
        let plan = try await panelproc(["--dry-run", "one.md"], in: folder)
        #expect(plan.stderr.contains("1 panel;"), "\(plan.stderr)")
        #expect(plan.stderr.contains("1 image would be made") || plan.stderr.contains("0 images would be made"), "\(plan.stderr)")
        #expect(!plan.stderr.contains("1 images") && !plan.stderr.contains("1 panels"))
    }

    @Test("--help fits 80 columns")
    func helpWidth() async throws {
        let result = try await panelproc(["--help"], environment: ["COLUMNS": "80"])
        #expect(result.status == 0)
        let lines = result.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            #expect(line.count <= 80, "too wide (\(line.count)): \(line)")
        }
        // Each example stands on its own indented lines: none was wrapped back to column 0.
        let start = try #require(lines.firstIndex(of: "Examples:"))
        let examples = lines[(start + 1)...].prefix { !$0.isEmpty }
        #expect(examples.count >= 8)
        for line in examples { #expect(line.hasPrefix("  "), "an example wrapped: \(line)") }
    }

    @Test("A chapter with no panels says so (an emptied file too)")
    func noPanels() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await panelproc(["no-panels.md"], in: folder)
        #expect(result.status == 0)
        #expect(result.stderr.contains("no-panels.md: warning: no panels found"), "\(result.stderr)")
        try Data().write(to: folder.appendingPathComponent("empty.md"))
        let empty = try await panelproc(["empty.md"], in: folder)
        #expect(empty.stderr.contains("empty.md: warning: no panels found"))
        #expect(empty.stderr.contains("-i"))
    }

    @Test("No character database found is a warning saying where panelproc looked, when panels name characters")
    func noDatabase() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("# T\n\n### Panel 1\n\n**Characters:** Mira\n\nMira waves.\n".utf8).write(to: folder.appendingPathComponent("a.md"))
        try Data("# U\n\n### Panel 1\n\nRain on an empty street.\n".utf8).write(to: folder.appendingPathComponent("b.md"))
        let named = try await panelproc(["--images", "none", "a.md"], in: folder)
        #expect(named.stderr.contains("a.md: warning: no character database found (looked in "), "\(named.stderr)")
        #expect(named.stderr.contains("character_base_list.json"))
        let unnamed = try await panelproc(["--images", "none", "b.md"], in: folder)
        #expect(!unnamed.stderr.contains("no character database"), "\(unnamed.stderr)")
    }

    @Test("A draft copy whose slug writes into a folder owned by another file exits 2 naming both, and how to proceed")
    func folderCollision() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await panelproc(["-i", "02-the-double-spend.md"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        try FileManager.default.copyItem(at: folder.appendingPathComponent("02-the-double-spend.md"),
                                         to: folder.appendingPathComponent("draft.md"))
        let manifest = try RepoPaths.bytes(folder.appendingPathComponent("generated/02-the-double-spend/manifest.json"))
        let copy = try await panelproc(["-i", "draft.md"], in: folder)
        #expect(copy.status == 2)
        #expect(copy.stderr.contains("draft.md: error:"), "\(copy.stderr)")
        #expect(copy.stderr.contains("02-the-double-spend.md"))
        #expect(copy.stderr.contains("--output-dir") && copy.stderr.contains("--take-over") && copy.stderr.contains("`title`"))
        #expect(try RepoPaths.bytes(folder.appendingPathComponent("generated/02-the-double-spend/manifest.json")) == manifest)
        // The old file was only renamed: take the folder over.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("02-the-double-spend.md"))
        let taken = try await panelproc(["-i", "--take-over", "draft.md"], in: folder)
        #expect(taken.status == 0, "\(taken.stderr)")
        let again = try await panelproc(["-i", "draft.md"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
    }

    @Test("Warnings for a near-miss marker, unclosed front matter and an empty panel reach the screen compiler-style")
    func parserWarnings() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("---\ntitle: Open\ntone: grim\n\n### Panel 1\n\nMira waves.\n\nPannel 2\n\nTheo waves back.\n\n### Panel 3\n\n**Mood:** calm\n".utf8)
            .write(to: folder.appendingPathComponent("w.md"))
        let result = try await panelproc(["--images", "none", "w.md"], in: folder)
        #expect(result.stderr.contains("w.md:1:1: warning: front matter opened with `---` never closes"), "\(result.stderr)")
        #expect(result.stderr.contains("w.md:9:1: warning: `Pannel 2` looks like a panel marker but is not; write `Panel 2`"))
        #expect(result.stderr.contains("w.md:13:1: warning: panel p00-03 has no scene text, dialogue or caption"))
    }
}
