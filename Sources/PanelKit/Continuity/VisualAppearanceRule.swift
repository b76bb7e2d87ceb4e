/// Rule 1 (visual): an item keeps its colour. The character database's `appearance` gives
/// (colour, item) pairs (`yellow raincoat`); a panel that gives the same character the same item
/// in another colour (`Mira, in her blue raincoat`, `Mira's blue raincoat`) is an alert, unless a
/// change was shown first (the character changes into / puts on / takes off / swaps it, in this
/// or an earlier panel, or a `Notes:` field says so). After a shown change the new colour holds.
/// Items the database does not mention are held to the colour a panel first gave them.
struct VisualAppearanceRule: ContinuityRule {
    static let id = "visual.appearance"

    /// A colour and the item it colours, at token positions of a sentence.
    struct Pair: Equatable {
        var colour: String
        var item: String
        /// `blue raincoat`, as written.
        var phrase: String
        var colourIndex: Int
        var itemIndex: Int
    }

    /// Phrases that show a change of clothes, and whether they take the item off.
    static let changeList: [(words: [String], removes: Bool)] = [
        (["changes", "into"], false), (["changed", "into"], false), (["change", "into"], false), (["changes", "clothes"], false),
        (["gets", "changed"], false), (["changed", "clothes"], false), (["puts", "on"], false), (["put", "on"], false), (["pulls", "on"], false),
        (["slips", "into"], false), (["slips", "on"], false), (["swaps"], false), (["swapped"], false), (["switches"], false),
        (["dons"], false), (["now", "wears"], false), (["now", "wearing"], false), (["changes", "her"], false), (["changes", "his"], false),
        (["takes", "off"], true), (["took", "off"], true), (["removes"], true), (["sheds"], true), (["drops", "her"], true),
        (["drops", "his"], true),
    ]
    static let changes = PhraseSet(changeList.map(\.words))
    static let removing = Set(changeList.filter(\.removes).map { $0.words.joined(separator: " ") })

    func check(_ chapter: ContinuityChapter, state: inout ContinuityState) -> [ContinuityAlert] {
        guard let cast = chapter.cast else { return [] }
        var alerts: [ContinuityAlert] = []
        for panel in chapter.panels {
            var lastMentioned: String?
            for sentence in panel.sentences where sentence.kind != .setting {
                for character in sentence.characters { seed(character, chapter: chapter, cast: cast, state: &state) }
                let pairs = Self.pairs(in: sentence.tokens)
                if let change = Self.change(in: sentence) {
                    // Who changes: the names before the verb, else everyone named, else the last one named.
                    var who = sentence.subject(before: change.index).map(\.character)
                    if who.isEmpty { who = sentence.mentions.filter { !$0.possessive }.map(\.character) }
                    if who.isEmpty, let owner = sentence.mentions.first?.character { who = [owner] }
                    if who.isEmpty, let lastMentioned { who = [lastMentioned] }
                    for character in who {
                        if change.removes {
                            for token in sentence.tokens { state.items[character]?[ColourWords.item(token.word)] = nil }
                        } else if pairs.isEmpty, !Set(sentence.words).isDisjoint(with: ["into", "clothes", "outfit", "changed"]) {
                            state.items[character] = [:]  // A new outfit: nothing of the old one holds.
                        }
                        for pair in pairs where !change.removes {
                            state.items[character, default: [:]][pair.item] = .init(
                                colour: pair.colour, phrase: pair.phrase, site: chapter.site(panel, pair.phrase), fromDatabase: false,
                                chapter: chapter.slug)
                        }
                    }
                } else if sentence.kind == .notes, !pairs.isEmpty,
                    !Set(sentence.words).isDisjoint(with: ["now", "new", "instead", "changed", "change", "changes", "different"])
                {
                    // `Notes: Mira now wears a blue coat.`: the writer says the change happened.
                    for pair in pairs {
                        guard let owner = Self.owner(of: pair, in: sentence, cast: cast) ?? sentence.characters.first ?? lastMentioned else { continue }
                        state.items[owner, default: [:]][pair.item] = .init(
                            colour: pair.colour, phrase: pair.phrase, site: chapter.site(panel, pair.phrase), fromDatabase: false,
                            chapter: chapter.slug)
                    }
                } else {
                    for pair in pairs {
                        guard let owner = Self.owner(of: pair, in: sentence, cast: cast) else { continue }
                        seed(owner, chapter: chapter, cast: cast, state: &state)
                        // `her new blue raincoat`: the change is shown in the phrase itself.
                        let isNew = pair.colourIndex > 0 && sentence.tokens[pair.colourIndex - 1].word == "new"
                        guard let known = state.items[owner]?[pair.item], !isNew else {
                            state.items[owner, default: [:]][pair.item] = .init(
                                colour: pair.colour, phrase: pair.phrase, site: chapter.site(panel, pair.phrase), fromDatabase: false,
                                chapter: chapter.slug)
                            continue
                        }
                        guard known.colour != pair.colour else { continue }
                        let key = [owner, pair.item, known.colour, pair.colour].joined(separator: "|")
                        guard !state.reported.contains(key) else { continue }
                        state.reported.insert(key)
                        alerts.append(alert(owner, pair, known: known, at: chapter.site(panel, pair.phrase), chapter: chapter))
                    }
                }
                if let last = sentence.mentions.last?.character { lastMentioned = last }
            }
        }
        return alerts
    }

    func alert(_ owner: String, _ pair: Pair, known: ContinuityState.Item, at site: ContinuityAlert.Site,
               chapter: ContinuityChapter) -> ContinuityAlert
    {
        let name = chapter.name(owner)
        let short = name.split(separator: " ").first.map(String.init) ?? name
        let before = known.fromDatabase ? "in the character database"
            : known.site.chapter == chapter.slug ? "in \(known.site.panel)" : "in \(known.site.chapter)/\(known.site.panel)"
        return ContinuityAlert(
            type: .visual, severity: known.fromDatabase ? .high : .medium,
            title: "\(name)'s \(pair.item) is \(pair.colour) here but \(known.colour) \(before)",
            description: "\(site.panel) describes \(short)'s \(pair.phrase); \(known.fromDatabase ? "the character database" : known.site.panel) "
                + "gives \(known.phrase), and no panel in between shows a change.",
            source: known.site, conflict: site,
            suggestedFix: "Make it \(known.colour) again, or show the change first (\"\(short) puts on a \(pair.colour) \(pair.item)\") "
                + "or say so in a Notes: field.",
            foundBy: Self.id, facts: [owner, pair.item, known.colour, pair.colour])
    }

    /// Reads the database's appearance of a character into the state the first time it is seen.
    func seed(_ character: String, chapter: ContinuityChapter, cast: ContinuityCast, state: inout ContinuityState) {
        guard !state.seeded.contains(character) else { return }
        state.seeded.insert(character)
        guard let profile = cast.database.character(id: character) else { return }
        for part in profile.appearance.split(whereSeparator: { ",;".contains($0) }) {
            for pair in Self.pairs(in: ContinuitySentence.tokenize(String(part))) where state.items[character]?[pair.item] == nil {
                state.items[character, default: [:]][pair.item] = .init(
                    colour: pair.colour, phrase: pair.phrase, site: chapter.databaseSite(character: character, phrase: pair.phrase),
                    fromDatabase: true, chapter: "")
            }
        }
    }

    /// Every colour followed by an item: `blue raincoat`, `red rubber boots` (item `boot`).
    static func pairs(in tokens: [ContinuitySentence.Token]) -> [Pair] {
        var pairs: [Pair] = []
        for index in tokens.indices {
            guard let colour = ColourWords.colour(tokens[index].word), !tokens[index].comma, !tokens[index].possessive else { continue }
            var item = index + 1
            var skipped = 0
            while item < tokens.count, skipped < 2, ColourWords.modifiers.contains(tokens[item].word), !tokens[item].comma,
                item + 1 < tokens.count, !ColourWords.stops.contains(tokens[item + 1].word)
            {
                item += 1
                skipped += 1
            }
            guard item < tokens.count else { continue }
            let word = tokens[item].word
            guard !ColourWords.stops.contains(word), ColourWords.colour(word) == nil, word.first?.isLetter == true, !tokens[item].capitalised
                || index == 0
            else { continue }
            let phrase = tokens[index...item].map(\.raw).joined(separator: " ")
            pairs.append(Pair(colour: colour, item: ColourWords.item(word), phrase: phrase, colourIndex: index, itemIndex: item))
        }
        return pairs
    }

    /// The change a sentence shows, and where its verb stands.
    static func change(in sentence: ContinuitySentence) -> (index: Int, removes: Bool)? {
        guard let (index, phrase) = changes.first(in: sentence) else { return nil }
        return (index, removing.contains(phrase.joined(separator: " ")))
    }

    /// Whose item a pair is: `Mira's blue raincoat`; `Mira, in her blue raincoat`; `Mira in a blue
    /// raincoat`; `Theo, wearing a red scarf`. A pair no name owns (`Theo hands Mira a red apple`) is nobody's.
    static func owner(of pair: Pair, in sentence: ContinuitySentence, cast: ContinuityCast) -> String? {
        let tokens = sentence.tokens
        var position = pair.colourIndex - 1
        // One plain adjective may stand between (`Mira's bright blue coat`).
        if position >= 0, !ColourWords.stops.contains(tokens[position].word), !tokens[position].capitalised,
            !sentence.mentions.contains(where: { $0.tokens.contains(position) }), !wearing.contains(tokens[position].word)
        {
            position -= 1
        }
        guard position >= 0 else { return nil }
        if let mention = sentence.mentions.first(where: { $0.tokens.upperBound - 1 == position }), mention.possessive {
            return mention.character
        }
        func nearest(before index: Int, pronoun: String?) -> String? {
            for mention in sentence.mentions.reversed() where mention.tokens.upperBound <= index {
                guard let pronoun, let gender = cast.gender[mention.character] else { return mention.character }
                if pronoun == "their" || (pronoun == "her") == (gender == "female") { return mention.character }
            }
            return nil
        }
        let word = tokens[position].word
        if ["her", "his", "their"].contains(word) { return nearest(before: position, pronoun: word) }
        if wearing.contains(word) { return nearest(before: position, pronoun: nil) }
        if ["a", "an", "the"].contains(word), position >= 1, wearing.contains(tokens[position - 1].word) {
            return nearest(before: position - 1, pronoun: nil)
        }
        return nil
    }

    static let wearing: Set<String> = ["in", "wearing", "wears", "wore", "dons", "donning", "sporting"]
}
