/// The offline engine's first three draft steps (lore, cast, narrative). It is a scaffold, not
/// prose: every line it writes restates the premise or marks what the writer must fill in
/// (`TODO`), so a draft shows its shape and pacing without pretending to be a story.
enum OfflineDraftStory {
    /// Three worlds, each centred on another noun of the premise.
    static func lore(_ variables: JSONValue) -> JSONValue {
        let premise = variables["premise"]?.string ?? ""
        let reading = OfflineDraftPremise(premise)
        let tone = nonEmpty(variables["tone"]?.string) ?? "as the premise suggests"
        let audience = nonEmpty(variables["audience"]?.string) ?? "not set"
        let options: [JSONValue] = (0..<3).map { index in
            let setting = reading.noun(index)
            var rules = [
                "Everything in the chapter follows from the premise as written: \(premise)",
                "The \(setting) is where the pressure of the story lives.",
                "Tone: \(tone); audience: \(audience).",
            ]
            if let point = nonEmpty(variables["teaching_point"]?.string) { rules.append("The chapter teaches: \(point).") }
            return .object([
                ("name", .string("Centred on the \(setting)")),
                ("world", .string("TODO: describe the world around the \(setting) (premise: \(premise))")),
                ("setting", .string(setting)),
                ("rules", .array(rules.map(JSONValue.string))),
            ])
        }
        return .object([("options", .array(options))])
    }

    static let placeholderRoles = ["protagonist", "mentor", "rival"]

    /// The people the premise names, in the placeholder roles (protagonist, mentor, rival, then
    /// allies); roles the premise leaves empty keep a placeholder name ("The Mentor").
    static func cast(_ variables: JSONValue) -> JSONValue {
        let people = OfflineDraftPremise(variables["premise"]?.string ?? "").people
        var characters: [JSONValue] = []
        // At most six: the cast schema's limit, which keeps the answer within a small model's context.
        for index in 0..<min(max(placeholderRoles.count, people.count), 6) {
            let role = index < placeholderRoles.count ? placeholderRoles[index] : "ally"
            let name = index < people.count ? people[index] : "The " + role.prefix(1).uppercased() + role.dropFirst()
            characters.append(.object([
                ("name", .string(name)), ("roles", .array([.string(role)])),
                ("appearance", .string("TODO: describe how \(name) looks")),
                ("personality", .string("TODO: \(name)'s personality, as the \(role)")),
                ("voice", .string("TODO: how \(name) talks")),
            ]))
        }
        return .object([("characters", .array(characters))])
    }

    /// Three arcs in setup, turn and resolution beats, one beat per page (at least three).
    static func narrative(_ variables: JSONValue) -> JSONValue {
        let reading = OfflineDraftPremise(variables["premise"]?.string ?? "")
        let setting = variables["lore"]?["setting"]?.string ?? reading.noun(0)
        let others = reading.nouns.filter { $0 != setting }
        let places = [setting] + (others.isEmpty ? [setting] : others)
        let cast = variables["cast"]?.array ?? []
        func holder(_ role: String, _ fallback: Int) -> String {
            let names = cast.compactMap { $0["name"]?.string }
            if let tagged = cast.first(where: { ($0["roles"]?.strings ?? []).contains(role) })?["name"]?.string { return tagged }
            return names.indices.contains(fallback) ? names[fallback] : (names.first ?? "The Protagonist")
        }
        let hero = holder("protagonist", 0), mentor = holder("mentor", 1), rival = holder("rival", 2)
        let pages = max(variables["pages"]?.integer ?? 3, 1)
        let total = max(3, pages)
        let setupCount = max(1, total / 4), resolutionCount = max(1, total / 4)
        let turnCount = total - setupCount - resolutionCount
        let point = nonEmpty(variables["teaching_point"]?.string)

        let options: [JSONValue] = (0..<3).map { option in
            // Option 2 puts the pressure on the mentor; option 3 moves every beat one place on.
            let opponent = option == 1 ? mentor : rival
            let ally = option == 1 ? rival : mentor
            func place(_ index: Int) -> String { places[(index + (option == 2 ? 1 : 0)) % places.count] }
            let setup = ["introduce the \(place(0)), \(hero)'s goal and \(ally)", "\(hero) meets \(ally) by the \(place(1))",
                         "the \(place(2)) raises the stakes for \(hero)"]
            let turn = ["\(opponent) stands in \(hero)'s way at the \(place(1))", "\(hero) tries and fails at the \(place(0))",
                        "\(ally) shows \(hero) what the \(place(2)) means", "\(hero) changes plans",
                        "the \(place(1)) turns against \(hero)"]
            let resolution = ["\(hero) faces \(opponent) at the \(place(0))", "what has changed for \(hero) at the \(place(1))",
                              "a closing image of the \(place(0))"]
            var beats: [JSONValue] = []
            func add(_ act: String, _ list: [String], _ count: Int, placeOffset: Int) {
                for index in 0..<count {
                    let summary = list[index % list.count]
                    beats.append(.object([("act", .string(act)), ("summary", .string(summary)),
                                          ("setting", .string(place(index + placeOffset)))]))
                }
            }
            add("setup", setup, setupCount, placeOffset: 0)
            add("turn", turn, turnCount, placeOffset: 1)
            add("resolution", resolution, resolutionCount, placeOffset: 0)
            var logline = "\(hero) wants something at the \(place(0)); \(opponent) stands in the way; \(hero) resolves it. TODO: the real stakes."
            if let point { logline += " By the end the chapter shows: \(point)." }
            return .object([("logline", .string(logline)), ("beats", .array(beats))])
        }
        return .object([("options", .array(options))])
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }
}
