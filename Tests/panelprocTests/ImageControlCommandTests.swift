import Foundation
import Testing
import TestSupport

/// Issue 14 through the built binary: help, exit statuses, stdout for the result and stderr for problems.
@Suite("panelproc pick, pin, unpin and refs")
struct ImageControlCommandTests {
    @Test("Each command's help has its usage, an example and its exit statuses; the root help lists them",
          arguments: ["pick", "pin", "unpin", "refs"])
    func help(command: String) async throws {
        let result = try await panelproc([command, "--help"])
        #expect(result.status == 0)
        for expected in ["USAGE: panelproc \(command)", "Example", "Exit status 2", "panelproc \(command) "] {
            #expect(result.stdoutText.contains(expected), "\(command) --help lacks \(expected)")
        }
        let root = try await panelproc(["--help"])
        #expect(root.stdoutText.contains("  \(command) "), "the root help does not list \(command)")
        #expect(root.stdoutText.contains("--candidates"))
    }

    @Test("candidates, pick, pin, unpin and refs end to end, and each command's bad input exits 2 with nothing changed")
    func endToEnd() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let chapter = "01-paper-and-promises.md"
        let manifest = folder.appendingPathComponent("generated/01-paper-and-promises/manifest.json")
        let run = try await panelproc(["-i", "--candidates", "2", chapter], in: folder)
        #expect(run.status == 1, "\(run.stderr)")  // p02-02 fails the gate
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("generated/01-paper-and-promises/images/p01-01.c2.png").path))
        #expect(try await panelproc(["--candidates", "9", chapter], in: folder).status == 2)

        let pick = try await panelproc(["pick", "p01-01", "2", chapter], in: folder)
        #expect(pick.status == 0, "\(pick.stderr)")
        #expect(pick.stdoutText == "p01-01: candidate 2 of 2 is the image now (generated/01-paper-and-promises/images/p01-01.png)\n")
        let before = try RepoPaths.bytes(manifest)
        let unknown = try await panelproc(["pick", "p01-1", "2", chapter], in: folder)
        #expect(unknown.status == 2)
        #expect(unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("no panel p01-1") && unknown.stderr.contains("nearest panel ids: p01-01"), "\(unknown.stderr)")
        #expect(try await panelproc(["pick", "p01-01", "3", chapter], in: folder).status == 2)

        try Data("not a picture".utf8).write(to: folder.appendingPathComponent("notes.png"))
        let notImage = try await panelproc(["pin", "p01-03", "notes.png", chapter], in: folder)
        #expect(notImage.status == 2)
        #expect(notImage.stderr.contains("notes.png: error: is not an image"), "\(notImage.stderr)")
        #expect(try RepoPaths.bytes(manifest) == before)
        let art = folder.appendingPathComponent("generated/01-paper-and-promises/images/p01-01.c1.png").path
        let pin = try await panelproc(["pin", "p01-03", art], in: folder)
        #expect(pin.status == 0, "\(pin.stderr)")
        #expect(pin.stdoutText.hasPrefix("p01-03: pinned p01-01.c1.png as generated/01-paper-and-promises/images/p01-03.png"))
        let dry = try await panelproc(["--dry-run", "--force-images", chapter], in: folder)
        #expect(dry.stdoutText.contains("pinned"), "\(dry.stdoutText)")
        #expect(dry.stdoutText.contains("cached (picked c2)") == false)  // --force-images makes it again (one candidate now)
        #expect(try await panelproc(["unpin", "p01-03", chapter], in: folder).status == 0)
        #expect(try await panelproc(["unpin", "p01-03", chapter], in: folder).status == 2)

        let refs = try await panelproc(["refs", "mira"], in: folder)
        #expect(refs.status == 0, "\(refs.stderr)")
        #expect(refs.stdoutText.hasPrefix("mira-sheet: drew refs/mira-sheet.png"))
        #expect(try await panelproc(["refs", "--approve", "mira-sheet"], in: folder).status == 0)
        let database = try String(decoding: RepoPaths.bytes(folder.appendingPathComponent("characters/character_base_list.json")), as: UTF8.self)
        #expect(database.contains(#"{ "id": "mira-sheet", "path": "refs/mira-sheet.png", "status": "approved" }"#))
        let nobody = try await panelproc(["refs", "nobody"], in: folder)
        #expect(nobody.status == 2)
        #expect(nobody.stderr.contains("no character or location with id \"nobody\""))
        #expect(try await panelproc(["refs"], in: folder).status == 2)
    }
}
