import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Prompt templates")
struct PromptTemplateTests {
    static let names = StageRegistry.promptNames

    /// Variables built by the stages themselves from a real panel, after a full offline run.
    func sampleVariables() async throws -> [String: JSONValue] {
        let ctx = try context(GateTests.cleanPanel)
        let outcome = await PanelChain.standard.run(ctx, model: try caller())
        let results = outcome.results
        return [
            "theme": ThemeStage.variables(ctx), "roles": RolesStage.variables(ctx),
            "rewrite": RewriteStage.variables(ctx, results), "image_prompt": ImagePromptStage.variables(ctx, results),
            "bubbles": BubblesStage.variables(ctx, results), "checklist": ChecklistStage.variables(ctx, results),
        ]
    }

    @Test("The registry: six model stages in output order, each with a bundled template and an offline engine")
    func registry() throws {
        #expect(StageRegistry.ids.map(\.rawValue) == ["theme", "roles", "rewrite", "role_validation", "image_prompt", "bubbles", "checklist"])
        #expect(Self.names == ["theme", "roles", "rewrite", "image_prompt", "bubbles", "checklist"])
        let library = try PromptLibrary.load()
        for name in Self.names {
            #expect(library.templates[name] != nil, "no bundled template for \(name) (after adding one, change Package.swift once: SwiftPM caches the manifest that lists Prompts/)")
            #expect(StageRegistry.offlineEngines[name] != nil, "no offline engine for \(name)")
        }
        #expect(Set(StageRegistry.ids).count == StageRegistry.ids.count, "two stages share an id")
    }

    @Test("Every bundled template is versioned, with a valid schema")
    func bundled() throws {
        let library = try PromptLibrary.load()
        // The stages' templates, the chapter-level passes' (pacing, continuity), the draft steps' and the fused call's.
        #expect(Set(library.templates.keys) == Set(Self.names + [PacingPass.promptName, ContinuityPass.promptName, FusedCall.promptName]
                                                   + DraftStep.all.map(\.promptName)))
        for template in library.templates.values {
            #expect(template.version >= 1)
            #expect(JSONSchemaValidator.schemaProblems(template.schema).isEmpty, "\(template.name)")
            #expect(template.schema["type"]?.string == "object")
        }
    }

    @Test("Each template renders the stage's real variables, mentions each declared variable, and fails on a missing one",
          arguments: names)
    func renders(name: String) async throws {
        let template = try PromptLibrary.load().template(name)
        let variables = try #require(try await sampleVariables()[name])
        let rendered = try template.render(variables)
        #expect(!rendered.user.isEmpty)
        #expect(!rendered.user.contains("{{"))
        for variable in template.variables {
            #expect(template.user.contains(variable) || template.system.contains(variable), "\(name) never uses \(variable)")
        }
        let first = try #require(template.variables.first)
        let missing = JSONValue.object((variables.members ?? []).filter { $0.0 != first })
        #expect(throws: PromptTemplate.Problem.self) { try template.render(missing) }
    }

    @Test("Rendering is plain text: no HTML escaping of quotes and ampersands")
    func plainText() throws {
        let template = try PromptLibrary.load().template("rewrite")
        let variables = JSONValue.object([
            ("scene", .string("Mira & Theo say \"hi\" <loudly>")), ("tone", .string("warm")), ("mood", .string("")),
            ("empty", .bool(false)), ("audience", .string("kids")),
            ("theme", .string("trade")), ("has_roles", .bool(false)), ("roles", .array([])), ("dialogue", .array([])),
        ])
        #expect(try template.render(variables).user.contains("Mira & Theo say \"hi\" <loudly>"))
    }

    @Test("The rewrite template forbids inventing roles when none are required")
    func rewriteForbidsInventing() throws {
        let template = try PromptLibrary.load().template("rewrite")
        func user(hasRoles: Bool) throws -> String {
            try template.render(.object([
                ("scene", .string("A street.")), ("tone", .string("calm")), ("mood", .string("")), ("empty", .bool(false)),
                ("audience", .string("kids")), ("theme", .string("everyday")),
                ("has_roles", .bool(hasRoles)),
                ("roles", .array(hasRoles ? [.object([("role", .string("Mira")), ("canonical_name", .string("Mira Okafor"))])] : [])),
                ("dialogue", .array([])),
            ])).user
        }
        #expect(try user(hasRoles: false).contains("Do not invent or name any person"))
        #expect(!(try user(hasRoles: true)).contains("Do not invent"))
        #expect(try user(hasRoles: true).contains("- Mira Okafor (written as: Mira)"))
    }

    @Test("The image-prompt template carries a negative example against restating the common example")
    func imagePromptNegativeExample() throws {
        let template = try PromptLibrary.load().template("image_prompt")
        #expect(template.system.contains("Bad: \"A child paying for apples with a banknote.\" (restates the common example)"))
        #expect(template.user.contains("Common example (do not restate)"))
    }

    @Test("The theme schema lists the taxonomy's names as an enum, resolved per call")
    func themeEnum() throws {
        let template = try PromptLibrary.load().template("theme")
        let ctx = try context(GateTests.cleanPanel)
        let resolved = template.resolved(for: ThemeStage.variables(ctx))
        #expect(resolved.schema["properties"]?["theme"]?["enum"]?.strings == ThemeTaxonomy.standard.names)
        #expect(!resolved.schemaText.contains("x-enum-from"))
        let invented = JSONValue.object([("theme", .string("Money and the Power of Friendship")), ("confidence", .double(0.9)),
                                         ("rationale", .string("r"))])
        #expect(JSONSchemaValidator.problems(invented, schema: resolved.schema).first?.hasPrefix("$.theme: expected one of") == true)
    }

    @Test("A broken template is rejected with its file and the problem")
    func brokenTemplate() throws {
        let noSchema = SourceText("name: x\nversion: 1\nvariables: [a]\nsystem: s\nuser: u\n")
        #expect(throws: InputError.self) { try PromptTemplate.load(noSchema, file: "x.yml") }
        let badSchema = SourceText("name: x\nversion: 1\nvariables: [a]\nsystem: s\nuser: u\nschema:\n  type: thing\n")
        do {
            _ = try PromptTemplate.load(badSchema, file: "x.yml")
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.description.hasPrefix("x.yml:7:3: error: invalid output schema"))
        }
    }
}
