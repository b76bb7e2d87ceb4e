/// The `panelproc inspect` document: a chapter as parsed, for scripts.
public enum ChapterInspection {
    public static func json(for chapter: Chapter, input: InputDocument) -> JSONValue {
        .object([
            ("file", .string(input.displayName)),
            ("slug", .string(chapter.slug)),
            ("title", .optional(chapter.title)),
            ("settings", ChapterExport.settings(chapter.settings)),
            ("pages", .array(chapter.pages.map(page))),
            ("panels", .array(chapter.panels.map { panel in
                // The export's panel, plus its lettering as read: number, kind, speaker, modifiers.
                guard case .object(let members) = ChapterExport.panel(panel, outcome: nil) else { return .null }
                return .object(members + [("lettering", .array(panel.lettering.map(lettering)))])
            })),
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

    /// A page header: its number (and a spread's last), the panel count it declares, its panels.
    static func page(_ page: ChapterPage) -> JSONValue {
        .object([
            ("number", .int(page.number)),
            ("last_number", .optional(page.lastNumber)),
            ("header", .string(page.header)),
            ("line", .int(page.line)),
            ("declared_panels", .optional(page.declaredPanels)),
            ("panels", .array(page.panelIDs.map(JSONValue.string))),
        ])
    }

    /// One lettering line as the writer wrote it.
    static func lettering(_ line: LetteringLine) -> JSONValue {
        .object([
            ("number", .optional(line.number)),
            ("kind", .string(line.kind.rawValue)),
            ("speaker", .optional(line.speaker)),
            ("modifiers", .array(line.modifiers.map { .string($0.rawValue) })),
            ("manner", .optional(line.manner)),
            ("text", .string(line.text)),
            ("line", .int(line.line)),
        ])
    }
}
