import Foundation
import Testing
import TestSupport

/// A scratch folder with the continuity fixtures (seeded.md, clean.md, saga/, characters/).
func scratchWithContinuityFixtures() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("panelproc-continuity-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("saga"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("characters"), withIntermediateDirectories: true)
    for name in ["seeded.md", "clean.md", "saga/1-the-red-scarf.md", "saga/2-the-bank.md", "saga/10-the-green-scarf.md",
                 "characters/character_base_list.json"]
    {
        try Data(try RepoPaths.bytes(RepoPaths.fixture("continuity/\(name)"))).write(to: folder.appendingPathComponent(name))
    }
    return folder
}

@Suite("panelproc continuity")
struct ContinuityCommandTests {
    @Test("Alerts compiler-style on stderr, exit 0; --strict-continuity exits 1; the clean twin passes strict")
    func alerts() async throws {
        let folder = try scratchWithContinuityFixtures()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await panelproc(["continuity", "seeded.md"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains(": warning: ") }
        #expect(warnings.count == 5)
        #expect(warnings.first?.hasPrefix("seeded.md:16:14: warning: visual: Mira Okafor's raincoat is blue here but yellow in the character database (p01-01) [continuity ") == true)
        #expect(result.stderr.contains("continuity: 5 open alerts in 1 chapter"))
        let strict = try await panelproc(["continuity", "--strict-continuity", "seeded.md"], in: folder)
        #expect(strict.status == 1)
        let clean = try await panelproc(["continuity", "--strict-continuity", "clean.md"], in: folder)
        #expect(clean.status == 0 && clean.stderr.contains("continuity: 0 open alerts in 1 chapter"), "\(clean.stderr)")
        let json = try await panelproc(["continuity", "--json", "saga/10-the-green-scarf.md", "saga/1-the-red-scarf.md", "saga/2-the-bank.md"],
                                       in: folder)
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [[String: Any]])
        #expect(reports.map { $0["open"] as? Int } == [1, 0, 0])
    }

    @Test("--accept ID --note writes continuity.yml; the alert is silenced, --all shows it with the note; a bad id is exit 2")
    func decisions() async throws {
        let folder = try scratchWithContinuityFixtures()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await panelproc(["continuity", "seeded.md"], in: folder)
        let line = try #require(first.stderr.split(separator: "\n").first { $0.contains("warning: timeline:") })
        let id = try #require(line.split(separator: " ").last.map { String($0.dropLast()) })
        let accept = try await panelproc(["continuity", "seeded.md", "--accept", String(id.prefix(8)), "--note", "a dream: \"on purpose\""],
                                         in: folder)
        #expect(accept.status == 0, "\(accept.stderr)")
        let yml = try String(contentsOf: folder.appendingPathComponent("continuity.yml"), encoding: .utf8)
        #expect(yml == "intentional:\n  - id: \(id)\n    note: \"a dream: \\\"on purpose\\\"\"\n")
        let after = try await panelproc(["continuity", "seeded.md"], in: folder)
        #expect(!after.stderr.contains(id) && after.stderr.contains("4 open alerts in 1 chapter; 1 decided in continuity.yml (--all shows them)"))
        let all = try await panelproc(["continuity", "--all", "seeded.md"], in: folder)
        #expect(all.stderr.contains("note: timeline:") && all.stderr.contains("[continuity \(id)] (intentional: a dream: \"on purpose\")"),
                "\(all.stderr)")
        let again = try await panelproc(["continuity", "seeded.md", "--accept", id], in: folder)
        #expect(again.status == 0 && again.stderr.contains("already intentional"))
        let bad = try await panelproc(["continuity", "seeded.md", "--accept", "ffffffffffff"], in: folder)
        #expect(bad.status == 2 && bad.stderr.contains("no alert of these chapters has the id ffffffffffff"))
        let noteAlone = try await panelproc(["continuity", "seeded.md", "--note", "x"], in: folder)
        #expect(noteAlone.status == 2)
    }

    @Test("A run writes continuity.json, prints the alerts, and --strict-continuity makes it exit 1")
    func inTheRun() async throws {
        let folder = try scratchWithContinuityFixtures()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await panelproc(["--json", "--images", "none", "seeded.md"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("seeded.md:28:10: warning: timeline: "))
        let path = folder.appendingPathComponent("generated/01-seeded-continuity-errors/continuity.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        #expect(json["open"] as? Int == 5)
        let strict = try await panelproc(["--json", "--images", "none", "--strict-continuity", "seeded.md"], in: folder)
        #expect(strict.status == 1)
        // A rerun writes the same bytes.
        let before = try Data(contentsOf: path)
        _ = try await panelproc(["--json", "--images", "none", "seeded.md"], in: folder)
        #expect(try Data(contentsOf: path) == before)
    }

    @Test("continuity.model: true runs the (offline) model pass; a bad continuity key is exit 2 at file:line:col")
    func configuration() async throws {
        let folder = try scratchWithContinuityFixtures()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "continuity:\n  model: true\n".write(to: folder.appendingPathComponent("panelproc.yml"), atomically: true, encoding: .utf8)
        let model = try await panelproc(["continuity", "--json", "clean.md"], in: folder)
        #expect(model.status == 0, "\(model.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(model.stdout)) as? [String: Any])
        #expect(json["model_checked"] as? Bool == true)
        try "continuity:\n  modle: true\n".write(to: folder.appendingPathComponent("panelproc.yml"), atomically: true, encoding: .utf8)
        let bad = try await panelproc(["continuity", "clean.md"], in: folder)
        #expect(bad.status == 2 && bad.stderr.contains("panelproc.yml:2:3: error: `continuity` has `model`, not `modle`"), "\(bad.stderr)")
        try "intentional: 12\n".write(to: folder.appendingPathComponent("continuity.yml"), atomically: true, encoding: .utf8)
        try "".write(to: folder.appendingPathComponent("panelproc.yml"), atomically: true, encoding: .utf8)
        let decisions = try await panelproc(["continuity", "clean.md"], in: folder)
        #expect(decisions.status == 2 && decisions.stderr.contains("continuity.yml:1:14: error:"), "\(decisions.stderr)")
    }

    @Test("Help for continuity has examples and fits 80 columns")
    func help() async throws {
        let result = try await panelproc(["continuity", "--help"], environment: ["COLUMNS": "80"])
        #expect(result.status == 0)
        #expect(result.stdoutText.contains("Examples:"))
        #expect(result.stdoutText.contains("  panelproc continuity --all chapter.md           also the silenced alerts\n"))
        for line in result.stdoutText.split(separator: "\n") where !line.hasPrefix("USAGE:") {
            #expect(line.count <= 80, "\(line)")
        }
        let root = try await panelproc(["--help"])
        #expect(root.stdoutText.contains("continuity"))
    }
}
