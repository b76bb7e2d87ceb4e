/// A panel's `StageContext` as JSON and back: the fused prompt's `panel` variable, read by the
/// built-in engine so that it can run the same stage chain as stage mode (never rendered, so it
/// costs no tokens; it joins the cache key like every variable).
///
/// Only what the stages' prompts can depend on is kept: no panel id, position, content hash,
/// file path or database digest, and line numbers relative to the panel's first line, so that,
/// as in stage mode, moving a panel, inserting another before it or moving the book to another
/// folder does not change its cache key.
enum FusedContextCodec {
    static func encode(_ context: StageContext) -> JSONValue {
        let panel = context.panel
        let settings = context.settings
        let first = panel.lines.lowerBound
        return .object([
            ("marker", .string(panel.markerText)), ("title", .optional(panel.title)),
            ("last_line", .int(panel.lines.upperBound - first)),
            ("scene", .string(panel.sceneDescriptionOriginal)),
            ("shot", .optional(panel.shotType?.rawValue)),
            ("fields", .array(panel.fields.map { field in
                .object([("label", .string(field.label.rawValue)), ("value", .string(field.value)), ("line", .int(field.line - first)),
                         ("number", field.number.map(JSONValue.int) ?? .null), ("qualifier", .optional(field.qualifier))])
            })),
            ("dialogue", .array(panel.dialogue.map { line in
                .object([("speaker", .string(line.speaker)), ("manner", .optional(line.manner)), ("text", .string(line.text)),
                         ("line", .int(line.line - first)), ("number", line.number.map(JSONValue.int) ?? .null)])
            })),
            ("required_roles", .array(panel.requiredRoles.map(JSONValue.string))),
            ("settings", .object([
                ("tone", .optional(settings.tone)), ("audience", .optional(settings.audience)), ("style", .optional(settings.style)),
                ("palette", .array(settings.palette.map(JSONValue.string))), ("common_example", .optional(settings.commonExample)),
                ("max_bubbles", .int(settings.maxBubbles)),
            ])),
            ("database", context.characters.map { database in
                .object([("characters", .array(database.characters.map { character in
                             .object([("id", .string(character.id)), ("name", .string(character.name)),
                                      ("aliases", .array(character.aliases.map(JSONValue.string))),
                                      ("roles", .array(character.roles.map(JSONValue.string))),
                                      ("appearance", .string(character.appearance))])
                         }))])
            } ?? .null),
            ("taxonomy", .array(context.taxonomy.themes.map { theme in
                .object([("name", .string(theme.name)), ("description", .string(theme.description)),
                         ("keywords", .array(theme.keywords.map(JSONValue.string)))])
            })),
            ("rules", .object([("max_words_per_bubble", .int(context.rules.maxWordsPerBubble)),
                               ("common_example_overlap", .double(context.rules.commonExampleOverlap)),
                               ("unknown_roles", .string(context.rules.unknownRoles.rawValue))])),
        ])
    }

    /// The context `encode` wrote, with `force` as given; nil when `value` is not one.
    static func decode(_ value: JSONValue, force: Bool) -> StageContext? {
        guard let last = value["last_line"]?.integer, last >= 0 else { return nil }
        let fields = (value["fields"]?.array ?? []).compactMap { item -> PanelField? in
            guard let label = item["label"]?.string.flatMap(PanelField.Label.init(rawValue:)), let text = item["value"]?.string else { return nil }
            return PanelField(label: label, value: text, line: item["line"]?.integer ?? 0, number: item["number"]?.integer,
                              qualifier: item["qualifier"]?.string)
        }
        let dialogue = (value["dialogue"]?.array ?? []).compactMap { item -> DialogueLine? in
            guard let speaker = item["speaker"]?.string, let text = item["text"]?.string else { return nil }
            return DialogueLine(speaker: speaker, manner: item["manner"]?.string, text: text, line: item["line"]?.integer ?? 0,
                                number: item["number"]?.integer)
        }
        let panel = ComicPanelImageSheet(
            id: "fused", page: nil, number: 0, markerText: value["marker"]?.string ?? "",
            title: value["title"]?.string, lines: 0...last, contentHash: "",
            sceneDescriptionOriginal: value["scene"]?.string ?? "", shotType: value["shot"]?.string.flatMap(ShotType.init(rawValue:)),
            fields: fields, dialogue: dialogue, requiredRoles: value["required_roles"]?.strings ?? [],
            imageSite: ImageLineSite(existing: nil, insertionOffset: 0, insertionNeedsLineBreak: false))
        let saved = value["settings"]
        let settings = ChapterSettings(
            tone: saved?["tone"]?.string, audience: saved?["audience"]?.string, style: saved?["style"]?.string,
            palette: saved?["palette"]?.strings ?? [], commonExample: saved?["common_example"]?.string,
            maxBubbles: saved?["max_bubbles"]?.integer ?? 3)
        let database = value["database"].flatMap { database -> CharacterDatabase? in
            guard let characters = database["characters"]?.array else { return nil }
            return CharacterDatabase(
                path: "", digest: "",
                characters: characters.compactMap { item in
                    guard let id = item["id"]?.string, let name = item["name"]?.string else { return nil }
                    return CharacterProfile(id: id, name: name, aliases: item["aliases"]?.strings ?? [], roles: item["roles"]?.strings ?? [],
                                            appearance: item["appearance"]?.string ?? "")
                })
        }
        let themes = (value["taxonomy"]?.array ?? []).compactMap { item -> ThemeTaxonomy.Theme? in
            guard let name = item["name"]?.string else { return nil }
            return ThemeTaxonomy.Theme(name: name, description: item["description"]?.string ?? "", keywords: item["keywords"]?.strings ?? [])
        }
        let rules = value["rules"]
        let gate = GateRules(maxWordsPerBubble: rules?["max_words_per_bubble"]?.integer ?? 25,
                             commonExampleOverlap: rules?["common_example_overlap"]?.number ?? 0.2,
                             unknownRoles: rules?["unknown_roles"]?.string.flatMap(GateRules.UnknownRolePolicy.init(rawValue:)) ?? .reject)
        return StageContext(panel: panel, settings: settings, characters: database, charactersSearched: [],
                            taxonomy: themes.isEmpty ? .standard : ThemeTaxonomy(themes: themes), rules: gate, force: force)
    }
}

extension CharacterDatabase {
    init(path: String, digest: String, characters: [CharacterProfile]) {
        self.init(path: path, characters: characters, digest: digest)
    }
}
