import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// Counts the calls that reach the model, by prompt.
private actor PromptCounter {
    var byPrompt: [String: Int] = [:]
    func add(_ prompt: String) { byPrompt[prompt, default: 0] += 1 }
}

private struct CountingModel: StageModel {
    var base: any StageModel
    var counter: PromptCounter
    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
        await counter.add(prompt)
        return try await base.answer(prompt: prompt, variables: variables, stage: stage, panelID: panelID)
    }
}

/// A model whose fused answer has one bad part: the stage prompts answer as offline.
private struct BadPartModel: StageModel {
    var base: any StageModel
    var badPart: String
    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
        var answer = try await base.answer(prompt: prompt, variables: variables, stage: stage, panelID: panelID)
        if prompt == FusedCall.promptName, let members = answer.value.members {
            answer.value = .object(members.map { $0.0 == badPart ? ($0.0, .object([("nonsense", .bool(true))])) : $0 })
        }
        return answer
    }
}

@Suite("Fused calls: one call per panel, the same verdicts")
struct FusedModeTests {
    /// Every chapter with panels among the examples and the test fixtures.
    static func chapters() -> [URL] {
        let fixtures = FileManager.default.enumerator(at: RepoPaths.fixtures, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "md" } ?? []
        return (RepoPaths.files(in: RepoPaths.examples, withExtension: "md") + fixtures).sorted { $0.path < $1.path }
    }

    static func outcomes(_ chapters: [PreparedChapter], settings: RunSettings, library: PromptLibrary,
                         wrap: (any StageModel) -> any StageModel = { $0 }) async -> ([[PanelOutcome?]], [String: Int])
    {
        let counter = PromptCounter()
        let caller = ModelCaller(provider: OfflineTextProvider(), library: library)
        let pipeline = Pipeline(settings: settings)
        let model = CountingModel(base: wrap(caller), counter: counter)
        let outcomes = await pipeline.textPhase(model: model, library: library).run(chapters)
        return (outcomes, await counter.byPrompt)
    }

    @Test("The offline engine gives every panel of every example and test chapter the same verdict and reasons in both modes")
    func sameVerdicts() async throws {
        let library = try PromptLibrary.load()
        var staged = RunSettings()
        staged.characters = RepoPaths.fixture("samples/character_base_list.json").path
        var fused = staged
        fused.calls.mode = .fused
        var separate = fused
        separate.calls.fusedChecklist = .separate
        var panels = 0
        for url in Self.chapters() {
            guard let chapters = try? Pipeline(settings: staged).prepare(files: [url]), chapters.contains(where: { !$0.chapter.panels.isEmpty })
            else { continue }
            let (a, stageCalls) = await Self.outcomes(chapters, settings: staged, library: library)
            let (b, fusedCalls) = await Self.outcomes(chapters, settings: fused, library: library)
            let (c, separateCalls) = await Self.outcomes(chapters, settings: separate, library: library)
            for (x, (y, z)) in zip(a.joined(), zip(b.joined(), c.joined())) {
                panels += 1
                #expect(x?.status == y?.status && x?.status == z?.status, "\(url.lastPathComponent): \(String(describing: x?.status)) \(String(describing: y?.status)) \(String(describing: z?.status))")
                #expect(x?.reasons == y?.reasons && x?.reasons == z?.reasons, "\(url.lastPathComponent): \(x?.reasons ?? []) vs \(y?.reasons ?? [])")
                #expect(x?.results.checklist?.items.map(\.id) == y?.results.checklist?.items.map(\.id))
            }
            let count = chapters.reduce(0) { $0 + $1.chapter.panels.count }
            #expect(fusedCalls == [FusedCall.promptName: count], "\(url.lastPathComponent): \(fusedCalls)")
            #expect(separateCalls[FusedCall.promptName] == count)
            #expect(stageCalls.values.reduce(0, +) > count * 3)
        }
        #expect(panels >= 20, "only \(panels) panels were compared")
    }

    @Test("A fused answer with one bad part re-asks that part alone, with the stage's own prompt")
    func repairsOnePart() async throws {
        let library = try PromptLibrary.load()
        var settings = RunSettings()
        settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
        settings.calls.mode = .fused
        let chapters = try Pipeline(settings: settings).prepare(files: [RepoPaths.fixture("samples/02-the-double-spend.md")])
        let (good, _) = await Self.outcomes(chapters, settings: settings, library: library)
        let (repaired, calls) = await Self.outcomes(chapters, settings: settings, library: library) { BadPartModel(base: $0, badPart: "rewrite") }
        let count = chapters[0].chapter.panels.count
        #expect(calls[FusedCall.promptName] == count)
        #expect(calls["rewrite"] == count, "one rewrite re-ask per panel: \(calls)")
        #expect(calls["theme"] == nil && calls["bubbles"] == nil)
        #expect(good.joined().map { $0?.status } == repaired.joined().map { $0?.status })
    }

    @Test("A panel's fused request does not change when another panel is inserted before it (no ids, positions or paths in the key)")
    func keyIgnoresPosition() throws {
        var settings = RunSettings()
        settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
        let pipeline = Pipeline(settings: settings)
        let url = RepoPaths.fixture("samples/02-the-double-spend.md")
        let original = String(decoding: try RepoPaths.bytes(url), as: UTF8.self)
        let marker = try #require(original.range(of: "### PANEL ONE"))
        let edited = original.replacingCharacters(in: marker.lowerBound..<marker.lowerBound, with: "### Panel 0\n\nA quiet street at dawn.\n\n\n")
        func variables(_ text: String, panel: Int) throws -> (String, String) {
            let chapter = try pipeline.prepare([InputDocument(path: url.path, source: SourceText(text))])[0]
            let context = StageContext(panel: chapter.chapter.panels[panel], settings: chapter.chapter.settings, characters: chapter.characters)
            return (FusedCall.variables(context, withChecklist: true).compact(), "\(chapter.chapter.panels[panel].lines)")
        }
        let (before, linesBefore) = try variables(original, panel: 0)
        let (after, linesAfter) = try variables(edited, panel: 1)
        #expect(linesBefore != linesAfter, "the panel moved down")
        #expect(before == after)
    }

    @Test("Each part of the fused schema is its stage's schema (maximums included, which bound max_tokens; minimums left to the stage)")
    func partsMatchStages() throws {
        let library = try PromptLibrary.load()
        let fused = try library.template(FusedCall.promptName)
        func lenient(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let members):
                let number = value["type"]?.string == "number"
                return .object(members.filter { key, _ in key != "minLength" && key != "x-when" && !(number && (key == "minimum" || key == "maximum")) }
                    .map { ($0.0, lenient($0.1)) })
            case .array(let items): return .array(items.map(lenient))
            default: return value
            }
        }
        for part in FusedCall.parts(withChecklist: true) {
            let stage = try library.template(part)
            #expect(lenient(try #require(fused.schema["properties"]?[part])) == lenient(stage.schema), "fused.yml's \(part) differs from \(part).yml")
        }
    }

    @Test("The fused template's schema: strict parts sent, objects validated, the checklist part dropped when separate")
    func schema() throws {
        let library = try PromptLibrary.load()
        let template = try library.template(FusedCall.promptName)
        #expect(template.schema["x-parts"] == nil)
        #expect(template.validationSchema["properties"]?["rewrite"] == .object([("type", .string("object"))]))
        let separate = template.resolved(for: .object([("with_checklist", .bool(false)), ("theme_names", .array([.string("trade")]))]))
        #expect(separate.schema["properties"]?["checklist"] == nil)
        #expect(separate.schema["required"]?.strings?.contains("checklist") == false)
        #expect(separate.schema["properties"]?["theme"]?["properties"]?["theme"]?["enum"] == .array([.string("trade")]))
        let inside = template.resolved(for: .object([("with_checklist", .bool(true)), ("theme_names", .array([.string("trade")]))]))
        #expect(inside.schema["properties"]?["checklist"]?["x-when"] == nil)
        #expect(inside.schema["required"]?.strings?.contains("checklist") == true)
    }
}
