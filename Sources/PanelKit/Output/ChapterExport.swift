/// Builds `chapter.json` (spec: chapter-format.md §6). Keys come in a fixed order and nothing
/// depends on time or the machine, so a rerun over unchanged input writes the same bytes.
public enum ChapterExport {
    /// Bumped whenever the shape of `chapter.json` changes; `schema/chapter.schema.json` follows.
    public static let schemaVersion = 1

    /// What a panel's status means when no stage has run in this build: parsed only.
    public static let unprocessedStatus = "skipped"

    public static func json(for chapter: Chapter, sourcePath: String?) -> JSONValue {
        let statuses = ["passed", "failed", "forced", "skipped", "stale"]
        var counts = Dictionary(uniqueKeysWithValues: statuses.map { ($0, 0) })
        counts[unprocessedStatus, default: 0] += chapter.panels.count
        return .object([
            ("schema_version", .int(schemaVersion)),
            ("chapter", .object([
                ("slug", .string(chapter.slug)),
                ("title", .optional(chapter.title)),
                ("source_path", .optional(sourcePath)),
                ("settings", settings(chapter.settings)),
                ("theme_distribution", .object([])),
                ("panel_counts", .object([("total", .int(chapter.panels.count))] + statuses.map { ($0, .int(counts[$0] ?? 0)) })),
            ])),
            ("panels", .array(chapter.panels.map { panel($0, status: unprocessedStatus) })),
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
    public static func panel(_ panel: ComicPanelImageSheet, status: String) -> JSONValue {
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
            ("status", .string(status)),
            ("stages", .object([])),
            ("image", .null),
            ("trace_ids", .array([])),
        ])
    }
}
