/// The `panelproc inspect` document: a chapter as parsed, for scripts.
public enum ChapterInspection {
    public static func json(for chapter: Chapter, input: InputDocument) -> JSONValue {
        .object([
            ("file", .string(input.displayName)),
            ("slug", .string(chapter.slug)),
            ("title", .optional(chapter.title)),
            ("settings", ChapterExport.settings(chapter.settings)),
            ("panels", .array(chapter.panels.map { ChapterExport.panel($0, outcome: nil) })),
            ("diagnostics", .array(chapter.diagnostics.map { diagnostic in
                .object([
                    ("severity", .string(diagnostic.severity.rawValue)),
                    ("line", .optional(diagnostic.location?.line)),
                    ("column", .optional(diagnostic.location?.column)),
                    ("message", .string(diagnostic.message)),
                ])
            })),
        ])
    }
}
