import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("max_tokens, call_timeout and context_window in panelproc.yml")
struct CallLimitsTests {
    func resolve(_ yaml: String) throws -> RunSettings {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("panelproc.yml")
        try Data(yaml.utf8).write(to: file)
        return try RunSettings.resolve(file: file.path, environment: [:])
    }

    @Test("A number applies to every stage; a mapping per stage (or model) wins; unset stages keep the schema's bound")
    func layers() throws {
        let settings = try resolve("max_tokens: {default: 900, bubbles: 300}\ncall_timeout: {image_prompt: 200}\ncontext_window: {smollm2: 4096}\n")
        let limits = settings.callLimits
        #expect(limits.maxTokens(stage: "bubbles", answerBound: 250) == 300)
        #expect(limits.maxTokens(stage: "theme", answerBound: 198) == 900)
        #expect(limits.callTimeout(stage: "image_prompt") == .seconds(200))
        #expect(limits.callTimeout(stage: "theme") == .seconds(120))
        #expect(limits.contextWindow(model: "smollm2") == 4096 && limits.contextWindow(model: "gpt-4o-mini") == nil)
        #expect(try resolve("call_timeout: 30\n").callLimits.callTimeout(stage: "roles") == .seconds(30))
        #expect(RunSettings().callLimits.maxTokens(stage: "roles", answerBound: 477) == 477)
    }

    @Test("A stage name that names no stage (a typo) is an input error at its line and column, naming the stages")
    func unknownStage() throws {
        do {
            _ = try resolve("concurrency: 2\nmax_tokens:\n  bubble: 400\n")
            Issue.record("`bubble` was accepted")
        } catch let error as InputError {
            #expect(error.location?.line == 3 && error.location?.column == 3, "\(error)")
            #expect(error.message.contains("`bubble`") && error.message.contains("bubbles"))
        }
        #expect(throws: InputError.self) { try resolve("call_timeout: {theme: 0}\n") }
        #expect(throws: InputError.self) { try resolve("context_window: 10\n") }
    }
}
