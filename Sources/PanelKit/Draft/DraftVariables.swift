/// The variables each step's template is rendered with (and the offline engine reads), built
/// from the request and the outputs of the step's dependencies. Their hash decides whether a
/// saved step is still done.
struct DraftInputs: Sendable {
    var request: DraftRequest
    var thresholds: PacingThresholds
    var maxBubbles: Int
    /// The existing characters a cast may reuse (from the character database).
    var known: [CharacterProfile]
    /// Outputs of finished steps (the chosen option for a multi-option step).
    var outputs: [String: JSONValue]
    /// The cast as dependants see it: reused characters under their canonical names.
    var cast: [DraftCharacter]

    func variables(for step: DraftStep) -> JSONValue {
        let request = self.request
        var members: [(String, JSONValue)] = []
        func text(_ key: String, _ value: String) { members.append((key, .string(value))) }
        switch step.id {
        case "lore":
            text("premise", request.premise)
            text("title", request.title)
            text("audience", request.audience)
            text("tone", request.tone)
            text("teaching_point", request.teachingPoint)
        case "cast":
            text("premise", request.premise)
            members.append(("lore", outputs["lore"] ?? .null))
            members.append(("has_known", .bool(!known.isEmpty)))
            members.append(("known", .array(known.map { character in
                .object([("name", .string(character.name)), ("aliases_text", .string(character.aliases.joined(separator: ", "))),
                         ("roles_text", .string(character.roles.joined(separator: ", ")))])
            })))
        case "narrative":
            text("premise", request.premise)
            members.append(("lore", outputs["lore"] ?? .null))
            members.append(("cast", castJSON))
            text("teaching_point", request.teachingPoint)
            members.append(("has_teaching_point", .bool(!request.teachingPoint.isEmpty)))
            members.append(("pages", .int(request.pages)))
        case "scenes":
            members.append(("narrative", outputs["narrative"] ?? .null))
            members.append(("cast", castJSON))
            members.append(("speakers", .array(cast.map { .string($0.name) })))
            members.append(("pages", .int(request.pages)))
        default:
            break
        }
        return .object(members)
    }

    /// The calls a step makes: one, or for `pages` one per page (each page's call is cached and
    /// traced on its own, so a killed run loses at most the page in flight and a small model
    /// never has to write the whole chapter in one answer).
    func calls(for step: DraftStep) -> [JSONValue] {
        step.id == "pages" ? pageVariables() : [variables(for: step)]
    }

    /// What a step's state records as its inputs: the one call's variables, or every page's.
    func stateInputs(for step: DraftStep) -> JSONValue {
        let calls = self.calls(for: step).map(Self.stateVariables)
        return calls.count == 1 && step.id != "pages" ? calls[0] : .array(calls)
    }

    /// Panels per page cycle through the ideal band (middle, low, high, …).
    static func panelCounts(pages: Int, band: ClosedRange<Double>) -> [Int] {
        let low = max(1, Int(band.lowerBound.rounded(.up))), high = max(low, Int(band.upperBound.rounded(.down)))
        let rhythm = [(low + high) / 2, low, high]
        return (0..<max(pages, 1)).map { rhythm[$0 % rhythm.count] }
    }

    /// Each page's variables: its number, its panel count (in the pacing band), and the scenes it
    /// covers with how many of its panels each takes (scene i gets the panels i·total/scenes on),
    /// so the chapter's length and pacing are decided here, not left to a model.
    func pageVariables() -> [JSONValue] {
        let scenes = outputs["scenes"]?["scenes"]?.array ?? []
        let counts = Self.panelCounts(pages: request.pages, band: thresholds.panelsPerPage.ideal)
        let total = counts.reduce(0, +)
        let sceneCount = max(scenes.count, 1)
        let sceneOf = (0..<total).map { $0 * sceneCount / total }
        // The teaching point goes on the page where the resolution starts (else the last page).
        let firstResolution = scenes.firstIndex { $0["act"]?.string == "resolution" }
        let pointPanel = firstResolution.flatMap { scene in sceneOf.firstIndex(of: scene) } ?? total - 1
        let words = thresholds.wordsPerPanel.ideal
        var first = 0
        var pages: [JSONValue] = []
        for (index, count) in counts.enumerated() {
            let slots = Array(sceneOf[first..<first + count])
            var onPage: [JSONValue] = []
            var position = 0
            while position < slots.count {
                let scene = slots[position]
                let share = slots[position...].prefix { $0 == scene }.count
                let value = scenes.indices.contains(scene) ? scenes[scene] : .object([])
                let continues = first + position > 0 && sceneOf[first + position - 1] == scene
                onPage.append(.object([
                    ("act", .string(value["act"]?.string ?? "setup")), ("setting", .string(value["setting"]?.string ?? "")),
                    ("characters", value["characters"] ?? .array([])), ("purpose", .string(value["purpose"]?.string ?? "")),
                    ("panels", .int(share)), ("continues", .bool(continues)),
                ]))
                position += share
            }
            let point = (first..<first + count).contains(pointPanel) ? request.teachingPoint : ""
            pages.append(.object([
                ("title", .string(request.title)), ("page", .int(index + 1)), ("pages", .int(counts.count)),
                ("panels", .int(count)), ("first_panel", .int(first)), ("scenes", .array(onPage)),
                ("cast", castJSON), ("speakers", .array(cast.map { .string($0.name) })),
                ("teaching_point", .string(point)), ("has_teaching_point", .bool(!point.isEmpty)),
                ("words_low", .int(Int(words.lowerBound))), ("words_high", .int(Int(words.upperBound))),
                ("max_bubbles", .int(maxBubbles)), ("balloon_words", .int(thresholds.balloonWords)),
            ]))
            first += count
        }
        return pages
    }

    /// The variables that decide whether a saved step is still done: all but the database's
    /// characters offered to the cast step. Accepting the draft's proposed characters into the
    /// database must not redo the cast (and with it the whole story); they now resolve by name,
    /// so the chapter reuses them. (The call cache still keys on every variable.)
    static func stateVariables(_ variables: JSONValue) -> JSONValue {
        guard let members = variables.members else { return variables }
        return .object(members.filter { $0.0 != "known" && $0.0 != "has_known" })
    }

    private var castJSON: JSONValue {
        .array(cast.map { character in
            .object([("name", .string(character.name)), ("roles", .array(character.roles.map(JSONValue.string))),
                     ("roles_text", .string(character.roles.joined(separator: ", "))),
                     ("personality", .string(character.personality)), ("voice", .string(character.voice))])
        })
    }
}
