import Foundation
import Testing
import TestSupport

@Suite("panelproc command line: images")
struct ImageCommandTests {
    @Test("The default sketch renderer gives every passing panel a PNG and an H4 line; a rerun changes nothing")
    func sketchRoundTrip() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await panelproc(["-i", "--json", "02-the-double-spend.md"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("3 images made, 0 current"))
        let markdown = String(decoding: try RepoPaths.bytes(folder.appendingPathComponent("02-the-double-spend.md")), as: UTF8.self)
        #expect(markdown.contains("#### ![PANEL ONE](generated/02-the-double-spend/images/p00-01.png)\r\n"))
        #expect(markdown.components(separatedBy: "#### ![").count == 4)
        let png = try RepoPaths.bytes(folder.appendingPathComponent("generated/02-the-double-spend/images/p00-01.png"))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

        let snapshot = try ["02-the-double-spend.md", "generated/02-the-double-spend/chapter.json",
                            "generated/02-the-double-spend/manifest.json", "generated/02-the-double-spend/images/p00-02.png"]
            .map { try RepoPaths.bytes(folder.appendingPathComponent($0)) }
        let second = try await panelproc(["-i", "--json", "02-the-double-spend.md"], in: folder)
        #expect(second.stderr.contains("0 calls made, 18 cached; 0 images made, 3 current"), "\(second.stderr)")
        let after = try ["02-the-double-spend.md", "generated/02-the-double-spend/chapter.json",
                         "generated/02-the-double-spend/manifest.json", "generated/02-the-double-spend/images/p00-02.png"]
            .map { try RepoPaths.bytes(folder.appendingPathComponent($0)) }
        #expect(after == snapshot)
    }

    @Test("-v says how long each phase and output took, on stderr after the summary; without it, nothing")
    func timings() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let verbose = try await panelproc(["-v", "02-the-double-spend.md"], in: folder)
        #expect(verbose.status == 0, "\(verbose.stderr)")
        let lines = verbose.stderr.split(separator: "\n").map(String.init)
        let time = try #require(lines.last { $0.hasPrefix("time: ") }, "\(verbose.stderr)")
        #expect(lines.firstIndex { $0.hasPrefix("panelproc: ") }! < lines.firstIndex(of: time)!)
        // Phases in the order they ran, each with seconds; the outputs that took time inside the outputs phase.
        let phases = ["setup", "cache", "text", "images", "assemble", "continuity", "outputs", "trace"].map { time.range(of: " \($0) ")?.lowerBound }
        #expect(phases.allSatisfy { $0 != nil } && phases.map { $0! } == phases.map { $0! }.sorted(), "\(time)")
        #expect(time.contains(" (") && time.contains("pages "), "\(time)")
        let quiet = try await panelproc(["02-the-double-spend.md"], in: folder)
        #expect(!quiet.stderr.contains("time: "), "\(quiet.stderr)")
        #expect(!verbose.stdout.isEmpty && quiet.stdout == verbose.stdout)
    }

    @Test("--dry-run prints the plan on stdout and writes nothing")
    func dryRun() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await panelproc(["--dry-run", "01-paper-and-promises.md"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.contains("01-paper-and-promises/p01-01"))
        // 4 panels × 6 calls, and 3 for p02-02, which stops at role validation (as the run does).
        #expect(result.stdoutText.contains("would make 27 text calls"))
        #expect(result.stderr.contains("nothing was called or written"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".panelproc").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("generated").path))
        let several = try await panelproc(["--dry-run", "01-paper-and-promises.md", "02-the-double-spend.md"], in: folder)
        #expect(several.status == 0, "\(several.stderr)")
        #expect(several.stdoutText.contains("02-the-double-spend/p00-03"))
    }

    @Test("A missing API key for an HTTP provider stops the run with exit 3 and names the variable")
    func missingKey() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("image_provider: openai\nopenai_base_url: http://127.0.0.1:9/v1\n".utf8).write(to: folder.appendingPathComponent("panelproc.yml"))
        let result = try await panelproc(["02-the-double-spend.md"], in: folder)
        #expect(result.status == 3)
        #expect(result.stderr.contains("OPENAI_API_KEY"), "\(result.stderr)")
    }
}
