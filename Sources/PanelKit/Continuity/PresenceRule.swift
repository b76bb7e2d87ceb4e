/// Rule 4 (presence): a character who leaves in a panel ("X leaves", "X walks out", "X exits",
/// "X is gone", "X storms off") and then speaks or is listed in a later panel of the same scene
/// (same setting, no time jump) without coming back ("X returns", "X comes back") is an alert.
/// A voice from off-panel or through a phone is not the character in the room.
struct PresenceRule: ContinuityRule {
    static let id = "presence.left_scene"

    /// Leaving phrases; a bare `leaves` counts only when nothing but a place follows it.
    static let leaving = PhraseSet([[String]](arrayLiteral:
        ["walks", "out"], ["walk", "out"], ["exits"], ["exit"], ["is", "gone"], ["are", "gone"], ["storms", "off"], ["storm", "off"],
        ["storms", "out"], ["storm", "out"], ["walks", "away"], ["walks", "off"], ["runs", "off"], ["runs", "out"], ["heads", "out"],
        ["head", "out"], ["departs"], ["depart"], ["goes", "home"], ["slips", "out"], ["has", "left"], ["have", "left"], ["stalks", "off"],
    ))
    static let returning = PhraseSet([[String]](arrayLiteral:
        ["returns"], ["return"], ["comes", "back"], ["come", "back"], ["walks", "back"], ["is", "back"], ["are", "back"],
        ["reappears"], ["re-enters"], ["reenters"], ["enters"], ["enter"], ["walks", "in"], ["comes", "in"], ["arrives"], ["rejoins"],
    ))
    /// What may follow a bare `leaves` for it to mean leaving (`leaves the shop`, `leaves.`), not
    /// leaving something behind (`leaves a note`).
    static let places: Set<String> = [
        "room", "shop", "stall", "bank", "market", "house", "building", "office", "kitchen", "party", "scene", "counter", "hall",
        "station", "square", "cafe", "café", "school", "library", "museum", "church", "yard", "garden", "street", "table", "store",
        "meeting", "class", "classroom", "apartment", "flat", "tent", "booth", "queue", "line", "crowd", "door", "stage", "park",
    ]

    /// The characters who leave in this panel.
    static func leavers(in panel: ContinuityPanel) -> [String] {
        var found: [String] = []
        for sentence in panel.sentences(Set([.scene, .caption])) {
            for (index, token) in sentence.tokens.enumerated() {
                var leaves = leaving.match(in: sentence, at: index) != nil
                if !leaves, ["leaves", "leave"].contains(token.word) {
                    let next = index + 1 < sentence.tokens.count ? sentence.tokens[index + 1].word : nil
                    let after = index + 2 < sentence.tokens.count ? sentence.tokens[index + 2].word : nil
                    leaves = next == nil || token.comma || ["without", "in", "for", "through", "quickly", "angrily", "and"].contains(next!)
                        || (["the", "her", "his", "their"].contains(next!) && after.map(places.contains) == true)
                }
                guard leaves else { continue }
                for mention in sentence.subject(before: index) where !found.contains(mention.character) { found.append(mention.character) }
            }
        }
        return found
    }

    /// The characters who come back in this panel.
    static func returners(in panel: ContinuityPanel) -> [String] {
        var found: [String] = []
        for sentence in panel.sentences(Set([.scene, .caption])) {
            for index in sentence.tokens.indices where returning.match(in: sentence, at: index) != nil {
                for mention in sentence.subject(before: index) where !found.contains(mention.character) { found.append(mention.character) }
            }
        }
        return found
    }

    func check(_ chapter: ContinuityChapter, state: inout ContinuityState) -> [ContinuityAlert] {
        var alerts: [ContinuityAlert] = []
        var gone: [String: ContinuityPanel] = [:]
        var setting: String?
        for panel in chapter.panels {
            let markers = panel.markers
            if panel.setting != setting || !markers.isEmpty {
                // A new scene: whoever left the old one may be anywhere.
                gone = [:]
                setting = panel.setting
            }
            for character in panel.returners { gone[character] = nil }
            for character in panel.speakers + panel.listed {
                guard let left = gone[character] else { continue }
                gone[character] = nil
                let name = chapter.name(character)
                let short = name.split(separator: " ").first.map(String.init) ?? name
                let speaks = panel.speakers.contains(character)
                alerts.append(ContinuityAlert(
                    type: .presence, severity: .medium,
                    title: "\(name) \(speaks ? "speaks" : "is listed") here but left in \(left.localID)",
                    description: "\(short) leaves in \(left.localID) and \(speaks ? "speaks" : "is listed") in \(panel.localID), in the same "
                        + "scene, without coming back.",
                    source: chapter.site(left, short), conflict: chapter.site(panel, short),
                    suggestedFix: "Show \(short) coming back (\"\(short) returns\"), make the line off-panel (\(short.uppercased()) (OFF)), "
                        + "or mark the scene change.",
                    foundBy: Self.id, facts: [character, "left", "present"]))
            }
            for character in panel.leavers { gone[character] = panel }
        }
        return alerts
    }
}
