import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("panelproc draft: through every step against the loopback chat server")
struct DraftLoopbackTests {
    /// What a model might answer at each step (the fake serves them as the chat completion).
    static let answers = """
        {"draft_lore": {"options": [
            {"name": "Storm coast", "world": "A fishing town on a cliff.", "setting": "the lighthouse", "rules": ["The lamp must burn every night."]},
            {"name": "Dry harbor", "world": "A harbor emptied by debt.", "setting": "the harbor", "rules": ["Debts are public."]},
            {"name": "Floating market", "world": "Boats trade at dawn.", "setting": "the market", "rules": ["No coins after dusk."]}]},
         "draft_cast": {"characters": [
            {"name": "Mira", "roles": ["protagonist"], "appearance": "yellow raincoat", "personality": "brave", "voice": "short sentences"},
            {"name": "captain vell", "roles": ["rival"], "appearance": "long grey coat, brass spyglass", "personality": "cold", "voice": "clipped"}]},
         "draft_narrative": {"options": [
            {"logline": "Mira keeps the lamp lit.", "beats": [{"act": "setup", "summary": "Mira climbs the tower.", "setting": "the lighthouse"},
              {"act": "turn", "summary": "Vell cuts the oil.", "setting": "the harbor"}, {"act": "resolution", "summary": "The town brings oil.", "setting": "the lighthouse"}]},
            {"logline": "Two", "beats": [{"act": "setup", "summary": "a", "setting": "b"}, {"act": "turn", "summary": "a", "setting": "b"}, {"act": "resolution", "summary": "a", "setting": "b"}]},
            {"logline": "Three", "beats": [{"act": "setup", "summary": "a", "setting": "b"}, {"act": "turn", "summary": "a", "setting": "b"}, {"act": "resolution", "summary": "a", "setting": "b"}]}]},
         "draft_scenes": {"scenes": [{"setting": "the lighthouse", "characters": ["Mira Okafor"], "purpose": "Mira's duty", "act": "setup"},
            {"setting": "the harbor", "characters": ["Mira Okafor", "Captain Vell"], "purpose": "the threat", "act": "turn"}]},
         "draft_pages": {"panels": [
            {"shot": "establishing", "scene": "Mira: climbs the spiral stairs\\nof the lighthouse at dusk.", "characters": ["Mira Okafor"], "dialogue": [], "caption": "Every night, the lamp.", "teaching_point": ""},
            {"shot": "close-up", "scene": "Mira's hands on the oil can.", "characters": ["Mira Okafor"], "dialogue": [{"speaker": "Mira Okafor", "text": "Almost empty."}], "caption": "", "teaching_point": ""},
            {"shot": "over-the-shoulder", "scene": "Vell watches from the quay.", "characters": ["Captain Vell", "Mira Okafor"],
             "dialogue": [{"speaker": "Captain Vell", "text": "No more oil."}, {"speaker": "Mira Okafor", "text": "Then I'll find some."},
                          {"speaker": "Captain Vell", "text": "Try."}, {"speaker": "Mira Okafor", "text": "Watch me."}], "caption": "", "teaching_point": "Promises need keepers."}
         ]}}
        """

    func settings(_ scratch: DraftScratch, _ server: FakeChatAPI) -> RunSettings {
        var settings = scratch.settings()
        settings.textProvider = .openai
        settings.textModel = "fake"
        settings.openAIBaseURL = server.baseURL.absoluteString
        settings.retryBaseDelay = 0
        return settings
    }

    @Test("Each step is one chat completion with its own template and schema; the chapter is built from the answers")
    func everyStep() async throws {
        let server = try await FakeChatAPI.start(["--answers", Self.answers])
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        let runner = scratch.runner(settings(scratch, server))
        var request = DraftScratch.request
        request.pages = 1
        let result = try await runner.run(request, environment: ["OPENAI_API_KEY": "local"])
        let requests = try await server.requests()
        #expect(requests.compactMap { $0["prompt"] as? String } == DraftStep.all.map(\.promptName))
        #expect(requests.allSatisfy { $0["format"] as? String == "json_schema" && $0["model"] as? String == "fake" })
        #expect(result.callsMade == 5)
        #expect(result.warnings.isEmpty, "\(result.warnings)")

        let text = try scratch.chapterText()
        // The scene that opened like a speaker's line lost its colon and its line break.
        #expect(text.contains("ESTABLISHING SHOT: Mira — climbs the spiral stairs of the lighthouse at dusk."))
        #expect(text.contains("**Caption:** Every night, the lamp."))
        #expect(text.contains("OVER-THE-SHOULDER SHOT: Vell watches from the quay."))
        #expect(text.contains("**Characters:** Captain Vell, Mira Okafor"))
        #expect(text.contains("**Captain Vell:** No more oil.\n**Mira Okafor:** Then I'll find some.\n**Captain Vell:** Try.\n"))
        // The fourth balloon is past the cap of 3: kept as a note, not lettered.
        #expect(text.contains("**Notes:** past the bubble cap of 3: Mira Okafor: Watch me."))
        #expect(result.notes.contains { $0.contains("past the bubble cap") })
        let chapter = try scratch.parsed()
        #expect(chapter.diagnostics.isEmpty)
        #expect(chapter.panels.map { $0.shotType?.rawValue } == ["establishing", "close-up", "over-the-shoulder"])
        // Mira is the database's; Captain Vell (written in lower case by the model) is proposed with what the cast said.
        #expect(result.reused == ["Mira Okafor"])
        #expect(result.proposedAdded == ["captain-vell"])
        let proposed = try JSONValue.parse(String(contentsOfFile: scratch.proposedPath, encoding: .utf8))
        let vell = try #require(proposed["proposed"]?.array?.first)
        #expect(vell["name"]?.string == "Captain Vell" && vell["appearance"]?.string == "long grey coat, brass spyglass")
        #expect(vell["first_seen_in"]?.strings == ["the-lighthouse/p01-03"])
        #expect(try scratch.unresolvedNames().isEmpty)

        // A rerun asks nothing: every step is done.
        let again = try await runner.run(nil, environment: ["OPENAI_API_KEY": "local"])
        #expect(again.callsMade == 0)
        #expect(try await server.count().total == 5)
        await server.stop()
    }

    @Test("Minimal schema answers still make a chapter that parses with 0 warnings and whose speakers resolve")
    func minimalAnswers() async throws {
        let server = try await FakeChatAPI.start()
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        let result = try await scratch.runner(settings(scratch, server)).run(DraftScratch.request, environment: ["OPENAI_API_KEY": "local"])
        #expect(result.warnings.isEmpty)
        #expect(result.notes.contains("page 4: 1 panel, outside the ideal 4–6"))
        #expect(try scratch.parsed().pages.count == 4)
        #expect(try scratch.parsed().diagnostics.isEmpty)
        #expect(try scratch.unresolvedNames().isEmpty)
        await server.stop()
    }

    @Test("response_format json_object (servers without schema support): the schema, cast names included, travels in the system message")
    func jsonObjectMode() async throws {
        let server = try await FakeChatAPI.start()
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        var settings = settings(scratch, server)
        settings.responseFormat = .jsonObject
        var request = DraftScratch.request
        request.pages = 2
        let result = try await scratch.runner(settings).run(request, environment: ["OPENAI_API_KEY": "local"])
        let requests = try await server.requests()
        #expect(requests.count == 6)
        #expect(requests.allSatisfy { $0["format"] as? String == "json_object" })
        #expect(result.warnings.isEmpty)
        // The fake answers the first name the enum allows: a cast member, so the speaker resolves.
        #expect(try scratch.parsed().diagnostics.isEmpty)
        #expect(try scratch.unresolvedNames().isEmpty)
        await server.stop()
    }

    @Test("A step that fails stops the draft with the steps before it saved; the rerun continues from it")
    func failureThenResume() async throws {
        let server = try await FakeChatAPI.start(["--answers", Self.answers])
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        var settings = settings(scratch, server)
        settings.retryAttempts = 1
        // An unknown model key: every call is refused with 401 by a server started with --key.
        let locked = try await FakeChatAPI.start(["--key", "right"])
        settings.openAIBaseURL = locked.baseURL.absoluteString
        await #expect(throws: RunFailure.self) { try await scratch.runner(settings).run(DraftScratch.request, environment: ["OPENAI_API_KEY": "wrong"]) }
        #expect(try scratch.runner().statuses(DraftScratch.request).map(\.state) == [.toDo, .toDo, .toDo, .toDo, .toDo])
        settings.openAIBaseURL = server.baseURL.absoluteString
        let result = try await scratch.runner(settings).run(DraftScratch.request, environment: ["OPENAI_API_KEY": "local"])
        #expect(result.stepsRun.count == 5)
        await locked.stop()
        await server.stop()
    }
}
