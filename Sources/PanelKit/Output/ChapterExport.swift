/// Builds `chapter.json` (spec: chapter-format.md §6). Keys come in a fixed order and nothing
/// depends on time or the machine, so a rerun over unchanged input writes the same bytes.
enum ChapterExport {
    /// Bumped whenever the shape of `chapter.json` changes; `schema/chapter.schema.json` follows.
    static let schemaVersion = 3

    /// `outcomes` holds each panel's stage results, by panel index; nil (or a nil entry) means the
    /// chain did not run for it and the panel is `skipped`.
    /// `costs` is each panel's cost in US dollars: what its current results cost when they were made.
    static func json(for chapter: Chapter, sourcePath: String?, outcomes: [PanelOutcome?]? = nil,
                            images: [ImageManifest.Entry?]? = nil, costs: [Double]? = nil) -> JSONValue
    {
        let costFor = { (index: Int) -> Double in costs.flatMap { index < $0.count ? $0[index] : nil } ?? 0 }
        let outcomeFor = { (index: Int) -> PanelOutcome? in
            guard let outcomes, index < outcomes.count else { return nil }
            return outcomes[index]
        }
        var counts = Dictionary(uniqueKeysWithValues: PanelStatus.allCases.map { ($0, 0) })
        var themes: [String: Int] = [:]
        for index in chapter.panels.indices {
            let outcome = outcomeFor(index)
            counts[outcome?.status ?? .skipped, default: 0] += 1
            if let theme = outcome?.results.theme?.theme { themes[theme, default: 0] += 1 }
        }
        return .object([
            ("schema_version", .int(schemaVersion)),
            ("chapter", .object([
                ("slug", .string(chapter.slug)),
                ("title", .optional(chapter.title)),
                ("source_path", .optional(sourcePath)),
                ("settings", settings(chapter.settings)),
                ("theme_distribution", .object(themes.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                ("panel_counts", .object([("total", .int(chapter.panels.count))]
                    + PanelStatus.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) })),
                ("cost_usd", .double(roundedCost(chapter.panels.indices.reduce(0) { $0 + costFor($1) }))),
            ])),
            ("panels", .array(chapter.panels.indices.map { index in
                panel(chapter.panels[index], outcome: outcomeFor(index), image: images.flatMap { index < $0.count ? $0[index] : nil },
                      costUSD: costFor(index))
            })),
        ])
    }

    static func settings(_ settings: ChapterSettings) -> JSONValue {
        .object([
            ("tone", .optional(settings.tone)),
            ("audience", .optional(settings.audience)),
            ("style", .optional(settings.style)),
            ("palette", .array(settings.palette.map(JSONValue.string))),
            ("common_example", .optional(settings.commonExample)),
            ("max_bubbles", .int(settings.maxBubbles)),
            ("characters", .optional(settings.characters)),
        ])
    }

    /// One panel as parsed: identity, source range, the writer's text, fields and dialogue.
    /// Money rounded to a millionth of a dollar, so sums print the same whatever order they were added in.
    static func roundedCost(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }

    static func panel(_ panel: ComicPanelImageSheet, outcome: PanelOutcome?, image: ImageManifest.Entry? = nil,
                             costUSD: Double = 0) -> JSONValue
    {
        .object([
            ("id", .string(panel.id)),
            ("page", .optional(panel.page)),
            ("number", .int(panel.number)),
            ("marker", .string(panel.markerText)),
            ("title", .optional(panel.title)),
            ("source_lines", .object([("start", .int(panel.lines.lowerBound)), ("end", .int(panel.lines.upperBound))])),
            ("content_hash", .string(panel.contentHash)),
            ("scene_description_original", .string(panel.sceneDescriptionOriginal)),
            ("shot_type", .optional(panel.shotType?.rawValue)),
            ("fields", .array(panel.fields.map { field in
                .object([("label", .string(field.label.key)), ("value", .string(field.value)), ("line", .int(field.line))])
            })),
            ("required_roles", .array(panel.requiredRoles.map(JSONValue.string))),
            ("dialogue", .array(panel.dialogue.map { line in
                .object([("speaker", .string(line.speaker)), ("manner", .optional(line.manner)),
                         ("text", .string(line.text)), ("line", .int(line.line))])
            })),
            ("stages", stages(outcome)),
            ("status", .string((outcome?.status ?? .skipped).rawValue)),
            ("reasons", .array((outcome?.reasons ?? []).map(JSONValue.string))),
            ("image", image.map(ImageControlJSON.chapterImage) ?? .null),
            ("cost_usd", .double(roundedCost(costUSD))),
            ("trace_ids", .array((outcome?.results.traceIDs ?? []).map(JSONValue.string))),
        ])
    }

    /// Each stage's result (null when it did not run) and its state: `done`, or why it was
    /// skipped or failed.
    static func stages(_ outcome: PanelOutcome?) -> JSONValue {
        guard let outcome else { return .object([]) }
        return .object(StageRegistry.ids.map { id in
            let state: String
            switch outcome.stageStates[id] {
            case .done: state = "done"
            case .skipped(let reason): state = "skipped: \(reason)"
            case .failed(let reason, _): state = "failed: \(reason)"
            case .toRun: state = "to run"
            case nil: state = "not in chain"
            }
            return (id.rawValue, .object([("state", .string(state)), ("result", outcome.results[id: id]?.json ?? .null)]))
        })
    }
}
