import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Models per stage and the fallback model")
struct ModelRouterTests {
    @Test("models: and fallback_model: are read with file:line:col errors")
    func reads() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("panelproc.yml")
        try "call_mode: fused\nmodels:\n  default: small\n  rewrite: big\nfallback_model: big\n".write(to: file, atomically: true, encoding: .utf8)
        let settings = try RunSettings.resolve(file: file.path, environment: [:])
        #expect(settings.calls.mode == .fused)
        #expect(settings.calls.model(forPrompt: "rewrite", base: "m") == "big")
        #expect(settings.calls.model(forPrompt: "theme", base: "m") == "small")
        #expect(settings.calls.fallbackModel == "big")
        try "models:\n  colour: big\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) { try RunSettings.resolve(file: file.path, environment: [:]) }
        do {
            _ = try RunSettings.resolve(file: file.path, environment: [:])
        } catch {
            #expect(error.description.contains(":2:3"), "\(error)")
        }
    }

    @Test("Each stage asks its own model (loopback chat fake); the dry run shows the model per prompt and the calls per model")
    func routesAndFallsBack() async throws {
        let server = try await FakeChatAPI.start()
        defer { Task { await server.stop() } }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = RunSettings()
        settings.textProvider = .openai
        settings.openAIBaseURL = server.baseURL.absoluteString
        settings.textModel = "base-model"
        settings.retryAttempts = 1
        settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
        settings.trace = folder.appendingPathComponent("trace.sqlite").path
        settings.imageProvider = .none
        settings.writeGallery = false
        settings.outputDirectory = folder.path
        settings.calls.models = ["rewrite": "big"]
        settings.calls.defaultModel = "small"
        settings.calls.fallbackModel = "fallback"
        let pipeline = try Pipeline(settings: settings, environment: [:])
        let chapters = try pipeline.prepare(files: [RepoPaths.fixture("samples/02-the-double-spend.md")])
        let plan = try await pipeline.plan(chapters)
        #expect(plan.text.contains("rewrite → big"), "\(plan.text)")
        #expect(plan.text.contains("theme → small"), "\(plan.text)")
        #expect(plan.callsByModel["small"] ?? 0 > 0)
        _ = try await pipeline.run(chapters)
        let requests = try await server.requests()
        let models = Dictionary(grouping: requests, by: { ($0["prompt"] as? String) ?? "?" }).mapValues { Set($0.compactMap { $0["model"] as? String }) }
        #expect(models["rewrite"] == ["big"])
        #expect(models["theme"] == ["small"])
        #expect(models["roles"] == ["small"])
    }

    @Test("A stage whose answer stays invalid after the repair is asked once more with the fallback model, traced as its own call")
    func fallbackIsTraced() async throws {
        let server = try await FakeChatAPI.start(["--answers", #"{"theme": {"theme": 5}}"#])
        defer { Task { await server.stop() } }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = RunSettings()
        settings.textProvider = .openai
        settings.openAIBaseURL = server.baseURL.absoluteString
        settings.textModel = "base-model"
        settings.retryAttempts = 1
        settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
        settings.trace = folder.appendingPathComponent("trace.sqlite").path
        settings.imageProvider = .none
        settings.writeGallery = false
        settings.outputDirectory = folder.path
        settings.calls.fallbackModel = "fallback-model"
        let pipeline = try Pipeline(settings: settings, environment: [:])
        let chapters = try pipeline.prepare(files: [RepoPaths.fixture("samples/02-the-double-spend.md")])
        let report = try await pipeline.run(chapters)
        let requests = try await server.requests().filter { ($0["prompt"] as? String) == "theme" }
        let panels = chapters[0].chapter.panels.count
        #expect(requests.filter { ($0["model"] as? String) == "base-model" }.count == 2 * panels, "first answer and its repair")
        #expect(requests.filter { ($0["model"] as? String) == "fallback-model" }.count == 2 * panels, "the fallback, once per panel")
        let panel = report.chapters[0].panels[0]
        #expect(panel.text?.reasons.contains { $0.contains("the fallback model fallback-model also failed") } == true, "\(panel.text?.reasons ?? [])")
        let store = try TraceStore(path: try #require(settings.trace))
        let rows = try await store.calls(panelID: panel.sheet.id).filter { $0.record.stage == "theme" && $0.record.attempt == 2 }
        #expect(Set(rows.map(\.record.model)) == ["base-model", "fallback-model"], "one call row per model")
    }

    @Test("The router falls back once, on a failed answer only")
    func fallback() async throws {
        struct Failing: StageModel {
            var kind: StageFailure.Kind
            func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
                throw StageFailure(stage: stage, message: "no", kind: kind)
            }
        }
        struct Answering: StageModel {
            func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
                ModelAnswer(value: .object([("ok", .bool(true))]), traceID: "fallback", cached: false)
            }
        }
        var calls = CallSettings()
        calls.fallbackModel = "b"
        let invalid = ModelRouter(models: ["a": Failing(kind: .provider(.invalidAnswer)), "b": Answering()], calls: calls, baseModel: "a")
        #expect(try await invalid.answer(prompt: "theme", variables: .null, stage: .theme, panelID: "x").traceID == "fallback")
        let unauthorized = ModelRouter(models: ["a": Failing(kind: .provider(.unauthorized)), "b": Answering()], calls: calls, baseModel: "a")
        await #expect(throws: StageFailure.self) { try await unauthorized.answer(prompt: "theme", variables: .null, stage: .theme, panelID: "x") }
        let notCached = ModelRouter(models: ["a": Failing(kind: .notCached), "b": Answering()], calls: calls, baseModel: "a")
        await #expect(throws: StageFailure.self) { try await notCached.answer(prompt: "theme", variables: .null, stage: .theme, panelID: "x") }
    }
}
