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
        case "pages":
            text("title", request.title)
            members.append(("scenes", outputs["scenes"] ?? .null))
            members.append(("cast", castJSON))
            members.append(("speakers", .array(cast.map { .string($0.name) })))
            members.append(("pages", .int(request.pages)))
            text("teaching_point", request.teachingPoint)
            members.append(("has_teaching_point", .bool(!request.teachingPoint.isEmpty)))
            let panels = thresholds.panelsPerPage.ideal, words = thresholds.wordsPerPanel.ideal
            members.append(("panels_low", .int(Int(panels.lowerBound.rounded(.up)))))
            members.append(("panels_high", .int(max(Int(panels.upperBound), Int(panels.lowerBound.rounded(.up))))))
            members.append(("words_low", .int(Int(words.lowerBound))))
            members.append(("words_high", .int(Int(words.upperBound))))
            members.append(("max_bubbles", .int(maxBubbles)))
            members.append(("balloon_words", .int(thresholds.balloonWords)))
        default:
            break
        }
        return .object(members)
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
