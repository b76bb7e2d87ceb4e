/// What a panel says about time: a time of day, a day boundary, a jump back (a flashback), or
/// just "later". Read from captions, `Setting:` and scene text; in scene text only a marker
/// that stands as time (`at dawn`, `that night`, `Night.`), so "the night market" is not one.
struct TimeMarkers: Equatable {
    /// Ordinal within a day: dawn 1, morning 2, noon 3, afternoon 4, evening 5, night 6, midnight 7.
    var time: Int?
    /// The words that gave it (`later that morning`), for messages.
    var phrase: String?
    /// `the next morning`, `three days later`, `tomorrow`: a new day starts.
    var newDay = false
    /// `earlier`, `flashback`, `yesterday`: order is unknown from here.
    var jumpBack = false
    /// `later`, `an hour later`, `hours pass`: time moved on (a scene ends).
    var later = false
    /// The marker insists on the same day (`later that morning`, `this morning`).
    var sameDay = false

    var isEmpty: Bool { time == nil && !newDay && !jumpBack && !later }

    static let times: [String: Int] = [
        "dawn": 1, "sunrise": 1, "daybreak": 1, "morning": 2, "breakfast": 2, "noon": 3, "midday": 3, "lunchtime": 3,
        "afternoon": 4, "evening": 5, "dusk": 5, "sunset": 5, "twilight": 5, "nightfall": 5, "night": 6, "nighttime": 6,
        "midnight": 7,
    ]
    static let names = [1: "dawn", 2: "morning", 3: "noon", 4: "afternoon", 5: "evening", 6: "night", 7: "midnight"]

    static let newDayPhrases = PhraseSet([[String]](arrayLiteral:
        ["next", "morning"], ["next", "day"], ["next", "evening"], ["next", "night"], ["next", "afternoon"], ["next", "week"],
        ["following", "day"], ["following", "morning"], ["following", "evening"], ["following", "night"],
        ["following", "afternoon"], ["following", "week"], ["morning", "after"], ["day", "after"], ["night", "after"],
        ["days", "later"], ["day", "later"], ["weeks", "later"], ["week", "later"], ["months", "later"], ["month", "later"],
        ["years", "later"], ["year", "later"], ["tomorrow"], ["later", "that", "week"], ["a", "new", "day"], ["the", "next", "day"],
    ))
    static let jumpBackPhrases = PhraseSet([[String]](arrayLiteral:
        ["earlier"], ["flashback"], ["yesterday"], ["ago"], ["day", "before"], ["night", "before"], ["previously"],
        ["years", "earlier"], ["remembers"], ["memory"], ["dream"], ["dreams"],
    ))
    /// Words before a time word that make it not the story's present (`last night`, `all night`).
    static let notNow: Set<String> = ["last", "every", "all", "before", "until", "till", "since", "good", "each", "tonight's", "yesterday"]
    /// Words before a time word in scene text that make it a time (`at dawn`, `that night`).
    static let anchors: Set<String> = ["at", "that", "this", "by", "early", "late", "one", "mid", "same", "next", "following"]

    /// The markers of one panel.
    static func read(_ panel: ContinuityPanel) -> TimeMarkers {
        var markers = TimeMarkers()
        for sentence in panel.sentences(Set([.caption, .setting])) + panel.sentences(Set([.scene])) {
            markers.add(sentence)
        }
        return markers
    }

    mutating func add(_ sentence: ContinuitySentence) {
        let words = sentence.words
        if Self.newDayPhrases.occurs(in: sentence) { newDay = true }
        if Self.jumpBackPhrases.occurs(in: sentence) { jumpBack = true }
        if words.contains("later") || sentence.find(["hours", "pass"]) != nil || sentence.find(["time", "passes"]) != nil { later = true }
        guard time == nil else { return }
        for (index, word) in words.enumerated() {
            guard let ordinal = Self.times[word] else { continue }
            let previous = index > 0 ? words[index - 1] : nil
            if let previous, Self.notNow.contains(previous) { continue }
            if sentence.kind == .scene {
                // `in the evening`, `at dawn`, a sentence that is only the time (`Night.`).
                let inThe = index >= 2 && words[index - 2] == "in" && previous == "the"
                let anchored = previous.map(Self.anchors.contains) ?? false
                guard inThe || anchored || words.count <= 2 else { continue }
            }
            // `night market`, `morning paper` in a caption still read as time: captions say when.
            time = ordinal
            let start = max(0, index - 2)
            phrase = sentence.tokens[start...index].map(\.raw).joined(separator: " ")
            if ["that", "this", "same"].contains(previous ?? "") { sameDay = true }
            return
        }
    }
}
