import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("JSON export")
struct JSONTests {
    @Test("Keys keep their order, strings are escaped, output ends with a newline")
    func serialization() {
        let value = JSONValue.object([
            ("schema_version", .int(1)), ("b", .string("quote \" slash \\ tab \t nl \n bell \u{07} é 🎨")),
            ("a", .array([.bool(true), .null, .double(0.25), .double(2)])), ("empty", .object([])),
        ])
        #expect(value.serialized() == """
            {
              "schema_version": 1,
              "b": "quote \\" slash \\\\ tab \\t nl \\n bell \\u0007 é 🎨",
              "a": [
                true,
                null,
                0.25,
                2
              ],
              "empty": {}
            }

            """)
    }

    @Test("A rerun over the same input gives the same bytes")
    func stable() throws {
        let first = ChapterExport.json(for: try parseSample("01-paper-and-promises.md"), sourcePath: "x.md").serialized()
        let second = ChapterExport.json(for: try parseSample("01-paper-and-promises.md"), sourcePath: "x.md").serialized()
        #expect(first == second)
        #expect(first.hasPrefix("{\n  \"schema_version\": 3,\n"))
    }

    @Test("Exports of every sample and the examples validate against schema/chapter.schema.json")
    func validatesAgainstSchema() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var instances: [String] = []
        let sources = RepoPaths.files(in: RepoPaths.fixtures.appendingPathComponent("samples"), withExtension: "md")
            + RepoPaths.files(in: RepoPaths.examples, withExtension: "md")
        for url in sources {
            // A full offline run (stage results) and a parse only (no stages) must both validate.
            let exported = try await runOffline(url, in: folder)
            let chapter = try ChapterParser().parse(SourceText(bytes: try RepoPaths.bytes(url)), file: url.lastPathComponent)
            let parsedOnly = folder.appendingPathComponent(url.lastPathComponent + ".parsed.json")
            try Data(ChapterExport.json(for: chapter, sourcePath: nil).serialized().utf8).write(to: parsedOnly)
            instances += [exported, parsedOnly.path]
        }
        #expect(instances.count >= 10)
        let result = try await validateWithJSONSchema(instances)
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
    }

    @Test("The schema rejects an export with a missing key or a wrong type (the validator can fail)")
    func schemaRejects() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var broken = ChapterExport.json(for: try parseSample("01-paper-and-promises.md"), sourcePath: nil).serialized()
        broken = broken.replacingOccurrences(of: "\"number\": 1,", with: "\"number\": \"one\",")
        let out = folder.appendingPathComponent("broken.json")
        try Data(broken.utf8).write(to: out)
        let result = try await validateWithJSONSchema([out.path])
        #expect(result.status != 0)
        #expect(result.stdoutText.contains("broken.json"))
    }
}

/// Runs the whole offline chain over a chapter with the sample database and a scratch trace;
/// returns the path of the chapter.json it wrote.
func runOffline(_ url: URL, in folder: URL, force: Bool = false) async throws -> String {
    var settings = RunSettings()
    settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
    settings.outputDirectory = folder.appendingPathComponent("generated").path
    settings.writeJSON = true
    settings.force = force
    settings.trace = folder.appendingPathComponent("trace.sqlite").path
    let pipeline = Pipeline(settings: settings)
    let report = try await pipeline.run(try pipeline.prepare(files: [url]))
    return (try #require(report.chapters.first).directory as NSString).appendingPathComponent("chapter.json")
}

/// Validates instance files with Python's `jsonschema` (Draft 2020-12), which CI installs.
func validateWithJSONSchema(_ instances: [String]) async throws -> ProcessOutput {
    let script = """
        import json, sys
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1]))
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        bad = 0
        for path in sys.argv[2:]:
            for error in validator.iter_errors(json.load(open(path))):
                bad += 1
                print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
        sys.exit(1 if bad else 0)
        """
    return try await runProcess("/usr/bin/env", ["python3", "-c", script, RepoPaths.schema.path] + instances)
}
