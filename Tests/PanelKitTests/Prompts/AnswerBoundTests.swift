import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Answer bounds: every call's max_tokens comes from its schema")
struct AnswerBoundTests {
    static let sampleVariables: JSONValue = .object([
        ("lines", .array([
            .object([("kind", .string("dialogue")), ("speaker_name", .string("Mira")), ("text", .string("Two apples, please."))]),
            .object([("kind", .string("caption")), ("speaker_name", .string("")), ("text", .string("Saturday at the market."))]),
        ])),
        ("theme_names", .array([.string("trade"), .string("trust"), .string("other")])),
        ("speakers", .array([.string("Mira"), .string("Theo")])),
        ("pages", .int(4)),
        ("panels", .int(5)),
        ("narrative", .object([("beats", .array([.object([]), .object([]), .object([]), .object([])]))])),
    ])

    @Test("Every shipped template is bounded, and the bound its file states is the one derived")
    func shippedTemplatesAreBounded() throws {
        let library = try PromptLibrary.load()
        #expect(!library.templates.isEmpty)
        for (name, template) in library.templates {
            let resolved = template.resolved(for: Self.sampleVariables)
            let bound = try AnswerBound.tokens(for: resolved.schema)
            #expect(resolved.answerTokens == bound)
            let text = String(decoding: try RepoPaths.bytes(RepoPaths.root.appendingPathComponent("Prompts/\(name).yml")), as: UTF8.self)
            let refined = PromptTemplate.refinementKeys.contains { text.contains($0 + ":") }
            let statement = refined ? "# answer bound: per call" : "# answer bound: \(bound) tokens"
            #expect(text.contains(statement), "Prompts/\(name).yml should say `\(statement)`")
        }
    }

    @Test("A string without maxLength or an array without maxItems has no bound, and the error names where")
    func unboundedSchemaIsNamed() throws {
        let schema = try JSONValue.parse(#"{"type":"object","additionalProperties":false,"properties":{"notes":{"type":"array","maxItems":3,"items":{"type":"string"}}}}"#)
        #expect(throws: AnswerBound.Unbounded.self) { try AnswerBound.tokens(for: schema) }
        do {
            _ = try AnswerBound.tokens(for: schema)
        } catch {
            #expect(error.path == "$.notes[]")
        }
        let open = try JSONValue.parse(#"{"type":"object","properties":{"a":{"type":"boolean"}}}"#)
        #expect(throws: AnswerBound.Unbounded.self) { try AnswerBound.tokens(for: open) }
    }

    @Test("The bubbles' bound follows the panel's own lines: more or longer lines, a larger bound; the offline answer fits")
    func bubblesBoundFollowsLines() throws {
        let template = try PromptLibrary.load().template("bubbles")
        func variables(_ texts: [String]) -> JSONValue {
            .object([
                ("lines", .array(texts.map { .object([("kind", .string("dialogue")), ("speaker", .string("Mira")), ("speaker_name", .string("Mira")),
                                                       ("manner", .string("")), ("text", .string($0))]) })),
                ("max_bubbles", .int(3)), ("rewrite", .string("Mira pays.")),
            ])
        }
        let one = variables(["Two apples, please."])
        let three = variables(["Two apples, please.", "That is a lot of money for apples!", "It is a promise."])
        let long = variables([String(repeating: "a promise kept ", count: 30)])
        let boundOne = try #require(template.resolved(for: one).answerTokens)
        let boundThree = try #require(template.resolved(for: three).answerTokens)
        let boundLong = try #require(template.resolved(for: long).answerTokens)
        #expect(boundOne < boundThree && boundOne < boundLong)
        #expect(boundThree < 400, "three short lines need a few hundred tokens at most, got \(boundThree)")
        let resolved = template.resolved(for: three).schema
        #expect(resolved["properties"]?["bubbles"]?["maxItems"]?.integer == 3)
        for input in [one, three, long] {
            let answer = OfflineBubbles.answer(input)
            #expect(JSONSchemaValidator.problems(answer, schema: template.resolved(for: input).schema).isEmpty)
        }
    }

    @Test("A long bad answer is quoted back as a bounded excerpt: head, tail and what was left out")
    func repairExcerptIsBounded() throws {
        let rambling = "{\"bubbles\": [" + String(repeating: "and then ", count: 2000)
        let excerpt = OpenAICompatibleTextProvider.repairExcerpt(rambling)
        #expect(excerpt.count < OpenAICompatibleTextProvider.repairExcerptLimit + 60)
        #expect(excerpt.hasPrefix("{\"bubbles\": ["))
        #expect(excerpt.contains("characters left out"))
        #expect(OpenAICompatibleTextProvider.repairExcerpt("{\"a\": 1") == "{\"a\": 1")
        let template = try PromptLibrary.load().template("rewrite")
        let request = TextRequest(template: template, variables: .object([]), system: "s", user: "u", maxTokens: 120)
        let http = OpenAICompatibleTextProvider.makeRequest(
            request: request, settings: .init(baseURL: URL(string: "http://127.0.0.1:9/v1")!), apiKey: "",
            repair: (previousAnswer: rambling, problem: "was cut off"))
        let body = try JSONValue.parse(String(decoding: http.body, as: UTF8.self))
        #expect(body["max_tokens"]?.integer == 120)
        let assistant = body["messages"]?.array?.first { $0["role"]?.string == "assistant" }?["content"]?.string ?? ""
        #expect(assistant == excerpt)
    }
}
