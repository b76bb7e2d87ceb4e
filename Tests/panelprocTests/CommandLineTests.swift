import Foundation
import Testing
import TestSupport

/// The built `panelproc` beside this test bundle.
let panelprocBinary: String = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("panelproc")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
    return RepoPaths.root.appendingPathComponent(".build/debug/panelproc").path
}()

func panelproc(_ arguments: [String], stdin: [UInt8]? = nil, in folder: URL? = nil,
               environment extra: [String: String] = [:]) async throws -> ProcessOutput
{
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PANELPROC_") }
    environment.merge(extra) { $1 }
    return try await runProcess(panelprocBinary, arguments, stdin: stdin ?? [], environment: environment, currentDirectory: folder)
}

func sample(_ name: String) throws -> [UInt8] { try RepoPaths.bytes(RepoPaths.fixture("samples/\(name)")) }

/// A scratch folder holding copies of the samples and `characters/character_base_list.json`.
func scratchWithSamples() throws -> URL {
    let folder = try makeTemporaryFolder()
    for name in ["01-paper-and-promises.md", "02-the-double-spend.md", "no-panels.md"] {
        try Data(try sample(name)).write(to: folder.appendingPathComponent(name))
    }
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("characters"), withIntermediateDirectories: true)
    try Data(try sample("character_base_list.json")).write(to: folder.appendingPathComponent("characters/character_base_list.json"))
    return folder
}

func modificationDate(_ url: URL) throws -> Date {
    try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as! Date
}

@Suite("panelproc command line")
struct CommandLineTests {
    @Test("--help documents every flag with examples and the exit statuses")
    func help() async throws {
        let result = try await panelproc(["--help"])
        #expect(result.status == 0)
        let text = result.stdoutText
        for expected in ["Examples:", "cat chapter.md | panelproc > out.md", "panelproc -i one.md two.md", "--in-place", "--json",
                         "--output-dir", "--max-bubbles", "--config", "--verbose", "Exit status", "inspect", "panelproc.yml"] {
            #expect(text.contains(expected), "help lacks \(expected)")
        }
        let inspect = try await panelproc(["inspect", "--help"])
        #expect(inspect.status == 0)
        #expect(inspect.stdoutText.contains("USAGE: panelproc inspect"))
    }

    @Test("With images off, files and stdin pass through byte-identical; exit 1 only for a failed panel",
          arguments: [("no-panels.md", 0), ("02-the-double-spend.md", 0), ("01-paper-and-promises.md", 1)] as [(String, Int32)])
    func passThrough(name: String, status: Int32) async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try sample(name)
        let viaStdin = try await panelproc(["--images", "none"], stdin: input, in: folder)
        #expect(viaStdin.status == status, "\(viaStdin.stderr)")
        #expect(viaStdin.stdout == input)
        let viaDash = try await panelproc(["--images", "none", "-"], stdin: input, in: folder)
        #expect(viaDash.stdout == input)
        let viaFile = try await panelproc(["--images", "none", name], in: folder)
        #expect(viaFile.stdout == input)
        // People get one summary line on stderr; stdout holds only the document.
        #expect(viaFile.stderr.contains("panel"))
        // (and a failed panel its own line, a document without panels a warning, and a failure the next step).
        let lines = viaFile.stderr.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("panelproc: ") }.count == 1, "\(viaFile.stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("panelproc: ") || $0.contains(": warning: ") || $0.contains(": error: ") || $0.hasPrefix("next: ") },
                "\(viaFile.stderr)")
    }

    @Test("Bad input exits 2 with file:line:column, and nothing on stdout",
          arguments: [
              ([0x23, 0x20, 0x54, 0x0A, 0x61, 0x00], "<stdin>:2:2: error: NUL byte"),
              (Array("# Café\n\nbad \u{FF}".utf8).dropLast(2) + [0xFF, 0x0A], "<stdin>:3:5: error: invalid UTF-8"),
              (Array("---\ntitle: [unclosed\nmore: x\n---\n".utf8), "<stdin>:3:5: error: malformed front matter"),
              (Array("---\nmax_bubbles: many\n---\n".utf8), "<stdin>:2:14: error: malformed front matter: `max_bubbles`"),
          ] as [([UInt8], String)])
    func badInput(bytes: [UInt8], message: String) async throws {
        let result = try await panelproc([], stdin: bytes)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
    }

    @Test("A missing file exits 2 and names it")
    func missingFile() async throws {
        let result = try await panelproc(["/nonexistent/ch.md"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/ch.md: error: cannot read: No such file or directory"))
    }

    @Test("Usage errors exit 2 with advice: several files without -i, -i with stdin, unknown flags")
    func usageErrors() async throws {
        let several = try await panelproc(["a.md", "b.md"])
        #expect(several.status == 2)
        #expect(several.stderr.contains("Add -i"))
        let inPlaceStdin = try await panelproc(["-i", "-"])
        #expect(inPlaceStdin.status == 2)
        #expect(inPlaceStdin.stderr.contains("standard input has no file to rewrite"))
        let unknown = try await panelproc(["--frobnicate"])
        #expect(unknown.status == 2)
        let bubbles = try await panelproc(["--max-bubbles", "0", "x.md"])
        #expect(bubbles.status == 2)
        #expect(bubbles.stderr.contains("--max-bubbles must be from 1 to 20"))
    }

    @Test("-i rewrites in place, keeps permission bits, leaves no temporary files")
    func inPlace() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("02-the-double-spend.md")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        let result = try await panelproc(["-i", "--images", "none", file.path, folder.appendingPathComponent("no-panels.md").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try RepoPaths.bytes(file) == (try sample("02-the-double-spend.md")))
        #expect((try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int) == 0o640)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("panelproc-") }
        #expect(leftovers.isEmpty)
    }

    @Test("One bad file among several: exit 2, nothing written anywhere")
    func badAmongSeveral() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("01-paper-and-promises.md")
        let bad = folder.appendingPathComponent("bad.md")
        try Data(Array("---\ntitle: x\ntitle: y\n---\n".utf8)).write(to: bad)
        let before = try modificationDate(good)
        let result = try await panelproc(["-i", "--json", good.path, bad.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.md:3:1: error: malformed front matter: `title` is set twice"))
        #expect(try modificationDate(good) == before)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("generated").path))
    }

    @Test("--json writes generated/<slug>/chapter.json beside the Markdown, the same bytes on rerun")
    func jsonExport() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await panelproc(["--json", "--images", "none", "01-paper-and-promises.md"], in: folder)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stdout == (try sample("01-paper-and-promises.md")))
        let path = folder.appendingPathComponent("generated/01-paper-and-promises/chapter.json")
        let written = try RepoPaths.bytes(path)
        let object = try JSONSerialization.jsonObject(with: Data(written)) as! [String: Any]
        #expect(object["schema_version"] as? Int == 3)
        #expect((object["panels"] as? [Any])?.count == 5)
        #expect(first.stderr.contains("generated/01-paper-and-promises/chapter.json"))
        _ = try await panelproc(["--json", "--images", "none", "01-paper-and-promises.md"], in: folder)
        #expect(try RepoPaths.bytes(path) == written)
        // Standard input writes under the working folder.
        let viaStdin = try await panelproc(["--json"], stdin: try sample("02-the-double-spend.md"), in: folder)
        #expect(viaStdin.stderr.contains("trace .panelproc/trace.sqlite"))
        #expect(viaStdin.status == 0)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("generated/02-the-double-spend/chapter.json").path))
    }

    @Test("Configuration: panelproc.yml from a parent folder, then environment, then flags")
    func configurationLayers() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let chapters = folder.appendingPathComponent("book/chapters")
        try FileManager.default.createDirectory(at: chapters, withIntermediateDirectories: true)
        try Data(try sample("02-the-double-spend.md")).write(to: chapters.appendingPathComponent("two.md"))
        try Data("output_dir: ../out\nmax_bubbles: 4\n".utf8).write(to: folder.appendingPathComponent("book/panelproc.yml"))
        func maxBubbles(_ extraArguments: [String], _ environment: [String: String]) async throws -> Int? {
            let result = try await panelproc(["--json"] + extraArguments + [chapters.appendingPathComponent("two.md").path],
                                             environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let data = try Data(contentsOf: folder.appendingPathComponent("out/02-the-double-spend/chapter.json"))
            let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            return ((json["chapter"] as? [String: Any])?["settings"] as? [String: Any])?["max_bubbles"] as? Int
        }
        #expect(try await maxBubbles([], [:]) == 4)
        #expect(try await maxBubbles([], ["PANELPROC_MAX_BUBBLES": "5"]) == 5)
        #expect(try await maxBubbles(["--max-bubbles", "6"], ["PANELPROC_MAX_BUBBLES": "5"]) == 6)
    }

    @Test("A malformed panelproc.yml exits 2 with its file, line and column")
    func badConfiguration() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("output_dir: out\nmax_bubbles: [3\n".utf8).write(to: folder.appendingPathComponent("panelproc.yml"))
        let result = try await panelproc(["no-panels.md"], in: folder)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("panelproc.yml:3:1: error: malformed configuration"), "\(result.stderr)")
    }

    @Test("inspect prints the parsed panels as JSON")
    func inspect() async throws {
        let result = try await panelproc(["inspect", RepoPaths.fixture("samples/02-the-double-spend.md").path])
        #expect(result.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout)) as! [String: Any]
        let panels = try #require(json["panels"] as? [[String: Any]])
        #expect(panels.map { $0["id"] as? String } == ["02-the-double-spend/p00-01", "02-the-double-spend/p00-02", "02-the-double-spend/p00-03"])
        let bad = try await panelproc(["inspect", "-"], stdin: [0xFF])
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("<stdin>:1:1: error: invalid UTF-8"))
    }
}
