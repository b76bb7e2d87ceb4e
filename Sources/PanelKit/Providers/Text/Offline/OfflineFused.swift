/// The built-in engine for the fused prompt: the stage chain itself, over the panel the `panel`
/// variable carries, each stage answered by its own offline engine, with `force` on so that every
/// part is written (a stage the gate would skip still gets its part; the real chain decides
/// whether to use it). Each part is exactly what that stage's engine answers in stage mode for
/// the same inputs, so both modes reach the same verdicts.
enum OfflineFused {
    static func answer(_ variables: JSONValue) async -> JSONValue? {
        guard let panel = variables["panel"], let context = FusedContextCodec.decode(panel, force: true) else { return nil }
        let recorder = PartRecorder()
        _ = await PanelChain.standard.run(context, model: recorder)
        let withChecklist = variables["with_checklist"]?.bool ?? true
        let answers = await recorder.answers
        return .object(FusedCall.parts(withChecklist: withChecklist).map { name in
            (name, answers[name] ?? Self.emptyPart(name))
        })
    }

    /// A part for a stage the chain never asked (the checklist of a panel without an image prompt).
    private static func emptyPart(_ name: String) -> JSONValue {
        name == ChecklistStage.promptName ? .object([("items", .array([]))]) : .object([])
    }

    /// Answers each stage with its offline engine and keeps the answers by prompt.
    actor PartRecorder: StageModel {
        private(set) var answers: [String: JSONValue] = [:]

        func store(_ value: JSONValue, for prompt: String) { answers[prompt] = value }

        nonisolated func answer(prompt: String, variables: JSONValue, stage: StageID, panelID: String) async throws(StageFailure) -> ModelAnswer {
            guard let engine = StageRegistry.offlineEngines[prompt] else {
                throw StageFailure(stage: stage, message: "the offline engine has no rules for `\(prompt)`", kind: .provider(.refused))
            }
            let value = engine(variables)
            await store(value, for: prompt)
            return ModelAnswer(value: value, traceID: nil, cached: false)
        }
    }
}
