import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("panelproc draft: templates and the offline engine")
struct DraftTemplateTests {
    /// Each step's variables as a real offline draft builds them.
    static func realVariables() async throws -> [String: JSONValue] {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        let runner = scratch.runner()
        _ = try await runner.run(DraftScratch.request, environment: [:])
        var context = try runner.context(DraftScratch.request)
        var variables: [String: JSONValue] = [:]
        for step in DraftStep.all {
            variables[step.id] = context.inputs.calls(for: step).last
            runner.accept(try #require(context.records[step.id]), into: &context)
        }
        return variables
    }

    @Test("Every draft template is versioned, renders a step's real variables, uses each declared variable, and fails on a missing one")
    func templates() async throws {
        let library = try PromptLibrary.load()
        let all = try await Self.realVariables()
        for step in DraftStep.all {
            let template = try library.template(step.promptName)
            #expect(template.version >= 1)
            #expect(JSONSchemaValidator.schemaProblems(template.schema).isEmpty, "\(step.id)")
            let variables = try #require(all[step.id])
            #expect(Set(template.variables) == Set((variables.members ?? []).map(\.0)), "\(step.id): declared and built variables differ")
            let rendered = try template.resolved(for: variables).render(variables)
            #expect(!rendered.user.contains("{{") && !rendered.system.contains("{{"))
            for name in template.variables {
                #expect(template.user.contains(name) || template.system.contains(name) || template.schemaText.contains(name),
                        "\(step.id) never uses \(name)")
            }
            let missing = JSONValue.object((variables.members ?? []).filter { $0.0 != template.variables[0] })
            #expect(throws: PromptTemplate.Problem.self) { try template.render(missing) }
        }
        // The premise and the cast reach the model.
        let cast = try library.template("draft_narrative").render(try #require(all["narrative"])).user
        #expect(cast.contains("Mira Okafor (protagonist)"))
        let pages = try library.template("draft_pages").resolved(for: try #require(all["pages"]))
        #expect(pages.schemaText.contains("\"enum\":[\"Mira Okafor\",\"Captain Vell\",\"The Rival\"]"))
    }

    @Test("The offline engine's answers satisfy each step's schema, for premises with and without people and nouns", arguments: [
        "Mira must keep the old lighthouse lit while Captain Vell plots to sell the harbor before the winter storm.",
        "robots dream", "Ada, Theo, Bly and Mira open a bank.",
    ])
    func offlineAnswersValidate(_ premise: String) async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        var request = DraftScratch.request
        request.premise = premise
        request.pages = 1
        let result = try await scratch.runner().run(request, environment: [:])
        #expect(result.warnings.isEmpty)
        let library = try PromptLibrary.load()
        var context = try scratch.runner().context(request)
        for step in DraftStep.all {
            let record = try #require(context.records[step.id])
            let calls = context.inputs.calls(for: step)
            let answers = step.id == "pages" ? record.answer["pages"]?.array ?? [] : [record.answer]
            #expect(answers.count == calls.count)
            for (variables, answer) in zip(calls, answers) {
                let schema = try library.template(step.promptName).resolved(for: variables).schema
                #expect(JSONSchemaValidator.problems(answer, schema: schema).isEmpty, "\(step.id): \(JSONSchemaValidator.problems(answer, schema: schema))")
            }
            scratch.runner().accept(record, into: &context)
        }
        #expect(try scratch.unresolvedNames().isEmpty)
        #expect(try scratch.parsed().diagnostics.isEmpty)
    }

    @Test("Panels per page cycle through the ideal band; each page call covers its share of the scenes")
    func panelCounts() {
        #expect(DraftInputs.panelCounts(pages: 5, band: 4...6) == [5, 4, 6, 5, 4])
        #expect(DraftInputs.panelCounts(pages: 2, band: 3...3) == [3, 3])
        #expect(DraftInputs.panelCounts(pages: 3, band: 3.5...8) == [6, 4, 8])
    }
}
