import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Stages, each alone with a scripted model")
struct StageTests {
    static let clerkPanel = """
        ---
        tone: tense
        common_example: paying for apples with a banknote
        ---
        ### Panel 2: The clerk

        Officer Bly stamps a ledger while a stranger waits behind Mira.

        **Characters:** Officer Bly, Mira, The Stranger

        **Officer Bly:** Next!
        Caption: Later that day.
        **The Stranger (whispering):** I'd like to change this.
        """

    @Test("theme: takes the model's theme; a theme outside the taxonomy fails the stage")
    func theme() async throws {
        let ctx = try context(Self.clerkPanel)
        let model = ScriptedModel(["theme": .object([("theme", .string("trust")), ("confidence", .double(0.7)), ("rationale", .string("r"))])])
        let result = try await ThemeStage().run(ctx, StageResults(), model)
        #expect(result.theme == "trust")
        #expect(result.confidence == 0.7)
        #expect(model.variables(for: "theme")?["taxonomy"]?.array?.count == ThemeTaxonomy.standard.themes.count)

        let wrong = ScriptedModel(["theme": .object([("theme", .string("romance")), ("confidence", .double(1)), ("rationale", .string(""))])])
        await #expect(throws: StageFailure.self) { try await ThemeStage().run(ctx, StageResults(), wrong) }
    }

    @Test("roles: the writer's declared roles survive whatever the model answers")
    func roles() async throws {
        let ctx = try context(Self.clerkPanel)
        let model = ScriptedModel(["roles": .object([("roles", .array([.object([("name", .string("Mira")), ("evidence", .string("scene"))])]))])])
        let result = try await RolesStage().run(ctx, StageResults(), model)
        #expect(Set(result.roles.map(\.name)) == ["Officer Bly", "Mira", "The Stranger"])
        #expect(model.variables(for: "roles")?["characters"]?.array?.count == 4)
    }

    @Test("roles: a name the panel never mentions is the model's invention and is dropped; a database name behind an alias the text uses stays")
    func rolesDropInventions() async throws {
        let ctx = try context("""
            ### Panel 1

            Silent panel. The crowd moves past; Mira looks at the note in her hand, thinking.
            """)
        // What SmolLM2-135M answered for this panel of examples/01: "Thea", whom nobody wrote,
        // and Theo Brandt, who is in the database but not in this panel.
        let model = ScriptedModel(["roles": .object([("roles", .array([
            .object([("name", .string("Mira Okafor")), ("evidence", .string("scene"))]),
            .object([("name", .string("Thea")), ("evidence", .string("scene"))]),
            .object([("name", .string("Theo Brandt")), ("evidence", .string("scene"))]),
        ]))])])
        let result = try await RolesStage().run(ctx, StageResults(), model)
        #expect(result.roles.map(\.name) == ["Mira Okafor"])
        // Role validation then has nothing to blame the writer for.
        var results = StageResults()
        results.roles = result
        results.rewrite = RewriteResult(text: "Mira Okafor looks at the note in her hand while the crowd moves past.")
        let validation = RoleValidationStage.validate(ctx, results)
        #expect(validation.unresolved.isEmpty)
    }

    @Test("rewrite: required roles reach the prompt by canonical name; no roles means has_roles false")
    func rewrite() async throws {
        let ctx = try context(Self.clerkPanel)
        var results = StageResults()
        results.roles = RolesResult(roles: [.init(name: "Mira", evidence: "field"), .init(name: "The Stranger", evidence: "field")])
        let model = ScriptedModel(["rewrite": .object([("text", .string("Mira Okafor waits."))])])
        let result = try await RewriteStage().run(ctx, results, model)
        #expect(result.text == "Mira Okafor waits.")
        let roles = model.variables(for: "rewrite")?["roles"]?.array ?? []
        #expect(roles.compactMap { $0["canonical_name"]?.string } == ["Mira Okafor", "The Stranger"])
        #expect(model.variables(for: "rewrite")?["has_roles"] == .bool(true))

        let empty = ScriptedModel(["rewrite": .object([("text", .string("  "))])])
        await #expect(throws: StageFailure.self) { try await RewriteStage().run(ctx, results, empty) }
        let none = ScriptedModel(["rewrite": .object([("text", .string("A quiet street."))])])
        _ = try await RewriteStage().run(ctx, StageResults(), none)
        #expect(none.variables(for: "rewrite")?["has_roles"] == .bool(false))
    }

    @Test("role validation: resolves, suggests, finds dropped and invented names; no model call")
    func roleValidation() async throws {
        let ctx = try context(Self.clerkPanel)
        var results = StageResults()
        results.roles = RolesResult(roles: [.init(name: "Bly", evidence: "field"), .init(name: "Mira", evidence: "field"),
                                            .init(name: "The Stranger", evidence: "field")])
        results.rewrite = RewriteResult(text: "Officer Bly stamps the ledger. Captain Harlow watches from the door.")
        let model = ScriptedModel([:])
        let result = try await RoleValidationStage().run(ctx, results, model)
        #expect(model.prompts.isEmpty)
        #expect(result.resolvedIDs == ["bly", "mira"])
        #expect(result.unresolved.map(\.role) == ["The Stranger"])
        if case .unknown(let suggestions) = result.unresolved.first?.outcome {
            #expect(suggestions.count == 3)
        } else {
            Issue.record("The Stranger should be unknown")
        }
        #expect(result.missingFromRewrite == ["Mira Okafor"])
        #expect(result.invented == ["Captain Harlow"])
    }

    @Test("role validation without a database: every role is a blocker naming where panelproc looked")
    func roleValidationWithoutDatabase() async throws {
        let chapter = try parse(Self.clerkPanel)
        let ctx = StageContext(panel: chapter.panels[0], settings: chapter.settings, characters: nil,
                               charactersSearched: ["/book/characters/character_base_list.json"])
        var results = StageResults()
        results.roles = RolesResult(roles: [.init(name: "Mira", evidence: "field")])
        results.rewrite = RewriteResult(text: "Mira waits.")
        let result = try await RoleValidationStage().run(ctx, results, ScriptedModel([:]))
        #expect(result.databaseMissing == ["/book/characters/character_base_list.json"])
        let items = ChecklistRules.evaluate(ctx, StageResults.with(result))
        #expect(items.first { $0.id == "roles_resolved" }?.note.contains("no character database found") == true)
    }

    @Test("image prompt: canonical appearances of resolved roles only; unresolved names never reach it")
    func imagePrompt() async throws {
        let ctx = try context(Self.clerkPanel)
        var results = StageResults()
        results.rewrite = RewriteResult(text: "Officer Bly stamps a ledger while The Stranger waits behind Mira Okafor.")
        results.roleValidation = RoleValidationResult(
            resolutions: [RoleResolution(role: "Officer Bly", outcome: .resolved(characterID: "bly", via: .name)),
                          RoleResolution(role: "The Stranger", outcome: .unknown(suggestions: []))],
            missingFromRewrite: [], invented: [], databaseMissing: nil)
        let model = ScriptedModel(["image_prompt": .object([("prompt", .string("p")), ("negative_prompt", .string("n"))])])
        _ = try await ImagePromptStage().run(ctx, results, model)
        let variables = try #require(model.variables(for: "image_prompt"))
        #expect(variables["characters"]?.array?.compactMap { $0["name"]?.string } == ["Officer Bly"])
        #expect(variables["characters"]?.array?.first?["appearance"]?.string?.contains("navy bank uniform") == true)
        let action = variables["action"]?.string ?? ""
        #expect(!action.contains("Stranger"))
        #expect(action.contains("an unnamed figure"))
        #expect(variables["common_example"]?.string == "paying for apples with a banknote")
    }

    @Test("bubbles: dialogue, captions and SFX in source order, speakers by canonical name")
    func bubbles() async throws {
        let ctx = try context(Self.clerkPanel)
        let model = ScriptedModel(["bubbles": .object([("bubbles", .array([
            .object([("kind", .string("speech")), ("speaker", .string("Bly")), ("text", .string("Next!"))]),
            .object([("kind", .string("caption")), ("speaker", .string("someone")), ("text", .string("Later that day."))]),
        ]))])])
        let result = try await BubblesStage().run(ctx, StageResults(), model)
        #expect(result.bubbles.map(\.speaker) == ["Officer Bly", nil])
        let lines = model.variables(for: "bubbles")?["lines"]?.array ?? []
        #expect(lines.compactMap { $0["text"]?.string } == ["Next!", "Later that day.", "I'd like to change this."])
        #expect(lines.compactMap { $0["kind"]?.string } == ["dialogue", "caption", "dialogue"])
    }

    @Test("checklist: model items and rules combine; a rule wins over a model item of the same id")
    func checklist() async throws {
        let ctx = try context(Self.clerkPanel)
        var results = StageResults()
        results.imagePrompt = ImagePromptResult(prompt: "a ledger", negativePrompt: "")
        results.bubbles = BubblesResult(bubbles: [Bubble(kind: .speech, speaker: "Officer Bly", text: "Next!")])
        let model = ScriptedModel(["checklist": .object([("items", .array([
            .object([("id", .string("bubble_count")), ("passed", .bool(false)), ("blocker", .bool(true)), ("note", .string("model says no"))]),
            .object([("id", .string("mood_fits")), ("passed", .bool(false)), ("blocker", .bool(false)), ("note", .string("meh"))]),
        ]))])])
        let result = try await ChecklistStage().run(ctx, results, model)
        #expect(result.items.first { $0.id == "mood_fits" }?.source == .model)
        let count = try #require(result.items.first { $0.id == "bubble_count" })
        #expect(count.source == .rule)
        #expect(count.passed)
        #expect(result.failedBlockers.isEmpty)
    }

    @Test("checklist: a panel stopped before its image prompt gets the rules alone, no model call")
    func checklistWithoutModel() async throws {
        let ctx = try context(Self.clerkPanel)
        let model = ScriptedModel([:])
        let result = try await ChecklistStage().run(ctx, StageResults(), model)
        #expect(model.prompts.isEmpty)
        #expect(result.traceID == nil)
    }
}

extension StageResults {
    static func with(_ validation: RoleValidationResult) -> StageResults {
        var results = StageResults()
        results.roleValidation = validation
        return results
    }
}
