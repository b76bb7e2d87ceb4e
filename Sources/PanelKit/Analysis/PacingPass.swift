import Foundation

/// The optional model pass of `panelproc pacing` (`pacing.model: true`): one `pacing` template
/// call per chapter, through the same `ModelCaller` as the stages (traced, cached), asking for
/// qualitative insights. The numbers are computed before and never come from the model. It is a
/// chapter-level call, so it is not a stage of `StageRegistry`.
public struct PacingPass: Sendable {
    public var settings: RunSettings

    public init(settings: RunSettings) { self.settings = settings }

    public static let promptName = "pacing"
    static let stage = StageID("pacing")

    /// Chapter-level prompts the offline engine answers (the stages' engines are in `StageRegistry`).
    static let offlineEngines: [String: @Sendable (JSONValue) -> JSONValue] = [promptName: OfflinePacing.answer]

    /// The reports with `modelInsights` filled in; `tracePath` is the trace and cache to use.
    public func run(_ reports: [PacingReport], tracePath: String, environment: [String: String]) async throws(RunFailure) -> [PacingReport] {
        let session = try await ChapterPassSession.open(settings, promptName: Self.promptName, tracePath: tracePath,
                                                        inputs: reports.map(\.file), environment: environment)
        let caller = session.caller
        var results = reports
        var failure: StageFailure?
        for index in results.indices {
            do {
                let answer = try await caller.answer(prompt: Self.promptName, variables: Self.variables(results[index], thresholds: settings.pacing),
                                                     stage: Self.stage, panelID: results[index].slug)
                results[index].modelInsights = answer.value["insights"]?.array?.compactMap(PacingInsight.init) ?? []
            } catch {
                failure = error
                break
            }
        }
        try await session.finish(failed: failure != nil)
        if let failure { throw .write("the pacing pass failed: \(failure.message)") }
        return results
    }

    /// What the template and the offline engine read: the report's numbers.
    static func variables(_ report: PacingReport, thresholds: PacingThresholds) -> JSONValue {
        let json = report.json
        func band(_ band: PacingThresholds.Band) -> JSONValue {
            .string("\(PacingThresholds.format(band.ideal.lowerBound))–\(PacingThresholds.format(band.ideal.upperBound))")
        }
        return .object([
            ("chapter", .string(report.slug)), ("totals", json["chapter"] ?? .null), ("pages", json["pages"] ?? .array([])),
            ("odd_pages", .array(report.oddPages.map(JSONValue.int))), ("hook_pages", .array(report.hookPages.map(JSONValue.int))),
            ("thresholds", .object([
                ("words_per_page", band(thresholds.wordsPerPage)), ("panels_per_page", band(thresholds.panelsPerPage)),
                ("words_low", .double(thresholds.wordsPerPage.ideal.lowerBound)),
                ("words_high", .double(thresholds.wordsPerPage.ideal.upperBound)),
                ("panels_low", .double(thresholds.panelsPerPage.ideal.lowerBound)),
                ("panels_high", .double(thresholds.panelsPerPage.ideal.upperBound)),
            ])),
        ])
    }
}
