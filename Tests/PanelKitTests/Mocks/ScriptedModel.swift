import Foundation
@testable import PanelKit
import Testing

/// A `StageModel` that answers from a script, records what it was asked, and fails loudly when a
/// stage asks for a prompt the script does not cover.
final class ScriptedModel: StageModel, @unchecked Sendable {
    private let answers: [String: JSONValue]
    private let lock = NSLock()
    private var asked: [(prompt: String, variables: JSONValue)] = []

    init(_ answers: [String: JSONValue]) { self.answers = answers }

    var prompts: [String] { lock.withLock { asked.map(\.prompt) } }
    func variables(for prompt: String) -> JSONValue? { lock.withLock { asked.last { $0.prompt == prompt }?.variables } }

    func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
        lock.withLock { asked.append((prompt, variables)) }
        guard let answer = answers[prompt] else {
            Issue.record("unexpected call to prompt \(prompt) from stage \(stage.rawValue)")
            throw StageFailure(stage: stage, message: "no scripted answer for \(prompt)")
        }
        return ModelAnswer(value: answer, traceID: nil, cached: false)
    }
}

/// A provider that changes one prompt's answer from the offline engine's: seeded defects.
struct DefectProvider: TextProvider {
    let name = "defect"
    let model = "offline-with-defect"
    let isLocal = true
    var prompt: String
    var transform: @Sendable (JSONValue) -> JSONValue

    func complete(_ request: TextRequest) async throws(ProviderError) -> TextCompletion {
        var completion = try await OfflineTextProvider().complete(request)
        if request.template.name == prompt {
            completion.value = transform(completion.value)
            completion.raw = completion.value.compact()
        }
        return completion
    }
}

/// The offline engine answering after a random pause, to shuffle the order calls finish in.
struct DelayedProvider: TextProvider {
    let name = "offline"
    let model = OfflineTextProvider().model
    let isLocal = true
    var seed: UInt64

    func complete(_ request: TextRequest) async throws(ProviderError) -> TextCompletion {
        var hasher = Hasher()
        hasher.combine(seed)
        hasher.combine(request.user)
        let micros = UInt64(truncatingIfNeeded: hasher.finalize()) % 3000
        try? await Task.sleep(nanoseconds: micros * 1000)
        return try await OfflineTextProvider().complete(request)
    }
}

/// The sample character database.
func sampleCharacters() throws -> CharacterDatabase {
    try CharacterDatabase.load(path: RepoPaths.fixture("samples/character_base_list.json").path)
}

/// A context for the first panel of `markdown`, resolving against the sample database.
func context(_ markdown: String, force: Bool = false, database: CharacterDatabase? = nil) throws -> StageContext {
    let chapter = try parse(markdown)
    let panel = try #require(chapter.panels.first)
    return StageContext(panel: panel, settings: chapter.settings, characters: try database ?? sampleCharacters(),
                        charactersSearched: [], force: force)
}

/// A model caller over `provider`, with the bundled prompts and no trace.
func caller(_ provider: any TextProvider = OfflineTextProvider(), concurrency: Int = 8) throws -> ModelCaller {
    ModelCaller(provider: provider, library: try PromptLibrary.load(), concurrency: concurrency)
}

import TestSupport
