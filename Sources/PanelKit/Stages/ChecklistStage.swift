import Foundation

/// The gate: the model's checklist items plus panelproc's own deterministic rules. Any failed
/// blocker fails the panel.
struct ChecklistStage: PanelStage {
    static let id = StageID.checklist
    static let promptName: String? = "checklist"
    static let offlineEngine: (@Sendable (JSONValue) -> JSONValue)? = OfflineChecklist.answer
    let dependencies: Set<StageID> = [.theme, .roles, .rewrite, .roleValidation, .imagePrompt, .bubbles]
    let runsWithSkippedDependencies = true
    init() {}

    static func variables(_ context: StageContext, _ results: StageResults) -> JSONValue {
        let panel = context.panel
        return .object([
            ("scene", .string(panel.sceneDescriptionOriginal)),
            ("rewrite", .string(results.rewrite?.text ?? "")),
            ("image_prompt", .string(results.imagePrompt?.prompt ?? "")),
            ("negative_prompt", .string(results.imagePrompt?.negativePrompt ?? "")),
            ("bubbles", .array((results.bubbles?.bubbles ?? []).map { bubble in
                .object([("kind", .string(bubble.kind.rawValue)), ("speaker", .string(bubble.speaker ?? "")),
                         ("text", .string(bubble.text))])
            })),
            ("dialogue", context.dialogueVariable),
            ("teaching_point", .string(panel.field(.teachingPoint) ?? "")),
            ("shot", .string(panel.shotType?.rawValue ?? "")),
            ("mood", .string(panel.field(.mood) ?? "")),
            ("max_bubbles", .int(context.settings.maxBubbles)),
        ])
    }

    func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> ChecklistResult {
        var items: [ChecklistItem] = []
        var traceID: String?
        // The model reviews a finished panel only; a panel stopped earlier gets the rules alone.
        if results.imagePrompt != nil && results.bubbles != nil {
            let answer = try await ask(model, Self.variables(context, results), context)
            traceID = answer.traceID
            for item in answer.value["items"]?.array ?? [] {
                guard let itemID = item["id"]?.string, let passed = item["passed"]?.bool else { continue }
                items.append(ChecklistItem(id: itemID, passed: passed, blocker: item["blocker"]?.bool ?? false,
                                           note: item["note"]?.string ?? "", source: .model))
            }
        }
        let rules = ChecklistRules.evaluate(context, results)
        items.removeAll { item in rules.contains { $0.id == item.id } }
        return ChecklistResult(items: items + rules, traceID: traceID)
    }
}

/// panelproc's own checks, which no model answer can override.
enum ChecklistRules {
    static func evaluate(_ context: StageContext, _ results: StageResults) -> [ChecklistItem] {
        var items: [ChecklistItem] = []
        func rule(_ id: String, _ passed: Bool, _ note: String) {
            items.append(ChecklistItem(id: id, passed: passed, blocker: true, note: note, source: .rule))
        }
        if let validation = results.roleValidation {
            if let searched = validation.databaseMissing {
                rule("roles_resolved", false, "no character database found; looked in: \(searched.joined(separator: ", "))")
            } else {
                let problems = validation.unresolved.map { describe($0, panelID: context.panel.id) }
                rule("roles_resolved", problems.isEmpty, problems.isEmpty ? "every role is in the character database" : problems.joined(separator: "; "))
            }
            rule("rewrite_keeps_roles", validation.missingFromRewrite.isEmpty,
                 validation.missingFromRewrite.isEmpty ? "the rewrite names every required role"
                     : "the rewrite drops \(validation.missingFromRewrite.joined(separator: ", "))")
            if !validation.unlisted.isEmpty {
                items.append(ChecklistItem(
                    id: "names_in_database", passed: false, blocker: false,
                    note: "\(validation.unlisted.joined(separator: ", ")) \(validation.unlisted.count == 1 ? "is" : "are") not in the character database; "
                        + "if a character, add them (or list them under Characters:) so their appearance is known", source: .rule))
            }
            rule("rewrite_invents_no_roles", validation.invented.isEmpty,
                 validation.invented.isEmpty ? "the rewrite adds no one" : "the rewrite adds \(validation.invented.joined(separator: ", ")), who is not in the panel or the database")
        }
        if let imagePrompt = results.imagePrompt {
            rule("image_prompt_present", !imagePrompt.prompt.isEmpty, imagePrompt.prompt.isEmpty ? "the image prompt is empty" : "the image prompt is present")
            let example = context.panel.field(.commonExample) ?? context.settings.commonExample ?? ""
            let overlap = TextTools.ngramOverlap(of: imagePrompt.prompt, with: example)
            let limit = context.rules.commonExampleOverlap
            rule("common_example_not_copied", overlap <= limit,
                 String(format: "%.0f%% of the common example's word 5-grams appear in the prompt (limit %.0f%%)", overlap * 100, limit * 100))
            let textRequests = requestsForText(in: imagePrompt.prompt)
            rule("no_text_in_image", textRequests.isEmpty,
                 textRequests.isEmpty ? "the prompt asks for no lettering in the image"
                     : "the prompt asks to draw text (\(textRequests.joined(separator: ", "))); lettering belongs in bubbles")
        }
        if let bubbles = results.bubbles?.bubbles {
            let limit = context.settings.maxBubbles
            rule("bubble_count", bubbles.count <= limit, "\(bubbles.count) bubble\(bubbles.count == 1 ? "" : "s") (limit \(limit))"
                 + (bubbles.count > limit ? "; split the panel or move lines to the next one" : ""))
            let wordLimit = context.rules.maxWordsPerBubble
            let long = bubbles.enumerated().filter { $0.element.wordCount > wordLimit }
            rule("bubble_words", long.isEmpty, long.isEmpty ? "every bubble has at most \(wordLimit) words"
                 : long.map { "bubble \($0.offset + 1) has \($0.element.wordCount) words (limit \(wordLimit))" }.joined(separator: "; "))
        }
        return items
    }

    static func describe(_ resolution: RoleResolution, panelID: String) -> String {
        switch resolution.outcome {
        case .resolved: return ""
        case .ambiguous(let candidates):
            return "role \"\(resolution.role)\" in panel \(panelID) is ambiguous: it could be \(candidates.joined(separator: ", ")); name the character"
        case .unknown(let suggestions):
            return UnknownRoleError(role: resolution.role, panelID: panelID, suggestions: suggestions).description
        }
    }

    /// Each pattern needs a surface that carries words (a sign, a label) or quoted words: a prompt
    /// that merely mentions writing ("a promise written on paper") is not a request for lettering.
    private static let textPatterns: [NSRegularExpression] = [
        #"\b(sign|banner|label|poster|placard|plaque|board|card|screen|billboard|headline|caption)s?\s+(that\s+|which\s+)?(says|say|reads|reading|saying|spells|spelling)\b"#,
        #"\b(with|showing|displaying|bearing)\s+the\s+(words?|text|letters|phrase)\s*[:"“']"#,
        #"\b(?i:with|showing|displaying|bearing)\s+the\s+(?i:words?|text|letters|phrase)\s+[A-Z]{2,}"#,
        #"\blettering\b"#, #"\btypography\b"#, #"\bwritten\s+(on|across|in)\b[^.]*["“]"#,
        #"\bletters\s+spelling\b"#, #"\bspell(s|ing)?\s+out\s*[:"“']"#,
        #"\b(says|reads|reading|saying|labell?ed|marked|titled|captioned|inscribed)\s*:?\s*["“']"#,
    ].map { try! NSRegularExpression(pattern: $0, options: $0.contains("[A-Z]") ? [] : [.caseInsensitive]) }

    /// Words without which no pattern can match: most prompts skip the regular expressions.
    private static let textTriggers = ["say", "read", "word", "text", "letter", "written", "typograph", "spell", "label",
                                       "marked", "titled", "caption", "inscribed", "phrase"]

    /// Phrases in a prompt that ask the image model to draw words.
    static func requestsForText(in prompt: String) -> [String] {
        let lowered = TextTools.fold(prompt)
        guard textTriggers.contains(where: { TextTools.containsBytes(lowered, $0) }) else { return [] }
        let range = NSRange(prompt.startIndex..., in: prompt)
        return textPatterns.compactMap { pattern in
            pattern.firstMatch(in: prompt, range: range).flatMap { Range($0.range, in: prompt) }.map { "\"\(prompt[$0])\"" }
        }
    }
}

extension StageID {
    static let checklist = StageID("checklist")
}

extension StageResults {
    var checklist: ChecklistResult? {
        get { self[ChecklistStage.self] }
        set { self[ChecklistStage.self] = newValue }
    }
}
