import Foundation

/// The continuity step of a run and of `panelproc continuity`: the rules over every chapter in
/// chapter order, then (with `continuity.model: true`) the model pass, then the writer's
/// decisions from `continuity.yml`.
///
/// The model pass is one `continuity` template call per window of a chapter, through the same
/// `ModelCaller` as the stages (traced and cached). A window is `windowSize` panels, the next
/// starting `windowSize - windowOverlap` later: 40 panels of scene, captions and dialogue are
/// about 3,000 tokens, which fits the context of small local models with room for the facts and
/// the answer, and a 10-panel overlap lets a contradiction that straddles a window's edge be
/// read whole in one of them. What lies further apart reaches the model as established facts.
/// Model alerts citing a panel that does not exist are dropped; one that points at the same
/// panels as a rule's alert (or an earlier window's) is a duplicate.
public struct ContinuityPass: Sendable {
    public var settings: RunSettings

    public init(settings: RunSettings) { self.settings = settings }

    public static let promptName = "continuity"
    static let stage = StageID("continuity")
    static let windowSize = 40
    static let windowOverlap = 10

    /// Chapter-level prompts the offline engine answers.
    static let offlineEngines: [String: @Sendable (JSONValue) -> JSONValue] = [promptName: OfflineContinuity.answer]

    /// A chapter to check: the chapter, its database and the folder its decisions live in.
    public struct Input: Sendable {
        public var chapter: Chapter
        public var database: CharacterDatabase?
        /// `continuity.yml`'s path; nil reads no decisions.
        public var decisions: String?

        public init(chapter: Chapter, database: CharacterDatabase?, decisions: String?) {
            self.chapter = chapter
            self.database = database
            self.decisions = decisions
        }
    }

    /// The rules only, with decisions; reports in the order of `inputs`.
    public func rules(_ inputs: [Input]) throws(InputError) -> [ContinuityReport] {
        let order = ContinuityChecker.inChapterOrder(Array(inputs.indices)) { inputs[$0].chapter }
        let checked = ContinuityChecker().check(order.map { (inputs[$0].chapter, inputs[$0].database) })
        var reports = [ContinuityReport?](repeating: nil, count: inputs.count)
        for (position, index) in order.enumerated() { reports[index] = checked[position] }
        return try decide(reports.map { $0! }, inputs: inputs)
    }

    /// The rules, then the model pass when `continuity.model` is on (through `model`), then decisions.
    func run(_ inputs: [Input], model: (any StageModel)?) async throws(RunFailure) -> [ContinuityReport] {
        let checked: Result<[ContinuityReport], InputError> = Result { () throws(InputError) in try rules(inputs) }
        return try await run(inputs, rules: checked, model: model)
    }

    /// The model pass and decisions over `rules`, the rules' reports made beforehand (a run checks
    /// them while its panels go through the chain: they read only the chapters and databases).
    func run(_ inputs: [Input], rules checked: Result<[ContinuityReport], InputError>,
             model: (any StageModel)?) async throws(RunFailure) -> [ContinuityReport] {
        var reports: [ContinuityReport]
        do { reports = try checked.get() } catch { throw .input(error) }
        guard settings.continuity.model, let model else { return reports }
        let order = ContinuityChecker.inChapterOrder(Array(inputs.indices)) { inputs[$0].chapter }
        var earlierFacts: [String] = []
        for index in order where !inputs[index].chapter.panels.isEmpty {
            do {
                reports[index] = try await modelPass(reports[index], input: inputs[index], facts: earlierFacts, model: model)
            } catch {
                throw .write("the continuity pass failed for \(inputs[index].chapter.file): \(error.message)")
            }
            earlierFacts = reports[index].facts
        }
        do { return try decide(reports, inputs: inputs) } catch { throw .input(error) }
    }

    /// `panelproc continuity` with the model pass: its own trace run, like `PacingPass`.
    public func run(_ inputs: [Input], tracePath: String, environment: [String: String]) async throws(RunFailure) -> [ContinuityReport] {
        guard settings.continuity.model else { return try await run(inputs, model: nil) }
        let session = try await ChapterPassSession.open(settings, promptName: Self.promptName, tracePath: tracePath,
                                                        inputs: inputs.map(\.chapter.file), environment: environment)
        var result: Result<[ContinuityReport], RunFailure>
        do { result = .success(try await run(inputs, model: session.caller)) } catch { result = .failure(error) }
        let failed: Bool = if case .failure = result { true } else { false }
        try await session.finish(failed: failed)
        return try result.get()
    }

    func decide(_ reports: [ContinuityReport], inputs: [Input]) throws(InputError) -> [ContinuityReport] {
        var loaded: [String: ContinuityDecisions] = [:]
        var out: [ContinuityReport] = []
        for (report, input) in zip(reports, inputs) {
            guard let path = input.decisions else {
                out.append(report)
                continue
            }
            if loaded[path] == nil { loaded[path] = try ContinuityDecisions.load(path: path) }
            out += loaded[path]!.apply(to: [report])
        }
        return out
    }

    /// The windows of a chapter's panels: `0..<40`, `30..<70`, …, the last ending at the end.
    static func windows(count: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        var windows: [Range<Int>] = []
        var start = 0
        while true {
            let end = min(count, start + windowSize)
            windows.append(start..<end)
            if end == count { return windows }
            start = end - windowOverlap
        }
    }

    func modelPass(_ report: ContinuityReport, input: Input, facts: [String], model: any StageModel) async throws(StageFailure)
        -> ContinuityReport
    {
        var report = report
        let reading = ContinuityChapter(input.chapter, database: input.database)
        let ids = Set(reading.panels.map(\.localID))
        let windows = Self.windows(count: input.chapter.panels.count)
        for (number, window) in windows.enumerated() {
            let variables = Self.variables(input, reading: reading, window: window, number: number + 1, of: windows.count,
                                           facts: facts, alerts: report.alerts)
            let answer = try await model.answer(prompt: Self.promptName, variables: variables, stage: Self.stage,
                                                panelID: "\(input.chapter.slug)/continuity-\(number + 1)")
            for value in answer.value["alerts"]?.array ?? [] {
                guard let alert = Self.alert(value, reading: reading, ids: ids) else { continue }
                let pair = Set([alert.source.key, alert.conflict.key])
                let duplicate = report.alerts.contains { $0.id == alert.id || Set([$0.source.key, $0.conflict.key]) == pair }
                if !duplicate { report.alerts.append(alert) }
            }
        }
        report.modelChecked = true
        report.alerts.sort { ($0.conflict.line, $0.conflict.column, $0.id) < ($1.conflict.line, $1.conflict.column, $1.id) }
        return report
    }

    /// A model alert as the template's answer holds it; nil when a panel id is not the chapter's.
    static func alert(_ value: JSONValue, reading: ContinuityChapter, ids: Set<String>) -> ContinuityAlert? {
        func panel(_ key: String) -> ContinuityPanel? {
            guard var id = value[key]?.string?.trimmingWhitespace() else { return nil }
            if id.hasPrefix(reading.slug + "/") { id.removeFirst(reading.slug.count + 1) }
            guard ids.contains(id) else { return nil }
            return reading.panels.first { $0.localID == id }
        }
        guard let type = value["type"]?.string.flatMap(ContinuityAlert.Kind.init),
            [.characterState, .knowledge, .plotThread, .relationship].contains(type),
            let severity = value["severity"]?.string.flatMap(ContinuityAlert.Severity.init),
            let title = value["title"]?.string?.trimmingWhitespace(), !title.isEmpty,
            let source = panel("source_panel"), let conflict = panel("conflict_panel")
        else { return nil }
        return ContinuityAlert(type: type, severity: severity, title: title, description: value["description"]?.string ?? "",
                               source: reading.site(source), conflict: reading.site(conflict),
                               suggestedFix: value["suggested_fix"]?.string ?? "", foundBy: "model", facts: [title])
    }

    /// What the template and the offline engine read for one window.
    static func variables(_ input: Input, reading: ContinuityChapter, window: Range<Int>, number: Int, of count: Int,
                          facts: [String], alerts: [ContinuityAlert]) -> JSONValue
    {
        let sheets = input.chapter.panels[window]
        var present: [String] = []
        var panels: [JSONValue] = []
        for (offset, sheet) in sheets.enumerated() {
            let panel = reading.panels[window.lowerBound + offset]
            for id in panel.present where !present.contains(id) { present.append(id) }
            let captions = sheet.fields.filter { $0.label == .caption }.map { JSONValue.string($0.value) }
            let dialogue = sheet.dialogue.map { line in
                JSONValue.string("\(line.speaker)\(line.manner.map { " (\($0))" } ?? ""): \(line.text)")
            }
            var members: [(String, JSONValue)] = [("id", .string(sheet.localID))]
            if let setting = sheet.field(.setting) { members.append(("setting", .string(setting))) }
            members += [("scene", .string(sheet.sceneDescriptionOriginal.trimmingWhitespace())), ("captions", .array(captions)),
                        ("dialogue", .array(dialogue))]
            panels.append(.object(members))
        }
        let characters = present.compactMap { input.database?.character(id: $0) }.map { profile in
            JSONValue.object([("id", .string(profile.id)), ("name", .string(profile.name)), ("appearance", .string(profile.appearance)),
                              ("personality", .string(profile.personality))])
        }
        let ids = Set(sheets.map(\.localID))
        let ruled = alerts.filter { ids.contains($0.conflict.panel) }.map { JSONValue.string("\($0.conflict.panel): \($0.title)") }
        let first = sheets.first?.localID ?? "", last = sheets.last?.localID ?? ""
        return .object([
            ("chapter", .string(input.chapter.slug)), ("window", .string("panels \(first) to \(last) (window \(number) of \(count))")),
            ("panels", .array(panels)), ("characters", .array(characters)), ("facts", .array(facts.map(JSONValue.string))),
            ("rule_alerts", .array(ruled)),
        ])
    }
}
